"""Reads of the KPIs: values (live or from the monthly snapshots), targets and the status rule.

The status rule (docs/decisions/0016-kpis-and-dashboards.md, docs/api.md):

* the target of a region and year is the region's own, else its nearest ancestor's (a county without its
  own target is measured against the city's); within that region, the target of the year asked for, else
  the latest earlier one (a target reached stays the floor afterwards), else the next later one;
* the expected value on ``as_of`` lies on the straight line from the baseline (value at the end of the
  baseline year) to the target (at the end of the target year), capped at the target; without a
  baseline, the expected value is the target itself;
* direction ``up``: ``on_track`` when the value reaches the expected value, ``at_risk`` when it falls short
  by no more than 10% of the distance from baseline to target (10% of the target without a baseline),
  ``behind`` otherwise; ``down`` is the mirror image;
* ``no_data`` when there is no value (the data does not exist) or nothing to judge it against (no target,
  or a statistic without a direction); ``reason`` says which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from yiyang.analytics.choices import LEVEL_LABELS, Direction, Source, Status
from yiyang.analytics.models import Kpi, KpiEntry, KpiEvidence, KpiSnapshot, KpiTarget
from yiyang.analytics.queries import NoData, Parts, get_query
from yiyang.core.errors import OutOfScope
from yiyang.core.regioncodes import ancestor_codes, normalize_region_code, scope_prefix
from yiyang.regions.models import Region

VIEW = "kpis.view"
RISK_BAND = Decimal("0.10")
STATUS_LABELS: dict[str, str] = {
    "on_track": "进度正常",
    "at_risk": "有风险",
    "behind": "滞后",
    "no_data": "无数据",
}
LEVEL_OF = {"city": "city", "county": "county", "town": "town", "village": "village", "province": "city"}


@dataclass
class KpiValue:
    kpi: Kpi
    region_code: str
    as_of: date
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    reason: str = ""
    backfilled: bool = False
    target: KpiTarget | None = None
    expected: Decimal | None = None
    status: str = Status.NO_DATA
    status_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, "无数据")

    @property
    def number(self) -> int | float | None:
        return as_number(self.value, self.kpi.decimals)

    @property
    def target_number(self) -> int | float | None:
        return as_number(self.target.value, self.kpi.decimals) if self.target else None

    def as_api(self) -> dict[str, Any]:
        return {
            "code": self.kpi.code,
            "name": self.kpi.name,
            "unit": self.kpi.unit,
            "value": self.number,
            "target": self.target_number,
            "status": str(self.status),
            "as_of": self.as_of.isoformat(),
            "target_year": self.target.year if self.target else None,
            "demo_target": bool(self.target and self.target.is_demo),
            "value_source": self.kpi.source,
            "reason": self.reason or self.status_reason,
        }


def as_number(value: Decimal | None, decimals: int) -> int | float | None:
    if value is None:
        return None
    q = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(q) if decimals == 0 else float(q)


# --- regions -------------------------------------------------------------------------------------------


def city_code() -> str:
    return str(getattr(settings, "YIYANG_CITY_CODE", "321000000000"))


def region_for(user: Any, code: str, perm: str = VIEW) -> Region:
    """The region named by ``code`` (6, 9 or 12 digits) in the user's scope, or ``OutOfScope`` (404)."""
    try:
        full = normalize_region_code(str(code))
    except (ValueError, TypeError) as exc:
        raise OutOfScope("区域不存在或不在您的管辖范围内") from exc
    region = Region.objects.restrict(user, perm).filter(code=full).first()
    if region is None:
        raise OutOfScope("区域不存在或不在您的管辖范围内")
    return region


def home_region(user: Any, perm: str = VIEW) -> Region | None:
    """The widest region the user sees: the city for a city admin, the county for a county admin."""
    if getattr(user, "is_superuser", False):
        return Region.objects.filter(code=city_code()).first()
    prefixes = sorted(user.scope_prefixes(perm), key=len)
    for prefix in prefixes:
        region = Region.objects.filter(code=prefix.ljust(12, "0")).first()
        if region is not None:
            return region
    return None


def region_children(region: Region) -> list[Region]:
    return list(Region.objects.filter(parent_id=region.code).order_by("code"))


