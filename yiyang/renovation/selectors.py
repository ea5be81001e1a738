"""Reads of the renovation programme; every one starts from the acting user's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from yiyang.core.regioncodes import ancestor_codes
from yiyang.regions.models import Region
from yiyang.regions.scope import prefixes_q
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.choices import GrantSource
from yiyang.renovation.eligibility import (
    CLOSED_WITHOUT_GRANT,
    CapabilityFact,
    CategoryFact,
    EarlierGrant,
    Facts,
    Rules,
)
from yiyang.renovation.models import Application, CatalogItem, ExternalGrant, Programme

VIEW = "renovation.view"


def programme_list(*, user: Any, perm: str = VIEW) -> QuerySet[Programme]:
    """Programmes of the user's regions, those below them, and those of the regions above them (a county
    works under the city's programme)."""
    qs = Programme.objects.select_related("region")
    if getattr(user, "is_system", False) or getattr(user, "is_superuser", False):
        return qs.order_by("-year", "-version", "pk")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    prefixes = user.scope_prefixes(perm)
    if not prefixes:
        return qs.none()
    above: set[str] = set()
    for p in prefixes:
        above.update(ancestor_codes(p.ljust(12, "0")))
    return qs.filter(prefixes_q("region_code", prefixes) | Q(region_code__in=above)).order_by(
        "-year", "-version", "pk"
    )


def programme_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Programme | None:
    return programme_list(user=user, perm=perm).filter(public_id=public_id).first()


def catalog_items(programme: Programme) -> QuerySet[CatalogItem]:
    return programme.items.order_by("seq")


def application_list(*, user: Any, perm: str = VIEW) -> QuerySet[Application]:
    return (
        Application.objects.restrict(user, perm)
        .select_related("programme", "elder", "contractor", "supervisor")
        .order_by("-created_at", "-pk")
    )


def application_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Application | None:
    return application_list(user=user, perm=perm).filter(public_id=public_id).first()


def application_detail(application: Application) -> Application:
    """The application with its plan, photos, objections, claims and timeline loaded (one query each)."""
    return (
        Application.objects.select_related("programme", "elder", "contractor", "supervisor")
        .prefetch_related(
            "plan_items__item", "plan_items__photos__application", "objections", "claims", "events"
        )
        .get(pk=application.pk)
    )


def programme_rules(programme: Programme) -> Rules:
    return Rules(
        target_categories=tuple(programme.target_categories),
        age_threshold=programme.age_threshold,
        feb29_rule=programme.feb29_rule,
        accepted_levels={str(k): [int(v) for v in vs] for k, vs in (programme.accepted_levels or {}).items()},
    )


def _unable_items(standard: str, answers: Any) -> int | None:
    if standard != "tekun6" or not isinstance(answers, dict) or not answers:
        return None
    return sum(1 for v in answers.values() if v == 0)


def elder_facts(elder: Any, *, exclude_application: Any = None) -> Facts:
    """What the rules need to know about an elder: categories, completed assessments (own and other
    departments'), and earlier grants (open or granted applications, other departments' grants)."""
    categories = tuple(
        CategoryFact(
            category=c.category,
            valid_from=c.valid_from,
            valid_to=c.valid_to,
            certificate=c.disability_certificate or "",
        )
        for c in elder.categories.all()
    )
    caps: list[CapabilityFact] = []
    for a in elder.assessments.filter(status="completed"):
        caps.append(
            CapabilityFact(
                standard=a.standard,
                level=a.final_level,
                assessed_on=a.assessed_on,
                valid_until=a.valid_until,
                unable_items=_unable_items(a.standard, a.answers),
            )
        )
    if elder.capability_standard and elder.capability_level is not None:
        # the register's current capability (an assessment recorded there, e.g. by an import)
        caps.append(
            CapabilityFact(
                standard=elder.capability_standard,
                level=elder.capability_level,
                assessed_on=elder.capability_assessed_on,
                valid_until=elder.capability_valid_until,
                source="老年人信息库登记的",
            )
        )
    for x in elder.external_assessments.all():
        caps.append(
            CapabilityFact(
                standard=x.standard,
                level=x.level,
                assessed_on=x.assessed_on,
                valid_until=x.valid_until,
                source=f"{x.source}",
            )
        )
    grants: list[EarlierGrant] = []
    earlier = (
        Application.objects.filter(elder=elder)
        .exclude(status__in=CLOSED_WITHOUT_GRANT)
        .select_related("programme")
        .order_by("created_at", "pk")
    )
    if exclude_application is not None:
        earlier = earlier.exclude(pk=exclude_application.pk)
    for app in earlier:
        grants.append(
            EarlierGrant(
                kind="application",
                id=str(app.public_id),
                name=app.programme.name,
                year=app.programme.year,
                status=app.status,
                status_label=app.get_status_display(),
                source=f"本平台申请 {app.number}：",
            )
        )
    for g in ExternalGrant.objects.filter(elder=elder).order_by("year", "pk"):
        grants.append(
            EarlierGrant(
                kind="external",
                id=str(g.public_id),
                name=g.programme_name,
                year=g.year,
                status="granted",
                status_label="已补贴",
                source=f"{GrantSource(g.source).label}：",
            )
        )
    return Facts(
        birth_date=elder.birth_date,
        categories=categories,
        capabilities=tuple(caps),
        earlier_grants=tuple(grants),
    )


