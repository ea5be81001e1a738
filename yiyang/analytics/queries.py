"""Computed KPIs: a registry of named queries (docs/decisions/0016-kpis-and-dashboards.md).

A query computes, for every finest region under a prefix and a date (``as_of``), a pair of numbers per
region code: ``(numerator, denominator)``. How the pairs roll up to a street, county or city is the
query's ``aggregate``:

* ``count`` — the sum of numerators (elders 60+, beds);
* ``ratio`` — the sum of numerators over the sum of denominators, times ``scale`` (100 for a percentage,
  10,000 for "per 10,000 elders");
* ``mean`` — a total over a number of cases (minutes of response over alarms answered).

Summing per region and rolling up by code prefix is what makes one pass serve every region level, and
what keeps a street's value equal to the sum of its communities'. A query raises ``NoData`` when the data
it needs does not exist on the platform (no facility registered, no device connected…): the KPI then
says ``no_data`` with the reason, never zero.

Other apps register their own queries with ``register_query`` (e.g. an app ``yiyang.visits`` registers
``visits.visit_rate``); a KPI naming a query nobody registered is ``no_data`` ("not installed").

Every query reads through the owning app's public selectors as the system actor, then keeps the rows
under the region prefix, so the figures are the same rows the elders, orders… lists show a user whose
scope covers that region (an elder counts by the region of residence, active, age at ``as_of``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from yiyang.regions.scope import SYSTEM

Parts = dict[str, tuple[Decimal, Decimal]]
Rows = tuple[list[str], list[list[Any]]]

ZERO = Decimal(0)
ONE = Decimal(1)
ROWS_LIMIT = 500


class NoData(Exception):
    """The data this KPI is computed from does not exist (yet): ``reason`` says what is missing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ComputedQuery:
    name: str
    aggregate: str  # "count" | "ratio" | "mean"
    compute: Callable[[str, date], Parts]
    scale: int = 1
    # The list page of the rows (existing pages, with their filters): ``drill(region_code, as_of)``.
    drill: Callable[[str, date], str] | None = None
    # Or the rows themselves, shown on the analytics rows page to holders of ``rows_perm``.
    rows: Callable[[str, date], Rows] | None = None
    rows_perm: str = ""


QUERIES: dict[str, ComputedQuery] = {}


def register_query(query: ComputedQuery) -> None:
    """Register (or replace) a named query; call from an ``AppConfig.ready``."""
    QUERIES[query.name] = query


def get_query(name: str) -> ComputedQuery | None:
    return QUERIES.get(name)


# --- helpers -------------------------------------------------------------------------------------------


def _add(parts: Parts, code: str, num: Any, den: Any = ONE) -> None:
    n, d = parts.get(code, (ZERO, ZERO))
    parts[code] = (n + Decimal(num or 0), d + Decimal(den or 0))


