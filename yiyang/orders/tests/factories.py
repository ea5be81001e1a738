"""Builders for order tests: a provider serving a region, a certified caregiver, an item, an elder."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.identifiers import uscc_check_char
from yiyang.elders.models import Elder, ElderContact
from yiyang.orders.models import Order
from yiyang.providers.models import Certificate, Organisation, ServiceItem, Staff

_seq = itertools.count(1)
HOME = (32.3940, 119.4120)


def uscc(n: int) -> str:
    first17 = f"9132100{n:010d}"
    return first17 + uscc_check_char(first17)


def make_provider(region: Any, *, admin: Any = None, name: str = "") -> Organisation:
    n = next(_seq)
    org = Organisation.objects.create(
        name=name or f"测试服务机构{n}", uscc=uscc(n), org_type="home_service", region=region
    )
    org.regions_served.set([region.parent.parent if region.level == "village" else region])
    if admin is not None:
        org.admins.add(admin)
    return org


def make_staff(
    org: Organisation,
    *,
    user: Any = None,
    lat: float = HOME[0],
    lng: float = HOME[1] + 0.005,
    skills: tuple[str, ...] = ("cleaning", "personal_care", "bathing"),
    certified: bool = True,
    name: str = "",
) -> Staff:
    n = next(_seq)
    staff = Staff.objects.create(
        organisation=org,
        name=name or f"护理员{n}",
        user=user,
        skills=list(skills),
        liability_insurance_until=date(2099, 1, 1),
        home_lat=lat,
        home_lng=lng,
        work_start=time(0, 0),
        work_end=time(23, 59, 59),
        work_days="1234567",
    )
    if certified:
        Certificate.objects.create(staff=staff, name="养老护理员", level="四级", valid_until=date(2099, 1, 1))
    return staff


def make_item(
    code: str = "",
    minutes: int = 60,
    price_fen: int = 6000,
    skills: tuple[str, ...] = ("cleaning",),
    category: str = "cleaning",
) -> ServiceItem:
    n = next(_seq)
    return ServiceItem.objects.create(
        code=code or f"T{n:04d}",
        name=f"测试服务{n}",
        category=category,
        standard_minutes=minutes,
        price_fen=price_fen,
        skills_required=list(skills),
    )


def make_elder(
    region: Any, *, family: Any = None, lat: float = HOME[0], lng: float = HOME[1], status: str = "active"
) -> Elder:
    n = next(_seq)
    elder = Elder.objects.create(
        name=f"老人{n}",
        region=region,
        birth_date=date(1940, 1, 1),
        sex="F",
        id_number_enc="x",
        id_number_hash=f"h{n:030d}",
        id_number_masked="3210**********0000",
        lat=lat,
        lng=lng,
        status=status,
    )
    if family is not None:
        ElderContact.objects.create(elder=elder, name="家属", relation="son", user=family)
    return elder


def soon(hours: int = 2) -> datetime:
    return timezone.now() + timedelta(hours=hours)


def make_order(elder: Elder, item: ServiceItem, **fields: Any) -> Order:
    return Order.objects.create(
        elder=elder,
        service_item=item,
        # Half an hour ahead: a check-in "now" is inside the appointment window (no off-schedule flag).
        scheduled_start=fields.pop("scheduled_start", timezone.now() + timedelta(minutes=30)),
        price_fen=item.price_fen,
        confirmation_code="123456",
        **fields,
    )


def make_world(cast: Any, region: Any = None) -> dict[str, Any]:
    region = region or cast.community_a1
    org = make_provider(region)
    item = make_item()
    staff = make_staff(org, user=cast.caregiver if region == cast.community_a1 else None)
    elder = make_elder(region, family=cast.family if region == cast.community_a1 else None)
    return {"org": org, "item": item, "staff": staff, "elder": elder}
