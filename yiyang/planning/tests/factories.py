"""Test helpers: elders at a position, community facilities at a position."""

from __future__ import annotations

from typing import Any

from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import make_elder
from yiyang.orders.tests.factories import uscc
from yiyang.providers.models import Facility, Organisation
from yiyang.regions.models import Region

_n = [900000]


def elder_at(cast: Any, region: Any, lat: float | None, lng: float | None, **kw: Any) -> Elder:
    elder = make_elder(cast, region, **kw)
    Elder.objects.filter(pk=elder.pk).update(lat=lat, lng=lng)
    elder.lat, elder.lng = lat, lng
    return elder


def facility_at(
    region: Any, lat: float, lng: float, *, org_type: str = "station", name: str = "", beds: int = 0
) -> Facility:
    _n[0] += 1
    county = region if region.level == "county" else Region.objects.get(code=region.code[:6] + "000000")
    org = Organisation.objects.create(
        name=name or f"测试养老服务站{_n[0]}", uscc=uscc(_n[0]), org_type=org_type, region=county
    )
    org.regions_served.set([county])
    return Facility.objects.create(
        organisation=org, name=f"{org.name}服务点", address="测试地址", lat=lat, lng=lng, beds_nursing=beds
    )
