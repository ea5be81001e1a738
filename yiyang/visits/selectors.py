"""Reads of 探访关爱: the facts the rules read, the rule set in force, the live class of an elder, the visit
windows due in a region and month (coverage), plans, visits and campaigns, each from the scoped queryset."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiyang.core.identifiers import age_on
from yiyang.core.policy import policy_value
from yiyang.core.regioncodes import ancestor_codes, scope_prefix
from yiyang.elders.selectors import elder_list
from yiyang.regions.scope import SYSTEM
from yiyang.visits import rules as R
from yiyang.visits.choices import HAZARDS, PlanItemStatus
from yiyang.visits.models import (
    Campaign,
    CampaignTarget,
    PlanItem,
    RiskOverride,
    RiskStatus,
    RuleSet,
    Visit,
    VisitPlan,
)

if TYPE_CHECKING:
    from yiyang.elders.models import Elder

VIEW = "visits.view"
TEKUN = ("tekun_dispersed", "tekun_centralised")
# Device alarms that say nothing about the elder's safety (the device's own state) do not raise a class.
DEVICE_ONLY_ALARMS = ("offline", "low_battery")
INTERVAL_KEYS = {"A": "visits.interval_a", "B": "visits.interval_b", "C": "visits.interval_c"}
TEKUN_INTERVAL = "visits.interval_tekun"


# ------------------------------------------------------------------------------------------- rule sets


def ruleset_for(region_code: str, day: date | None = None) -> RuleSet | None:
    """The rule set in force for a region on ``day``: the finest region on its path with a version valid
    then (community, street, county, city, then the default), its latest version."""
    day = day or timezone.localdate()
    path = [region_code, *reversed(ancestor_codes(region_code)), ""] if region_code else [""]
    rows = list(RuleSet.objects.filter(region_code__in=path, valid_from__lte=day).order_by("-version"))
    for code in path:
        for row in rows:
            if row.region_code == code:
                return row
    return None


def ruleset_history(region_code: str) -> list[RuleSet]:
    path = [region_code, *ancestor_codes(region_code), ""]
    return list(RuleSet.objects.filter(region_code__in=path).order_by("region_code", "-version"))


# ------------------------------------------------------------------------------------------- facts


def facts_for(elders: list[Elder], day: date | None = None) -> dict[int, R.Facts]:
    """The facts of many elders in a few set-based queries (categories, alarms, incidents, hazards)."""
    from yiyang.devices.choices import AlarmKind, AlarmStatus
    from yiyang.hotline.choices import IncidentKind

    day = day or timezone.localdate()
    ids = [e.pk for e in elders]
    cats: dict[int, set[str]] = defaultdict(set)
    registry = elder_list(user=SYSTEM, perm="elders.view")
    for elder_id, category, start, end, grade in registry.filter(
        pk__in=ids, categories__isnull=False
    ).values_list(
        "pk",
        "categories__category",
        "categories__valid_from",
        "categories__valid_to",
        "categories__disability_grade",
    ):
        if (start is None or start <= day) and (end is None or day <= end):
            cats[elder_id].add(category)
            if category == "disabled" and grade in (1, 2):
                cats[elder_id].add("severe_disability")
    since = timezone.now() - timedelta(days=30)
    alarms: dict[int, str] = {}
    # Through the register's reverse relations (the devices and hotline models are theirs to keep).
    kinds = [k for k in AlarmKind.values if k not in DEVICE_ONLY_ALARMS]
    statuses = [s for s in AlarmStatus.values if s != AlarmStatus.FALSE_ALARM]
    for elder_id, at, kind in (
        registry.filter(
            pk__in=ids, alarms__raised_at__gte=since, alarms__kind__in=kinds, alarms__status__in=statuses
        )
        .order_by("-alarms__raised_at")
        .values_list("pk", "alarms__raised_at", "alarms__kind")
    ):
        alarms.setdefault(elder_id, f"{timezone.localtime(at):%m月%d日} {AlarmKind(kind).label}告警")
    for elder_id, at, kind in (
        registry.filter(pk__in=ids, incidents__opened_at__gte=since)
        .order_by("-incidents__opened_at")
        .values_list("pk", "incidents__opened_at", "incidents__kind")
    ):
        label = IncidentKind(kind).label if kind in IncidentKind.values else "紧急"
        alarms.setdefault(elder_id, f"{timezone.localtime(at):%m月%d日} {label}紧急呼援")
    hazards: dict[int, str] = {}
    latest: dict[int, Visit] = {}
    for v in Visit.objects.filter(elder_id__in=ids, seen=True).order_by("elder_id", "-visited_at", "-pk"):
        latest.setdefault(v.elder_id, v)
    for elder_id, v in latest.items():
        if v.hazard_open:
            hazards[elder_id] = "、".join(HAZARDS.get(h, "其他安全隐患") for h in v.hazards) or "安全隐患"
    out: dict[int, R.Facts] = {}
    for e in elders:
        held = cats.get(e.pk, set())  # category codes, mapped to facts (残疾 is not 失能)
        facts: set[str] = set()
        if e.living_situation in {"alone", "left_behind", "empty_nest"}:
            facts.add(e.living_situation)
        if "family_planning_special" in held:
            facts.add("family_planning")
        if "severe_disability" in held:
            facts.add("severe_disability")
        if held & set(TEKUN):
            facts.add("tekun")
        if e.disabled_moderate_plus:
            facts.add("disabled")
        try:
            age = age_on(e.birth_date, day)
        except ValueError:
            age = 0
        if age >= 80:
            facts.add("age80")
        out[e.pk] = R.Facts(
            active=e.status == "active",
            age=age,
            facts=facts,
            alarm=alarms.get(e.pk, ""),
            hazard=hazards.get(e.pk, ""),
        )
    return out


def active_override(elder: Elder, day: date | None = None) -> RiskOverride | None:
    day = day or timezone.localdate()
    return (
        RiskOverride.objects.filter(elder=elder, revoked_at__isnull=True, expires_on__gte=day)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class Risk:
    risk_class: str
    computed_class: str
    reasons: list[dict[str, str]]
    rule_set: RuleSet | None
    override: RiskOverride | None = None
    tekun: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overridden(self) -> bool:
        return self.override is not None


def evaluate(elder: Elder, facts: R.Facts, rule_set: RuleSet | None, override: RiskOverride | None) -> Risk:
    rules = rule_set.rules if rule_set is not None else R.DEFAULT_RULES
    if rule_set is not None and (not rule_set.raise_on_hazard):
        facts.hazard = ""
    outcome = R.classify(rules, facts)
    reasons = list(outcome.reasons)
    final = outcome.risk_class
    if override is not None and facts.active:
        label = f"{override.risk_class}类" if override.risk_class else "不分类"
        reasons.insert(
            0,
            {
                "rule": "override",
                "message": f"工作人员调整为{label}：{override.reason}（有效期至{override.expires_on:%Y年%m月%d日}）",
            },
        )
        final = override.risk_class
    return Risk(
        final,
        outcome.risk_class,
        reasons,
        rule_set,
        override if facts.active else None,
        "tekun" in facts.facts,
    )


def risk_of(elder: Elder, day: date | None = None) -> Risk:
    """The elder's class now, from the register as it is at this moment (never a stale copy)."""
    day = day or timezone.localdate()
    facts = facts_for([elder], day)[elder.pk]
    return evaluate(elder, facts, ruleset_for(elder.region_id, day), active_override(elder, day))