def region_trail(region: Region, top: Region | None) -> list[Region]:
    """The regions from the user's top region down to ``region`` (for the drill-down breadcrumbs)."""
    codes = [*ancestor_codes(region.code), region.code]
    if top is not None:
        codes = [c for c in codes if c.startswith(scope_prefix(top.code))]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]


def level_of(region: Region) -> str:
    return LEVEL_OF.get(region.level, region.level)


def level_label(region: Region) -> str:
    return LEVEL_LABELS.get(level_of(region), "")


# --- the registry --------------------------------------------------------------------------------------


def kpi_list(*, source: str | None = None, group: str | None = None) -> QuerySet[Kpi]:
    qs = Kpi.objects.filter(is_active=True)
    if source:
        qs = qs.filter(source=source)
    if group:
        qs = qs.filter(group=group)
    return qs.order_by("order", "code")


def kpi_get(code: str) -> Kpi | None:
    return Kpi.objects.filter(code=code, is_active=True).first()


def applies(kpi: Kpi, region: Region) -> bool:
    return level_of(region) in (kpi.levels or [])


# --- computing -----------------------------------------------------------------------------------------


def rollup(parts: Parts, prefixes: Iterable[str]) -> dict[str, tuple[Decimal, Decimal, bool]]:
    """Sum the per-region pairs under each prefix: (numerator, denominator, any rows)."""
    wanted = set(prefixes)
    lengths = sorted({len(p) for p in wanted})
    out: dict[str, tuple[Decimal, Decimal, bool]] = {p: (Decimal(0), Decimal(0), False) for p in wanted}
    for code, (num, den) in parts.items():
        for n in lengths:
            p = code[:n]
            if p in wanted:
                a, b, _ = out[p]
                out[p] = (a + num, b + den, True)
    return out


def finish(kpi: Kpi, aggregate: str, scale: int, num: Decimal, den: Decimal) -> tuple[Decimal | None, str]:
    if aggregate == "count":
        return num, ""
    if den == 0:
        return None, "分母为零（该区域无可计算的对象）" if aggregate == "ratio" else "本期无可计算的记录"
    value = num * scale / den
    return value.quantize(Decimal(1).scaleb(-kpi.decimals), rounding=ROUND_HALF_UP), ""


def compute(
    kpis: Iterable[Kpi], prefixes: list[str], as_of: date, root: str
) -> dict[tuple[str, str], KpiValue]:
    """Computed KPIs for every region prefix in ``prefixes`` (all under ``root``): one query per KPI, rolled
    up by prefix. Entered KPIs read their latest entry for the region."""
    out: dict[tuple[str, str], KpiValue] = {}
    kpis = list(kpis)
    entered = [k for k in kpis if k.source == Source.ENTERED]
    if entered:
        latest = latest_entries(entered, [p.ljust(12, "0") for p in prefixes], as_of)
        for kpi in entered:
            for prefix in prefixes:
                code = prefix.ljust(12, "0")
                entry = latest.get((kpi.pk, code))
                out[(kpi.code, prefix)] = (
                    KpiValue(kpi, code, entry.as_of, value=entry.value, extra={"entry": entry})
                    if entry
                    else KpiValue(kpi, code, as_of, reason="尚无部门填报值")
                )
    for kpi in kpis:
        if kpi.source == Source.ENTERED:
            continue
        query = get_query(kpi.query)
        if query is None:
            for prefix in prefixes:
                out[(kpi.code, prefix)] = KpiValue(
                    kpi, prefix.ljust(12, "0"), as_of, reason=missing_query(kpi)
                )
            continue
        try:
            parts = query.compute(root, as_of)
        except NoData as exc:
            for prefix in prefixes:
                out[(kpi.code, prefix)] = KpiValue(kpi, prefix.ljust(12, "0"), as_of, reason=exc.reason)
            continue
        for prefix, (num, den, _) in rollup(parts, prefixes).items():
            value, reason = finish(kpi, query.aggregate, query.scale, num, den)
            out[(kpi.code, prefix)] = KpiValue(
                kpi,
                prefix.ljust(12, "0"),
                as_of,
                value=value,
                numerator=num,
                denominator=den if query.aggregate != "count" else None,
                reason=reason,
            )
    return out


