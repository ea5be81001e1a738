"""Test helpers: elders of given ages in the cast's regions (through the register's own service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from yiyang.elders.tests.factories import id_number, make_elder


def born_years_ago(years: int, days: int = 10) -> date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day.fromordinal(day.toordinal() - days)


def elder_aged(cast: Any, region: Any, years: int, **kw: Any) -> Any:
    birth = born_years_ago(years)
    return make_elder(cast, region, id_number=id_number(address=region.code[:6], birth=birth), **kw)


def populate(cast: Any) -> dict[str, Any]:
    """County A: five elders 60+ of whom two are 80+, one of them moved out; county B: three, one 80+."""
    from yiyang.elders.services import elder_change_status

    a = [elder_aged(cast, cast.community_a1, y) for y in (61, 70, 75, 81, 90)]
    gone = elder_aged(cast, cast.community_a1, 85)
    elder_change_status(
        actor=cast.county_admin_a,
        elder=gone,
        status="moved_out",
        effective_date=timezone.localdate(),
        reason="迁出",
    )
    b = [elder_aged(cast, cast.community_b1, y) for y in (65, 66, 82)]
    return {"a": a, "gone": gone, "b": b}
