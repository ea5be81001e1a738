"""Builders for hotline tests: elders with a phone, incidents, work orders, an integration."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.identifiers import mask_phone
from yiyang.core.pii import encrypt
from yiyang.elders.identity import phone_index
from yiyang.elders.models import ElderContact
from yiyang.hotline.models import Call, Incident, Integration, Shift, WorkOrder
from yiyang.hotline.selectors import key_hash
from yiyang.orders.tests.factories import make_elder

_seq = itertools.count(1)


def phone_elder(region: Any, phone: str = "", *, family: Any = None) -> Any:
    elder = make_elder(region, family=family)
    phone = phone or f"139{next(_seq):08d}"
    elder.phone_enc = encrypt(phone)
    elder.phone_hash = phone_index(phone)
    elder.phone_masked = mask_phone(phone)
    elder.address_enc = encrypt("文昌路 100 号 3 栋 201")
    elder.address_masked = "文昌路 10****"
    elder.save()
    ElderContact.objects.create(
        elder=elder,
        name="女儿",
        relation="daughter",
        phone_enc=encrypt("13700000001"),
        phone_masked="137****0001",
        is_emergency=True,
    )
    return elder


def make_incident(region: Any, status: str = "open", **fields: Any) -> Incident:
    elder = fields.pop("elder", None) or phone_elder(region)
    now = timezone.now()
    return Incident.objects.create(
        elder=elder,
        kind="sos",
        source="page",
        status=status,
        opened_at=fields.pop("opened_at", now - timedelta(minutes=10)),
        region_code=elder.region_id,
        **fields,
    )


def make_call(region: Any) -> Call:
    return Call.objects.create(
        direction="in",
        kind="consultation",
        number_enc=encrypt("13900000000"),
        number_hash="",
        number_masked="139****0000",
        started_at=timezone.now(),
        region_code=region.code,
    )


def make_integration(region: Any, *, key: str = "", callback_url: str = "") -> tuple[Integration, str]:
    key = key or f"yy12345_test{next(_seq)}"
    city = region.code[:4].ljust(12, "0")
    return (
        Integration.objects.create(
            name="12345 热线",
            region_code=city,
            key_prefix=key[:12],
            key_hash=key_hash(key),
            callback_url=callback_url,
        ),
        key,
    )


def make_work_order(region: Any, status: str = "accepted", **fields: Any) -> WorkOrder:
    return WorkOrder.objects.create(
        source="call",
        title=f"工单{next(_seq)}",
        content="老人反映楼道灯坏了",
        status=status,
        region_code=region.code,
        deadline=fields.pop("deadline", timezone.now() + timedelta(hours=48)),
        handler_name=fields.pop("handler_name", "文昌社区" if status != "accepted" else ""),
        **fields,
    )


def make_shift(user: Any, region: Any, role: str = "operator", **fields: Any) -> Shift:
    now = timezone.now()
    return Shift.objects.create(
        user=user,
        role=role,
        starts_at=fields.pop("starts_at", now - timedelta(hours=1)),
        ends_at=fields.pop("ends_at", now + timedelta(hours=7)),
        region_code=region.code,
        **fields,
    )


def make_care_home(
    region: Any, *, name: str = "", serves: Any = None, lat: float = 32.40, lng: float = 119.43
) -> Any:
    """A care home (养老机构) registered in ``region``'s county with one facility; ``serves`` adds a
    region it serves."""
    from yiyang.orders.tests.factories import make_provider
    from yiyang.providers.models import Facility

    org = make_provider(region, name=name or f"测试养老院{next(_seq)}")
    org.org_type = "care_home"
    org.grade = "3"
    org.phone = "0514-87000000"
    org.address = "文昌中路 1 号"
    org.save()
    if serves is not None:
        org.regions_served.add(serves)
    Facility.objects.create(
        organisation=org,
        name=f"{org.name}（本院）",
        address="文昌中路 1 号",
        lat=lat,
        lng=lng,
        beds_ordinary=80,
        beds_nursing=40,
        beds_dementia=10,
    )
    return org


def make_appointment(region: Any, **fields: Any) -> Any:
    from yiyang.hotline.models import Appointment

    call = make_call(region)
    now = timezone.now()
    return Appointment.objects.create(
        call=call,
        person_name="张三",
        place="市第一人民医院",
        at=fields.pop("at", now + timedelta(hours=20)),
        remind_at=fields.pop("remind_at", now - timedelta(minutes=1)),
        region_code=region.code,
        **fields,
    )