def missing_query(kpi: Kpi) -> str:
    """Why a computed KPI has no query: its module is not installed, or it has not registered the query."""
    from django.apps import apps

    app = kpi.query.split(".", 1)[0] if "." in kpi.query else ""
    if app and apps.is_installed(f"yiyang.{app}"):
        return "该业务模块尚未登记此指标的计算查询"
    return "计算所需的业务模块未安装（查询未注册）"


def latest_entries(kpis: list[Kpi], region_codes: list[str], as_of: date) -> dict[tuple[int, str], KpiEntry]:
    """The latest entry (by date, then by time entered) of each KPI and region, in one query."""
    out: dict[tuple[int, str], KpiEntry] = {}
    rows = KpiEntry.objects.filter(kpi__in=kpis, region_code__in=region_codes, as_of__lte=as_of).order_by(
        "as_of", "created_at"
    )
    for entry in rows:
        out[(entry.kpi_id, entry.region_code)] = entry
    return out


def entered_value(kpi: Kpi, region_code: str, as_of: date) -> KpiValue:
    entry = (
        KpiEntry.objects.filter(kpi=kpi, region_code=region_code, as_of__lte=as_of)
        .order_by("-as_of", "-created_at")
        .first()
    )
    if entry is None:
        return KpiValue(kpi, region_code, as_of, reason="尚无部门填报值")
    return KpiValue(kpi, region_code, entry.as_of, value=entry.value, extra={"entry": entry})


# --- targets and status --------------------------------------------------------------------------------


def in_force(on: date) -> Q:
    """Target versions in force on ``on`` (validity inclusive at both ends; open ends are unbounded)."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def targets_for(kpis: list[Kpi], region_code: str, on: date | None = None) -> dict[int, list[KpiTarget]]:
    """Per KPI, the targets in force on ``on`` (default today) of the region or of its nearest ancestor
    that has any."""
    chain = [region_code, *reversed(ancestor_codes(region_code))]
    rows = KpiTarget.objects.filter(kpi__in=kpis, region_code__in=chain).filter(
        in_force(on or timezone.localdate())
    )
    by_kpi: dict[int, dict[str, list[KpiTarget]]] = {}
    for t in rows:
        by_kpi.setdefault(t.kpi_id, {}).setdefault(t.region_code, []).append(t)
    out: dict[int, list[KpiTarget]] = {}
    for kpi_id, per_region in by_kpi.items():
        for code in chain:
            if code in per_region:
                out[kpi_id] = sorted(per_region[code], key=lambda t: t.year)
                break
    return out


def pick_target(targets: list[KpiTarget], year: int) -> KpiTarget | None:
    if not targets:
        return None
    exact = [t for t in targets if t.year == year]
    if exact:
        return exact[0]
    earlier = [t for t in targets if t.year < year]
    if earlier:
        return earlier[-1]
    return targets[0]


def expected_value(target: KpiTarget, as_of: date) -> Decimal:
    if target.baseline_value is None or target.baseline_year is None:
        return target.value
    start = date(target.baseline_year, 12, 31)
    end = date(target.year, 12, 31)
    if as_of >= end or end <= start:
        return target.value
    share = Decimal(max(0, (as_of - start).days)) / Decimal((end - start).days)
    return target.baseline_value + (target.value - target.baseline_value) * share


def judge(item: KpiValue, targets: list[KpiTarget], year: int) -> KpiValue:
    kpi = item.kpi
    item.target = pick_target(targets, year)
    if item.value is None:
        item.status = Status.NO_DATA
        return item
    if kpi.direction == Direction.NONE:
        item.status, item.status_reason = Status.NO_DATA, "统计量，不设目标"
        return item
    if item.target is None:
        item.status, item.status_reason = Status.NO_DATA, "未设目标值"
        return item
    expected = expected_value(item.target, item.as_of)
    item.expected = expected
    t = item.target
    gap = abs(t.value - t.baseline_value) if t.baseline_value is not None else abs(t.value)
    band = gap * RISK_BAND
    shortfall = (expected - item.value) if kpi.direction == Direction.UP else (item.value - expected)
    if shortfall <= 0:
        item.status = Status.ON_TRACK
    elif shortfall <= band:
        item.status = Status.AT_RISK
    else:
        item.status = Status.BEHIND
    return item


# --- what the API and pages read -----------------------------------------------------------------------


def as_of_for(year: int) -> date:
    today = timezone.localdate()
    return today if year >= today.year else date(year, 12, 31)


def live_values(region: Region, year: int, kpis: list[Kpi] | None = None) -> list[KpiValue]:
    """Every KPI applying to the region for ``year``: computed now for this or a later year (as of today,
    the same rows the elders API counts), from the year's last monthly snapshot for a past year."""
    kpis = [k for k in (kpis if kpis is not None else kpi_list()) if applies(k, region)]
    as_of = as_of_for(year)
    prefix = scope_prefix(region.code)
    if year < timezone.localdate().year:
        values = snapshot_values(region, kpis, upto=f"{year}-12")
    else:
        computed = compute(kpis, [prefix], as_of, prefix)
        values = [computed[(k.code, prefix)] for k in kpis]
    targets = targets_for(kpis, region.code, as_of)
    return [judge(v, targets.get(v.kpi.pk, []), year) for v in values]


