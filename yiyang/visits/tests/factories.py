"""Test helpers of 探访关爱: elders with the facts the rules read, visitors, visits."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.testing import cast_user
from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import id_number, make_elder

_seq = itertools.count(1)


def born(age: int) -> date:
    """A birth date giving ``age`` completed years today (a day after the birthday)."""
    today = timezone.localdate()
    return (
        date(today.year - age, 1, 1)
        if (today.month, today.day) != (1, 1)
        else date(today.year - age - 1, 1, 1)
    )


def elder(
    cast: Any,
    region: Any = None,
    *,
    age: int = 75,
    living: str = "with_children",
    categories: list[Any] | None = None,
    disabled: bool = False,
    lat: float | None = 32.39,
    lng: float | None = 119.42,
) -> Elder:
    region = region or cast.community_a1
    e = make_elder(
        cast,
        region,
        name=f"探访老人{'甲乙丙丁戊己庚辛壬癸'[next(_seq) % 10]}{next(_seq)}",
        id_number=id_number(address=region.code[:6], birth=born(age)),
        living_situation=living,
        categories=categories or [],
        lat=lat,
        lng=lng,
    )
    if disabled:
        Elder.objects.filter(pk=e.pk).update(disabled_moderate_plus=True, capability_level=3)
        e.refresh_from_db()
    return e


def volunteer(cast: Any, name: str = "vol_a1", region: Any = None) -> Any:
    key = f"volunteer:{name}"
    if key not in cast.extra:
        cast.extra[key] = cast_user(name, "volunteer", region or cast.community_a1)
    return cast.extra[key]


def make_visit(
    cast: Any, e: Elder, *, seen: bool = True, hazards: list[str] | None = None, days_ago: int = 0
) -> Any:
    from yiyang.visits.services import visit_record

    return visit_record(
        actor=cast.community_worker_a1 if e.region_id.startswith("321002") else cast.county_admin_b,
        elder=e,
        method="phone",
        visited_at=timezone.now() - timedelta(days=days_ago),
        seen=seen,
        findings={"health": "good", "hazards": hazards or []},
    )


def a_elder(cast: Any, region: Any) -> Elder:
    """An A-class elder (alone, 85) in ``region``."""
    return elder(cast, region, age=85, living="alone")


def plan_for_reassign(cast: Any, region: Any = None) -> dict[str, Any]:
    """A community's plan of this month with an A-class elder's due visits, two volunteers of the
    community (beside its worker, if any), and a visitor who does not hold the visits yet (to reassign
    them to)."""
    from yiyang.regions.scope import SYSTEM
    from yiyang.visits.services import plan_generate, visitors_of

    region = region or cast.community_a1
    a_elder(cast, region)
    volunteer(cast, f"vol_{region.code}", region)
    volunteer(cast, f"vol2_{region.code}", region)
    plan = plan_generate(actor=SYSTEM, region_code=region.code, period=timezone.localdate().strftime("%Y-%m"))
    items = list(plan.items.filter(status="due").order_by("slot_start", "pk"))
    holder = items[0].visitor_id
    other = next(u for u in visitors_of(region.code) if u.pk != holder)
    return {"plan": plan, "items": [str(i.public_id) for i in items], "visitor": other}


def reassign_body(plan: Any) -> dict[str, Any]:
    """A valid reassignment of ``plan``'s due visits: to a visitor of its community not holding the first."""
    from yiyang.visits.services import visitors_of

    items = list(plan.items.filter(status="due").order_by("slot_start", "pk"))
    other = next(u for u in visitors_of(plan.region_code) if u.pk != items[0].visitor_id)
    return {
        "items": [str(i.public_id) for i in items],
        "visitor": str(other.public_id),
        "reason": "网格员休假，改由志愿者探访",
    }
