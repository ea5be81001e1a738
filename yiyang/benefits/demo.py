"""Demo benefits: the city's default programmes (高龄津贴 by age band, 养老服务补贴 as a service credit)
and the 免申即享 sweep of both demo counties, so the county admin can run this month's age allowance
and the street finds 养老服务补贴 proposals to confirm. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiyang.benefits.rules import month_of
from yiyang.benefits.services import enrolment_sweep, programme_seed_defaults
from yiyang.demo.city import CITY, COUNTY_A, COUNTY_B
from yiyang.regions.scope import SYSTEM


def seed(ctx: Any) -> str:
    today = timezone.localdate()
    this_month = month_of(today)
    made = programme_seed_defaults(
        actor=SYSTEM, region_code=CITY, valid_from=f"{today.year}-01", first_month=this_month
    )
    # Recognised at the end of last month: payment starts this month.
    as_of = today.replace(day=1) - timedelta(days=1)
    enrolled = sum(enrolment_sweep(actor=SYSTEM, region_code=c, as_of=as_of) for c in (COUNTY_A, COUNTY_B))
    return f"{made} 项津贴补贴政策，{enrolled} 人纳入（免申即享）"