def risk_statuses(*, user: Any, perm: str = VIEW) -> QuerySet[RiskStatus]:
    return RiskStatus.objects.restrict(user, perm).select_related("elder")


# ------------------------------------------------------------------------------------------- windows


def interval_days(risk_class: str, tekun: bool, region_code: str, day: date) -> int | None:
    """Days between required visits: by class (policy per region), at most the 特困 interval for 特困."""
    found: list[int] = []
    if risk_class in INTERVAL_KEYS:
        found.append(policy_value(INTERVAL_KEYS[risk_class], region_code, day))
    if tekun:
        found.append(policy_value(TEKUN_INTERVAL, region_code, day))
    return min(found) if found else None


@dataclass
class Window:
    elder_id: int
    region_code: str
    risk_class: str
    start: date
    end: date
    done: bool = False


def windows(region_code: str, period: str, *, statuses: Any = None) -> list[Window]:
    """Every visit window of ``period`` for the classed (or 特困) elders under ``region_code``; an elder
    classed during the month owes visits from that day."""
    first, last = R.month_first(period), R.month_last(period)
    qs = statuses if statuses is not None else RiskStatus.objects.all()
    rows = (
        qs.filter(region_code__startswith=scope_prefix(region_code), elder__status="active")
        .filter(Q(risk_class__in=["A", "B", "C"]) | Q(tekun=True))
        .values_list("elder_id", "region_code", "risk_class", "tekun", "class_since")
    )
    cache: dict[tuple[str, bool, str], int | None] = {}
    out: list[Window] = []
    for elder_id, code, cls, tekun, since in rows:
        start = max(first, since or first)
        if start > last:
            continue
        key = (cls, tekun, code)
        if key not in cache:
            cache[key] = interval_days(cls, tekun, code, first)
        interval = cache[key]
        if interval is None:
            continue
        for a, b in R.slots(start, last, interval):
            out.append(Window(elder_id, code, cls, a, b))
    return out