def latest_period(region_code: str | None = None) -> str | None:
    qs = KpiSnapshot.objects.all()
    if region_code:
        qs = qs.filter(region_code=region_code)
    return qs.order_by("-period").values_list("period", flat=True).first()


def snapshot_values(region: Region, kpis: list[Kpi], upto: str | None = None) -> list[KpiValue]:
    """The latest snapshot (at or before month ``upto``) of each KPI for the region."""
    period_qs = KpiSnapshot.objects.filter(region_code=region.code)
    if upto:
        period_qs = period_qs.filter(period__lte=upto)
    period = period_qs.order_by("-period").values_list("period", flat=True).first()
    rows = {}
    if period:
        rows = {s.kpi_id: s for s in KpiSnapshot.objects.filter(region_code=region.code, period=period)}
    out = []
    for kpi in kpis:
        snap = rows.get(kpi.pk)
        if snap is None:
            as_of = date(int(upto[:4]), 12, 31) if upto else timezone.localdate()
            out.append(KpiValue(kpi, region.code, as_of, reason="该期无月度快照（尚未计算）"))
            continue
        out.append(_from_snapshot(kpi, snap))
    return out


def _from_snapshot(kpi: Kpi, snap: KpiSnapshot) -> KpiValue:
    return KpiValue(
        kpi,
        snap.region_code,
        snap.as_of,
        value=snap.value,
        numerator=snap.numerator,
        denominator=snap.denominator,
        reason=snap.reason,
        backfilled=snap.backfilled,
    )


def dashboard_values(region: Region, year: int, kpis: list[Kpi]) -> list[KpiValue]:
    """The dashboard's values: the latest stored snapshot (fast at any register size), judged for ``year``."""
    values = snapshot_values(region, kpis, upto=None if year >= timezone.localdate().year else f"{year}-12")
    targets = targets_for(kpis, region.code, as_of_for(year))
    return [judge(v, targets.get(v.kpi.pk, []), year) for v in values]


def league(regions: list[Region], kpis: list[Kpi], year: int) -> list[dict[str, Any]]:
    """For each region (the children of the one shown): its latest snapshot of each KPI, judged."""
    if not regions:
        return []
    codes = [r.code for r in regions]
    periods = dict(
        (code, period)
        for code, period in KpiSnapshot.objects.filter(region_code__in=codes)
        .order_by("region_code", "period")
        .values_list("region_code", "period")
    )
    if year < timezone.localdate().year:
        periods = {c: p for c, p in periods.items() if p <= f"{year}-12"}
    snaps: dict[tuple[str, int], KpiSnapshot] = {}
    for p in set(periods.values()):
        for s in KpiSnapshot.objects.filter(region_code__in=codes, period=p, kpi__in=kpis):
            if periods.get(s.region_code) == p:
                snaps[(s.region_code, s.kpi_id)] = s
    rows = []
    on = as_of_for(year)
    for region in regions:
        targets = targets_for(kpis, region.code, on)
        cells = []
        for kpi in kpis:
            snap = snaps.get((region.code, kpi.pk))
            item = (
                _from_snapshot(kpi, snap)
                if snap
                else KpiValue(kpi, region.code, timezone.localdate(), reason="尚未计算")
            )
            cells.append(judge(item, targets.get(kpi.pk, []), year))
        rows.append({"region": region, "cells": cells})
    return rows