def month_bounds(as_of: date) -> tuple[datetime, datetime]:
    """The month of ``as_of`` as aware datetimes [first day 00:00, the day after ``as_of`` 00:00)."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(as_of.replace(day=1), time.min, tzinfo=tz)
    end = datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _anniversary_back(day: date, years: int) -> date:
    from yiyang.elders.selectors import anniversary_back

    return anniversary_back(day, years)


def elders_at(prefix: str, as_of: date) -> QuerySet[Any]:
    """Elders in the register under ``prefix`` who were active on ``as_of``. For today (and later) this is
    exactly the register's ``status=active``, the same rows the elders API counts; for a past date an
    elder who died or moved out after it still counts (the status change carries its date)."""
    from yiyang.elders.selectors import elder_list

    qs = elder_list(user=SYSTEM).filter(region__code__startswith=prefix)
    if as_of >= timezone.localdate():
        return qs.filter(status="active")
    return qs.filter(Q(status="active") | Q(status_date__gt=as_of))


def _elders_aged(prefix: str, as_of: date, years: int) -> QuerySet[Any]:
    return elders_at(prefix, as_of).filter(birth_date__lte=_anniversary_back(as_of, years))


def _by_region(qs: QuerySet[Any], field: str = "region_id") -> Parts:
    parts: Parts = {}
    for row in qs.order_by().values(field).annotate(n=Count("id")):
        _add(parts, row[field], row["n"])
    return parts


def _ratio_parts(num: Parts, den: Parts) -> Parts:
    out: Parts = {}
    for code, (n, _) in num.items():
        _add(out, code, n, 0)
    for code, (d, _) in den.items():
        _add(out, code, 0, d)
    return out


def _elders_url(code: str, **params: Any) -> str:
    from django.urls import reverse

    return f"{reverse('elders:list')}?{urlencode({'region': code, 'status': 'active', **params})}"


def _elders_drill(**params: Any) -> Callable[[str, date], str]:
    def url(code: str, as_of: date) -> str:
        return _elders_url(code, age_min=60, **params)

    return url


def _age_min_url(years: int) -> Callable[[str, date], str]:
    return lambda code, as_of: _elders_url(code, age_min=years)


# --- elders --------------------------------------------------------------------------------------------


def elders_60(prefix: str, as_of: date) -> Parts:
    return _by_region(_elders_aged(prefix, as_of, 60))


def elders_80(prefix: str, as_of: date) -> Parts:
    return _by_region(_elders_aged(prefix, as_of, 80))


def share_80(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(elders_80(prefix, as_of), elders_60(prefix, as_of))


def _living(value: str) -> Callable[[str, date], Parts]:
    return lambda prefix, as_of: _by_region(_elders_aged(prefix, as_of, 60).filter(living_situation=value))


def _category(value: str) -> Callable[[str, date], Parts]:
    def compute(prefix: str, as_of: date) -> Parts:
        held = (
            Q(categories__category=value)
            & (Q(categories__valid_from__isnull=True) | Q(categories__valid_from__lte=as_of))
            & (Q(categories__valid_to__isnull=True) | Q(categories__valid_to__gte=as_of))
        )
        qs = _elders_aged(prefix, as_of, 60).filter(held)
        parts: Parts = {}
        for row in qs.order_by().values("region_id").annotate(n=Count("id", distinct=True)):
            _add(parts, row["region_id"], row["n"])
        return parts

    return compute


def _capability(level: int) -> Callable[[str, date], Parts]:
    return lambda prefix, as_of: _by_region(_elders_aged(prefix, as_of, 60).filter(capability_level=level))


def elders_disabled(prefix: str, as_of: date) -> Parts:
    return _by_region(_elders_aged(prefix, as_of, 60).filter(disabled_moderate_plus=True))


# --- facilities and beds (current register of facilities: providers keep no history of beds) ----------


def _organisations() -> QuerySet[Any]:
    from yiyang.providers.selectors import organisation_list

    model = organisation_list(user=SYSTEM).model
    return model.objects.filter(is_active=True)


def _beds(prefix: str, fields: list[str], org_types: list[str] | None = None) -> Parts:
    orgs = _organisations()
    total = orgs.aggregate(
        b=Sum("facilities__beds_ordinary")
        + Sum("facilities__beds_nursing")
        + Sum("facilities__beds_dementia")
    )["b"]
    if not total:
        raise NoData("平台尚未登记任何养老床位（服务设施的床位数均为 0 或未登记设施）")
    qs = orgs.filter(region__code__startswith=prefix)
    if org_types:
        qs = qs.filter(org_type__in=org_types)
    expr: Any = None
    for f in fields:
        expr = Sum(f"facilities__{f}") if expr is None else expr + Sum(f"facilities__{f}")
    parts: Parts = {}
    for row in qs.order_by().values("region_id").annotate(n=expr):
        _add(parts, row["region_id"], row["n"] or 0)
    return parts


BED_FIELDS = ["beds_ordinary", "beds_nursing", "beds_dementia"]


def _beds_of(fields: list[str]) -> Callable[[str, date], Parts]:
    return lambda prefix, as_of: _beds(prefix, fields)


def nursing_bed_share(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_beds(prefix, ["beds_nursing"]), _beds(prefix, BED_FIELDS))


def care_home_beds_per_1000(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_beds(prefix, BED_FIELDS, ["care_home"]), elders_60(prefix, as_of))


def social_beds_per_1000(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_beds(prefix, BED_FIELDS), elders_60(prefix, as_of))


def dementia_beds_per_10k(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_beds(prefix, ["beds_dementia"]), elders_60(prefix, as_of))


def _facility_rows(prefix: str, as_of: date) -> Rows:
    qs = (
        _organisations()
        .filter(region__code__startswith=prefix, facilities__isnull=False)
        .order_by("region_id", "name")
        .values_list(
            "region__name",
            "name",
            "org_type",
            "facilities__name",
            "facilities__beds_ordinary",
            "facilities__beds_nursing",
            "facilities__beds_dementia",
        )[:ROWS_LIMIT]
    )
    from yiyang.providers.choices import OrgType

    labels = dict(OrgType.choices)
    rows = [[r[0], r[1], labels.get(r[2], r[2]), r[3], r[4], r[5], r[6]] for r in qs]
    return ["所在社区", "机构", "机构类型", "设施", "普通床位", "护理型床位", "认知障碍床位"], rows


def _facilities(org_type: str) -> Callable[[str, date], Parts]:
    def compute(prefix: str, as_of: date) -> Parts:
        if not _organisations().filter(facilities__isnull=False).exists():
            raise NoData("平台尚未登记服务设施")
        qs = _organisations().filter(region__code__startswith=prefix, org_type=org_type)
        parts: Parts = {}
        for row in qs.order_by().values("region_id").annotate(n=Count("facilities")):
            _add(parts, row["region_id"], row["n"])
        return parts

    return compute


CENTRE_TYPES = ["comprehensive_centre", "day_care", "station"]


def centre_coverage(prefix: str, as_of: date) -> Parts:
    """Communities (村/社区) with a community care centre (综合体、日间照料中心、养老服务站) located in them
    or serving them (an organisation serving a street covers its communities), over all communities."""
    from yiyang.core.regioncodes import scope_prefix
    from yiyang.regions.models import Region

    communities = list(
        Region.objects.filter(code__startswith=prefix, level="village").values_list("code", flat=True)
    )
    if not communities:
        raise NoData("该区域下没有社区（村）区划")
    covering: set[str] = set()
    for org in _organisations().filter(org_type__in=CENTRE_TYPES).prefetch_related("regions_served"):
        covering.add(scope_prefix(org.region_id))
        for served in org.regions_served.all():
            covering.add(scope_prefix(served.code))
    parts: Parts = {}
    for code in communities:
        covered = any(code.startswith(p) for p in covering)
        _add(parts, code, 1 if covered else 0, 1)
    return parts


def _coverage_rows(prefix: str, as_of: date) -> Rows:
    from yiyang.regions.models import Region

    names = dict(Region.objects.filter(code__startswith=prefix, level="village").values_list("code", "name"))
    parts = centre_coverage(prefix, as_of)
    rows = [[names.get(code, code), "已覆盖" if n else "未覆盖"] for code, (n, _) in sorted(parts.items())]
    return ["社区（村）", "照料中心覆盖"], rows[:ROWS_LIMIT]


# --- caregivers ----------------------------------------------------------------------------------------

CAREGIVER_CERTIFICATE = "养老护理员"
SENIOR_LEVELS = ("高级", "技师")


def _certified(prefix: str, as_of: date, senior: bool = False) -> Parts:
    from yiyang.providers.selectors import staff_list

    model = staff_list(user=SYSTEM).model
    valid = (
        Q(certificates__name__contains=CAREGIVER_CERTIFICATE)
        & Q(certificates__valid_until__gte=as_of)
        & (Q(certificates__valid_from__isnull=True) | Q(certificates__valid_from__lte=as_of))
    )
    if senior:
        level_q = Q()
        for word in SENIOR_LEVELS:
            level_q |= Q(certificates__level__contains=word)
        valid &= level_q
    qs = model.objects.filter(
        valid, employment_status="active", organisation__region__code__startswith=prefix
    ).order_by()
    parts: Parts = {}
    for row in qs.values("organisation__region_id").annotate(n=Count("id", distinct=True)):
        _add(parts, row["organisation__region_id"], row["n"])
    return parts


def caregivers_certified(prefix: str, as_of: date) -> Parts:
    return _certified(prefix, as_of)


def caregivers_per_10k(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_certified(prefix, as_of), elders_60(prefix, as_of))


def senior_caregiver_share(prefix: str, as_of: date) -> Parts:
    return _ratio_parts(_certified(prefix, as_of, senior=True), _certified(prefix, as_of))


def _caregiver_rows(prefix: str, as_of: date) -> Rows:
    from yiyang.providers.selectors import staff_list

    model = staff_list(user=SYSTEM).model
    qs = (
        model.objects.filter(
            certificates__name__contains=CAREGIVER_CERTIFICATE,
            certificates__valid_until__gte=as_of,
            employment_status="active",
            organisation__region__code__startswith=prefix,
        )
        .order_by()
        .values("organisation__name", "organisation__region__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("organisation__region__name", "organisation__name")[:ROWS_LIMIT]
    )
    return ["所在区域", "机构", "持证养老护理员（人）"], [
        [r["organisation__region__name"], r["organisation__name"], r["n"]] for r in qs
    ]


# --- orders, settlement, complaints -------------------------------------------------------------------


def _orders_in_month(prefix: str, as_of: date) -> QuerySet[Any]:
    from yiyang.orders.selectors import order_list

    start, end = month_bounds(as_of)
    return (
        order_list(user=SYSTEM)
        .filter(region_code__startswith=prefix, scheduled_start__gte=start, scheduled_start__lt=end)
        .exclude(status="cancelled")
    )


def orders_month(prefix: str, as_of: date) -> Parts:
    return _by_region(_orders_in_month(prefix, as_of), "region_code")


def _orders_url(code: str, as_of: date) -> str:
    from django.urls import reverse

    start = as_of.replace(day=1)
    query = urlencode({"region": code, "date_from": start.isoformat(), "date_to": as_of.isoformat()})
    return f"{reverse('orders:list')}?{query}"


def settled_amount_month(prefix: str, as_of: date) -> Parts:
    """Amounts (元) of the month's settlement statements, by the elder's region of each line."""
    from yiyang.orders.selectors import settlement_list

    qs = (
        settlement_list(user=SYSTEM)
        .filter(month=f"{as_of:%Y-%m}", lines__region_code__startswith=prefix)
        .order_by()
        .values("lines__region_code")
        .annotate(fen=Sum("lines__amount_fen"))
    )
    parts: Parts = {}
    for row in qs:
        _add(parts, row["lines__region_code"], Decimal(row["fen"] or 0) / 100)
    return parts


def complaint_rate(prefix: str, as_of: date) -> Parts:
    from yiyang.orders.selectors import complaint_list

    start, end = month_bounds(as_of)
    complaints = complaint_list(user=SYSTEM).filter(
        region_code__startswith=prefix, created_at__gte=start, created_at__lt=end
    )
    return _ratio_parts(_by_region(complaints, "region_code"), orders_month(prefix, as_of))


def _complaint_rows(prefix: str, as_of: date) -> Rows:
    from yiyang.orders.choices import ComplaintCategory, ComplaintStatus
    from yiyang.orders.selectors import complaint_list

    start, end = month_bounds(as_of)
    cats, states = dict(ComplaintCategory.choices), dict(ComplaintStatus.choices)
    qs = (
        complaint_list(user=SYSTEM)
        .filter(region_code__startswith=prefix, created_at__gte=start, created_at__lt=end)
        .order_by("-created_at")
        .values_list("created_at", "category", "status")[:ROWS_LIMIT]
    )
    rows = [
        [timezone.localtime(at).strftime("%Y-%m-%d %H:%M"), cats.get(c, c), states.get(s, s)]
        for at, c, s in qs
    ]
    return ["投诉时间", "投诉类别", "状态"], rows


# --- alarms and emergencies ----------------------------------------------------------------------------


def _alarms(prefix: str, as_of: date) -> QuerySet[Any]:
    from yiyang.devices.selectors import alarm_list, device_list

    if not device_list(user=SYSTEM).exists():
        raise NoData("平台尚未接入智能设备")
    start, end = month_bounds(as_of)
    return alarm_list(user=SYSTEM).filter(
        region_code__startswith=prefix, raised_at__gte=start, raised_at__lt=end
    )


def alarms_month(prefix: str, as_of: date) -> Parts:
    return _by_region(_alarms(prefix, as_of), "region_code")


def _mean_minutes(rows: Any) -> Parts:
    parts: Parts = {}
    for code, begun, answered in rows:
        minutes = max(0, int((answered - begun).total_seconds() // 60))
        _add(parts, code, minutes, 1)
    return parts


def alarm_response_minutes(prefix: str, as_of: date) -> Parts:
    qs = _alarms(prefix, as_of).filter(acknowledged_at__isnull=False).order_by()
    return _mean_minutes(qs.values_list("region_code", "created_at", "acknowledged_at").iterator())


def _alarm_rows(prefix: str, as_of: date) -> Rows:
    from yiyang.devices.choices import AlarmKind, AlarmStatus

    kinds, states = dict(AlarmKind.choices), dict(AlarmStatus.choices)
    qs = (
        _alarms(prefix, as_of)
        .order_by("-raised_at")
        .values_list("raised_at", "kind", "status", "created_at", "acknowledged_at")[:ROWS_LIMIT]
    )
    rows = []
    for raised, kind, status, created, acked in qs:
        minutes = max(0, int((acked - created).total_seconds() // 60)) if acked else "—"
        rows.append(
            [
                timezone.localtime(raised).strftime("%Y-%m-%d %H:%M"),
                kinds.get(kind, kind),
                states.get(status, status),
                minutes,
            ]
        )
    return ["发生时间", "告警类型", "状态", "确认用时（分钟）"], rows


def incidents_month(prefix: str, as_of: date) -> Parts:
    from yiyang.hotline.selectors import incident_list

    start, end = month_bounds(as_of)
    qs = incident_list(user=SYSTEM).filter(
        region_code__startswith=prefix, opened_at__gte=start, opened_at__lt=end
    )
    return _by_region(qs, "region_code")


def incident_ack_minutes(prefix: str, as_of: date) -> Parts:
    from yiyang.hotline.selectors import incident_list

    start, end = month_bounds(as_of)
    qs = (
        incident_list(user=SYSTEM)
        .filter(region_code__startswith=prefix, opened_at__gte=start, opened_at__lt=end)
        .filter(acknowledged_at__isnull=False)
        .order_by()
    )
    return _mean_minutes(qs.values_list("region_code", "opened_at", "acknowledged_at").iterator())


# --- benefits ------------------------------------------------------------------------------------------


def subsidy_recipient_share(prefix: str, as_of: date) -> Parts:
    """Elders 60+ active in the register holding an active 养老服务补贴 enrolment, over elders 60+
    (the same rule as the benefits pages' ``service_subsidy_ratio``)."""
    from yiyang.benefits.choices import ProgrammeKind
    from yiyang.benefits.selectors import enrolment_list, programme_list

    codes = list(programme_list().filter(kind=ProgrammeKind.SERVICE_SUBSIDY).values_list("code", flat=True))
    if not codes:
        raise NoData("尚未发布养老服务补贴项目")
    elders = _elders_aged(prefix, as_of, 60)
    qs = (
        enrolment_list(user=SYSTEM)
        .filter(programme_code__in=codes, status="active", elder__in=elders.values("pk"))
        .order_by()
        .values("region_code")
        .annotate(n=Count("elder_id", distinct=True))
    )
    num: Parts = {}
    for row in qs:
        _add(num, row["region_code"], row["n"])
    return _ratio_parts(num, elders_60(prefix, as_of))


def _subsidy_rows(prefix: str, as_of: date) -> Rows:
    from yiyang.regions.models import Region

    names = dict(Region.objects.filter(code__startswith=prefix).values_list("code", "name"))
    parts = subsidy_recipient_share(prefix, as_of)
    rows = [[names.get(code, code), int(n), int(d)] for code, (n, d) in sorted(parts.items())]
    return ["社区（村）", "养老服务补贴对象（人）", "60 岁以上在册老人（人）"], rows[:ROWS_LIMIT]


def _visits_url(code: str, as_of: date) -> str:
    from django.urls import reverse

    return f"{reverse('visits:overview')}?{urlencode({'region': code, 'period': as_of.strftime('%Y-%m')})}"


def visit_rate(prefix: str, as_of: date) -> Parts:
    """Visits done over visits due in the month of ``as_of`` up to that day, per elder's region: the same
    windows and the same "a visit that saw the elder counts at once" rule as ``GET /api/v1/visits/coverage/``."""
    from yiyang.core.jobs import city_code
    from yiyang.visits.selectors import coverage, risk_statuses

    if not risk_statuses(user=SYSTEM).exists():
        raise NoData("尚未开展探访关爱风险分类")
    _, wins = coverage(prefix.ljust(12, "0") if prefix else city_code(), as_of.strftime("%Y-%m"), today=as_of)
    parts: Parts = {}
    for w in wins:
        _add(parts, w.region_code, int(w.done), 1)
    return parts


# --- registration of the platform's own queries --------------------------------------------------------


def _register_builtin() -> None:
    from yiyang.elders.choices import Category, LivingSituation
    from yiyang.providers.choices import OrgType

    for q in [
        ComputedQuery("elders_60", "count", elders_60, drill=_age_min_url(60)),
        ComputedQuery("elders_80", "count", elders_80, drill=_age_min_url(80)),
        ComputedQuery("share_80", "ratio", share_80, scale=100, drill=_age_min_url(80)),
        ComputedQuery("elders_disabled", "count", elders_disabled, drill=_age_min_url(60)),
        ComputedQuery(
            "beds_total", "count", _beds_of(BED_FIELDS), rows=_facility_rows, rows_perm="providers.view"
        ),
        *[
            ComputedQuery(
                f"beds:{f}", "count", _beds_of([f]), rows=_facility_rows, rows_perm="providers.view"
            )
            for f in BED_FIELDS
        ],
        ComputedQuery(
            "nursing_bed_share",
            "ratio",
            nursing_bed_share,
            scale=100,
            rows=_facility_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "care_home_beds_per_1000",
            "ratio",
            care_home_beds_per_1000,
            scale=1000,
            rows=_facility_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "social_beds_per_1000",
            "ratio",
            social_beds_per_1000,
            scale=1000,
            rows=_facility_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "dementia_beds_per_10k",
            "ratio",
            dementia_beds_per_10k,
            scale=10000,
            rows=_facility_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "centre_coverage",
            "ratio",
            centre_coverage,
            scale=100,
            rows=_coverage_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "caregivers_certified",
            "count",
            caregivers_certified,
            rows=_caregiver_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "caregivers_per_10k",
            "ratio",
            caregivers_per_10k,
            scale=10000,
            rows=_caregiver_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery(
            "senior_caregiver_share",
            "ratio",
            senior_caregiver_share,
            scale=100,
            rows=_caregiver_rows,
            rows_perm="providers.view",
        ),
        ComputedQuery("orders_month", "count", orders_month, drill=_orders_url),
        ComputedQuery("settled_amount_month", "count", settled_amount_month, drill=_orders_url),
        ComputedQuery(
            "complaint_rate",
            "ratio",
            complaint_rate,
            scale=100,
            rows=_complaint_rows,
            rows_perm="complaints.view",
        ),
        ComputedQuery("alarms_month", "count", alarms_month, rows=_alarm_rows, rows_perm="alarms.view"),
        ComputedQuery(
            "alarm_response_minutes",
            "mean",
            alarm_response_minutes,
            rows=_alarm_rows,
            rows_perm="alarms.view",
        ),
        ComputedQuery("incidents_month", "count", incidents_month),
        ComputedQuery("incident_ack_minutes", "mean", incident_ack_minutes),
        ComputedQuery("visits.visit_rate", "ratio", visit_rate, scale=100, drill=_visits_url),
        ComputedQuery(
            "subsidy_recipient_share",
            "ratio",
            subsidy_recipient_share,
            scale=100,
            rows=_subsidy_rows,
            rows_perm="benefits.view",
        ),
    ]:
        register_query(q)
    for value in LivingSituation.values:
        register_query(
            ComputedQuery(
                f"elders_living:{value}",
                "count",
                _living(value),
                drill=_elders_drill(living_situation=value),
            )
        )
    for value in Category.values:
        register_query(
            ComputedQuery(
                f"elders_category:{value}",
                "count",
                _category(value),
                drill=_elders_drill(category=value),
            )
        )
    for level in range(5):
        register_query(
            ComputedQuery(
                f"elders_capability:{level}",
                "count",
                _capability(level),
                drill=_elders_drill(capability_level=level),
            )
        )
    for org_type in OrgType.values:
        register_query(
            ComputedQuery(
                f"facilities:{org_type}",
                "count",
                _facilities(org_type),
                rows=_facility_rows,
                rows_perm="providers.view",
            )
        )


_register_builtin()