@dataclass
class Coverage:
    due: int = 0
    done: int = 0
    overdue: int = 0
    elders: int = 0

    @property
    def rate(self) -> float | None:
        return round(self.done / self.due, 4) if self.due else None

    def as_dict(self) -> dict[str, Any]:
        return {"due": self.due, "done": self.done, "overdue": self.overdue, "rate": self.rate}


def region_exists(code: str) -> bool:
    from yiyang.regions.models import Region

    return Region.objects.filter(code=code).exists()


def coverage(region_code: str, period: str, today: date | None = None) -> tuple[Coverage, list[Window]]:
    """Visits due (windows opened by today), done (a visit that reached the elder within the window,
    counted at once) and overdue (closed windows with none) in a region and month."""
    today = today or timezone.localdate()
    first, last = R.month_first(period), R.month_last(period)
    wins = [w for w in windows(region_code, period) if w.start <= min(today, last)]
    seen: dict[int, list[date]] = defaultdict(list)
    for elder_id, at in Visit.objects.filter(
        region_code__startswith=scope_prefix(region_code),
        seen=True,
        visited_at__date__gte=first,
        visited_at__date__lte=last,
    ).values_list("elder_id", "visited_at"):
        seen[elder_id].append(timezone.localtime(at).date())
    total = Coverage(elders=len({w.elder_id for w in wins}))
    for w in wins:
        w.done = any(w.start <= d <= w.end for d in seen.get(w.elder_id, ()))
        total.due += 1
        total.done += w.done
        total.overdue += (not w.done) and w.end < today
    return total, wins


def coverage_by_child(region_code: str, period: str, wins: list[Window], today: date) -> list[dict[str, Any]]:
    """Drill-down: the coverage of each child region (county → street → community)."""
    from yiyang.regions.models import Region

    children = list(Region.objects.filter(parent_id=region_code).order_by("code"))
    out = []
    for child in children:
        prefix = scope_prefix(child.code)
        c = Coverage()
        mine = [w for w in wins if w.region_code.startswith(prefix)]
        c.elders = len({w.elder_id for w in mine})
        for w in mine:
            c.due += 1
            c.done += w.done
            c.overdue += (not w.done) and w.end < today
        out.append({"region": child, "coverage": c})
    return out


# ------------------------------------------------------------------------------------------- lists