# --- progress ------------------------------------------------------------------------------------------

APPROVED_OR_LATER = frozenset(
    {
        S.APPROVED,
        S.ASSESSED,
        S.PLANNED,
        S.SIGNED,
        S.BUILDING,
        S.COMPLETED,
        S.ACCEPTED,
        S.PAID,
    }
)
DONE = frozenset({S.ACCEPTED, S.PAID})
PHASES: list[tuple[str, str, str]] = [
    ("申请至批准", S.SUBMITTED, S.APPROVED),
    ("批准至签字", S.APPROVED, S.SIGNED),
    ("签字至完工", S.SIGNED, S.COMPLETED),
    ("完工至拨付", S.COMPLETED, S.PAID),
]


def quota_used(programme: Programme, county_code: str) -> int:
    return Application.objects.filter(
        programme=programme, region_code__startswith=county_code[:6], status__in=APPROVED_OR_LATER
    ).count()


def progress_rows(*, user: Any, programme: Programme, level: str = "county") -> list[dict[str, Any]]:
    """Per county (``level="county"``) or street: quota, applied, approved, done, paid, and the average
    days of each phase (from the timeline)."""
    width = 6 if level == "county" else 9
    apps = application_list(user=user).filter(programme=programme)
    quotas = {q.county_id[:6]: q.households for q in programme.quotas.all()}
    rows: dict[str, dict[str, Any]] = {}
    counts = apps.values("region_code", "status").annotate(n=Count("pk"))
    for c in counts:
        key = c["region_code"][:width]
        row = rows.setdefault(
            key, {"code": key.ljust(12, "0"), "applied": 0, "approved": 0, "done": 0, "paid": 0}
        )
        row["applied"] += c["n"]
        if c["status"] in APPROVED_OR_LATER:
            row["approved"] += c["n"]
        if c["status"] in DONE:
            row["done"] += c["n"]
        if c["status"] == S.PAID:
            row["paid"] += c["n"]
    names = dict(
        Region.objects.filter(code__in=[r["code"] for r in rows.values()]).values_list("code", "name")
    )
    phase_days: dict[str, dict[str, list[int]]] = {}
    for app in apps.prefetch_related("events"):
        key = app.region_code[:width]
        reached: dict[str, date] = {}
        for ev in app.events.all():
            reached.setdefault(ev.to_status, ev.at.date())
        for label, start, end in PHASES:
            if start in reached and end in reached:
                phase_days.setdefault(key, {}).setdefault(label, []).append(
                    (reached[end] - reached[start]).days
                )
    out = []
    for key, row in sorted(rows.items()):
        row["name"] = names.get(row["code"], row["code"])
        row["quota"] = quotas.get(key[:6]) if level == "county" else None
        row["phases"] = [(label, _avg(phase_days.get(key, {}).get(label, []))) for label, _, _ in PHASES]
        out.append(row)
    return out


def _avg(values: list[int]) -> str:
    if not values:
        return "—"
    return f"{sum(values) / len(values):.1f}"


def contractor_workload(*, user: Any, programme: Programme) -> list[dict[str, Any]]:
    """A district's contractors: households in hand, done, and open warranty claims."""
    apps = application_list(user=user).filter(programme=programme, contractor__isnull=False)
    rows = (
        apps.values("contractor__name")
        .annotate(
            total=Count("pk", distinct=True),
            building=Count("pk", filter=Q(status__in=[S.SIGNED, S.BUILDING, S.COMPLETED]), distinct=True),
            done=Count("pk", filter=Q(status__in=list(DONE)), distinct=True),
            open_claims=Count("claims", filter=Q(claims__status="open"), distinct=True),
        )
        .order_by("contractor__name")
    )
    return [dict(r) for r in rows]
