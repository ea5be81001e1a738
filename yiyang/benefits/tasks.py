from __future__ import annotations

from typing import Any

from yiyang.core.jobs import recorded_job


@recorded_job(
    "yiyang.benefits.tasks.benefits_enrolment_sweep", "津贴补贴免申即享：每月筛查下月符合条件的老人"
)
def benefits_enrolment_sweep() -> dict[str, Any]:
    """The monthly 免申即享 sweep (scheduled on the 1st, before the month's runs): each county of the city
    in its own transaction, so elders qualifying next month are enrolled or proposed to the street."""
    from yiyang.benefits.services import enrolment_sweep
    from yiyang.core.jobs import city_code
    from yiyang.core.regioncodes import scope_prefix
    from yiyang.regions.models import Region
    from yiyang.regions.scope import SYSTEM

    counties = Region.objects.filter(level="county", code__startswith=scope_prefix(city_code()))
    enrolled = sum(
        enrolment_sweep(actor=SYSTEM, region_code=code) for code in counties.values_list("code", flat=True)
    )
    return {"created": enrolled}