def visit_list(*, user: Any, perm: str = VIEW) -> QuerySet[Visit]:
    return Visit.objects.restrict(user, perm).select_related("elder", "visitor")


def visit_get(*, user: Any, public_id: Any, perm: str = VIEW) -> Visit | None:
    return visit_list(user=user, perm=perm).filter(public_id=public_id).first()


def plan_list(*, user: Any, perm: str = VIEW) -> QuerySet[VisitPlan]:
    return VisitPlan.objects.restrict(user, perm)


def plan_items(*, user: Any, perm: str = VIEW) -> QuerySet[PlanItem]:
    return PlanItem.objects.restrict(user, perm).select_related("elder", "visitor")


def my_today(*, user: Any, today: date | None = None) -> list[PlanItem]:
    """The visitor's open visits up to today (overdue first), in route order by the homes' positions."""
    today = today or timezone.localdate()
    items = list(
        PlanItem.objects.restrict(user, "visits.record")
        .filter(visitor=user, status=PlanItemStatus.DUE, slot_start__lte=today)
        .select_related("elder")
        .order_by("slot_end", "pk")[:200]
    )
    return route_order(items)


def route_order(items: list[PlanItem]) -> list[PlanItem]:
    """Nearest-neighbour order from the first overdue home (homes without a position last)."""
    from yiyang.core.geo import haversine_m

    placed = [i for i in items if i.elder.lat is not None and i.elder.lng is not None]
    rest = [i for i in items if i not in placed]
    if not placed:
        return items
    route = [placed.pop(0)]
    while placed:
        here = route[-1].elder
        nxt = min(
            placed,
            key=lambda i: haversine_m(here.lat or 0, here.lng or 0, i.elder.lat or 0, i.elder.lng or 0),
        )
        placed.remove(nxt)
        route.append(nxt)
    return route + rest


def visitor_loads(region_code: str, period: str) -> list[dict[str, Any]]:
    from django.db.models import Count

    rows = (
        PlanItem.objects.filter(region_code__startswith=scope_prefix(region_code), plan__period=period)
        .values("visitor_id", "visitor__display_name")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status__in=[PlanItemStatus.DONE, PlanItemStatus.DONE_LATE])),
        )
        .order_by("-total")
    )
    return [
        {
            "name": r["visitor__display_name"] or "未分配",
            "total": r["total"],
            "done": r["done"],
            "rate": round(r["done"] * 100 / r["total"]) if r["total"] else 0,
        }
        for r in rows
    ]


def visitor_choices(users: list[Any], period: str) -> list[dict[str, Any]]:
    """The visitors one may hand visits to, each with their load in the month (every plan they hold
    visits in): still due, and all; the least loaded first."""
    from django.db.models import Count

    counts: dict[int, Any] = {
        r["visitor_id"]: r
        for r in PlanItem.objects.filter(visitor__in=users, plan__period=period)
        .values("visitor_id")
        .annotate(total=Count("pk"), due=Count("pk", filter=Q(status=PlanItemStatus.DUE)))
    }
    rows = [
        {
            "user": u,
            "name": u.display_name or "探访人",
            "due": counts.get(u.pk, {}).get("due", 0),
            "total": counts.get(u.pk, {}).get("total", 0),
        }
        for u in users
    ]
    return sorted(rows, key=lambda r: (r["due"], r["name"]))


def last_visits(elder_ids: list[int]) -> dict[int, Visit]:
    out: dict[int, Visit] = {}
    for v in Visit.objects.filter(elder_id__in=elder_ids).order_by("elder_id", "-visited_at", "-pk"):
        out.setdefault(v.elder_id, v)
    return out


def campaign_list(*, user: Any, perm: str = VIEW) -> QuerySet[Campaign]:
    return Campaign.objects.restrict(user, perm)


def campaign_unreached(campaign: Campaign) -> QuerySet[CampaignTarget]:
    return (
        campaign.targets.filter(reached_at__isnull=True).select_related("elder").order_by("risk_class", "pk")
    )
