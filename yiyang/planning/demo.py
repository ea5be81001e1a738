"""Demo data of the elderly-care map: community service facilities (stations, day-care centres,
canteens) at the centres of every third community of the demo city, so the 15-minute circle has covered
and uncovered communities to show. Idempotent: a community that has its facility is skipped."""

from __future__ import annotations

from typing import Any

from yiyang.providers.demo import _uscc
from yiyang.providers.models import Facility
from yiyang.providers.services import facility_create, organisation_create
from yiyang.regions.models import Region
from yiyang.regions.scope import SYSTEM

TYPES = [("station", "养老服务站"), ("day_care", "日间照料中心"), ("canteen", "老年食堂")]


def seed(ctx: Any) -> str:
    made = 0
    for n, community in enumerate(ctx.city.all_communities()):
        if n % 3 or community.lat is None or community.lng is None:
            continue
        org_type, kind = TYPES[(n // 3) % len(TYPES)]
        name = f"{community.name}{kind}"
        if Facility.objects.filter(name=name).exists():
            continue
        county = Region.objects.get(code=community.code[:6] + "000000")
        org = organisation_create(
            actor=SYSTEM,
            name=name,
            uscc=_uscc(f"52{county.code[:6]}MJ", ctx.rng),
            org_type=org_type,
            region=county,
            regions_served=[community.parent_id],
            address=f"{county.name}{community.name}党群服务中心一楼",
        )
        facility_create(
            actor=SYSTEM,
            organisation=org,
            name=name,
            address=org.address,
            lat=round(community.lat + ctx.rng.uniform(-0.002, 0.002), 6),
            lng=round(community.lng + ctx.rng.uniform(-0.002, 0.002), 6),
            area_m2=ctx.rng.choice([200, 300, 450]),
            beds_ordinary=ctx.rng.choice([0, 0, 4, 6]),
        )
        made += 1
    return f"社区养老服务设施 {made} 处（每三个社区一处，供 15 分钟服务圈演示）"