def trend(region: Region, kpis: list[Kpi], months: int = 12) -> dict[str, Any]:
    """Monthly series of the KPIs for the region: periods, values per KPI (``None`` where no data), and
    which periods were backfilled."""
    snaps = list(
        KpiSnapshot.objects.filter(region_code=region.code, kpi__in=kpis)
        .order_by("period")
        .values("kpi__code", "period", "value", "backfilled")
    )
    periods = sorted({s["period"] for s in snaps})[-months:]
    decimals = {k.code: k.decimals for k in kpis}
    series: dict[str, list[Any]] = {k.code: [None] * len(periods) for k in kpis}
    backfilled = set()
    index = {p: i for i, p in enumerate(periods)}
    for s in snaps:
        if s["period"] in index:
            series[s["kpi__code"]][index[s["period"]]] = as_number(s["value"], decimals[s["kpi__code"]])
            if s["backfilled"]:
                backfilled.add(s["period"])
    return {"periods": periods, "series": series, "backfilled": sorted(backfilled)}


def status_counts(values: list[KpiValue]) -> dict[str, int]:
    out: dict[str, int] = {s: 0 for s in STATUS_LABELS}
    for v in values:
        out[v.status] = out.get(v.status, 0) + 1
    return out


def entries_in_scope(*, user: Any, perm: str = "kpis.enter") -> QuerySet[KpiEntry]:
    from django.db.models import OuterRef, Subquery

    name = Region.objects.filter(code=OuterRef("region_code")).values("name")[:1]
    return (
        KpiEntry.objects.restrict(user, perm)
        .select_related("kpi", "entered_by")
        .prefetch_related("files")
        .annotate(region_name=Subquery(name))
        .order_by("-created_at")
    )


def entry_regions(*, user: Any, perm: str = "kpis.enter") -> list[Region]:
    """The regions a department user may enter values for: the city and counties in their scope."""
    return list(
        Region.objects.restrict(user, perm).filter(level__in=["city", "county"]).order_by("code")[:60]
    )


def evidence_in_scope(*, user: Any, perm: str = VIEW) -> QuerySet[KpiEvidence]:
    return KpiEvidence.objects.restrict(user, perm).select_related("entry", "entry__kpi")


def evidence_get(*, user: Any, public_id: Any, perm: str = VIEW) -> KpiEvidence | None:
    return evidence_in_scope(user=user, perm=perm).filter(public_id=public_id).first()


TARGETS = "kpis.targets"


def target_regions(*, user: Any) -> list[Region]:
    """The regions whose targets the user sets: the city and counties in their ``kpis.targets`` scope."""
    return entry_regions(user=user, perm=TARGETS)


def version_state(target: KpiTarget, today: date) -> str:
    if target.valid_from is not None and target.valid_from > today:
        return "待生效"
    if target.valid_to is not None and target.valid_to < today:
        return "已失效"
    return "现行"


def target_versions(region: Region) -> list[dict[str, Any]]:
    """Every version of the region's own targets (the newest first within a KPI and year), and the
    ancestors' versions in force today that the region inherits where it has none of its own."""
    today = timezone.localdate()
    own = list(
        KpiTarget.objects.filter(region_code=region.code)
        .select_related("kpi", "created_by")
        .order_by("kpi__order", "kpi__code", "year", "-valid_from", "-pk")
    )
    mine = {(t.kpi_id, t.year) for t in own}
    chain = list(reversed(ancestor_codes(region.code)))
    inherited: dict[tuple[int, int], KpiTarget] = {}
    for t in (
        KpiTarget.objects.filter(region_code__in=chain)
        .filter(in_force(today))
        .select_related("kpi")
        .order_by("kpi__order", "year")
    ):
        key = (t.kpi_id, t.year)
        if key in mine:
            continue
        held = inherited.get(key)
        if held is None or chain.index(t.region_code) < chain.index(held.region_code):
            inherited[key] = t
    names = dict(Region.objects.filter(code__in=chain).values_list("code", "name"))
    rows: list[dict[str, Any]] = [
        {"target": t, "state": version_state(t, today), "inherited_from": ""} for t in own
    ]
    rows += [
        {"target": t, "state": "现行", "inherited_from": names.get(t.region_code, "上级")}
        for t in inherited.values()
    ]
    rows.sort(
        key=lambda r: (
            r["target"].kpi.order,
            r["target"].kpi.code,
            r["target"].year,
            bool(r["inherited_from"]),
        )
    )
    return rows
