"""Builders for device tests: a vendor with a known secret, devices for elders, events, alarms."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

from django.utils import timezone

from yiyang.core.pii import encrypt
from yiyang.devices.models import Alarm, Device, DeviceEvent, Vendor
from yiyang.devices.services import signature
from yiyang.hotline.tests.factories import phone_elder

_seq = itertools.count(1)
SECRET = "test-secret-对接"


def make_vendor(code: str = "", region_code: str = "321000000000") -> Vendor:
    code = code or f"vendor{next(_seq)}"
    vendor = Vendor.objects.filter(code=code).first()
    return vendor or Vendor.objects.create(
        code=code, name=f"厂商{code}", region_code=region_code, secret_enc=encrypt(SECRET)
    )


def make_device(
    region: Any, type: str = "sos_button", *, elder: Any = None, vendor: Vendor | None = None, **fields: Any
) -> Device:
    elder = elder or phone_elder(region)
    vendor = vendor or make_vendor()
    return Device.objects.create(
        vendor=vendor,
        serial=fields.pop("serial", f"SN{next(_seq):08d}"),
        type=type,
        elder=elder,
        region_code=elder.region_id,
        **fields,
    )


def make_alarm(region: Any, status: str = "raised", **fields: Any) -> Alarm:
    device = fields.pop("device", None) or make_device(region, "smoke")
    return Alarm.objects.create(
        elder=device.elder,
        device=device,
        kind=fields.pop("kind", "smoke"),
        severity="critical",
        status=status,
        message="烟雾报警器报告「烟雾」",
        dedupe_key=f"smoke:device:{device.pk}:{next(_seq)}",
        raised_at=timezone.now(),
        region_code=device.region_code,
        **fields,
    )


def make_event(
    device: Device, type: str = "heartbeat", ts: datetime | None = None, value: Any = None
) -> DeviceEvent:
    return DeviceEvent.objects.create(
        vendor=device.vendor,
        event_id=f"ev{next(_seq)}",
        serial=device.serial,
        device=device,
        type=type,
        ts=ts or timezone.now(),
        value=value,
        region_code=device.region_code,
    )


def ev(
    serial: str, type: str = "heartbeat", ts: datetime | None = None, value: Any = None, **extra: Any
) -> dict[str, Any]:
    body = {"event_id": extra.pop("event_id", f"e{next(_seq)}"), "serial": serial, "type": type}
    body["ts"] = (ts or timezone.now()).isoformat()
    if value is not None:
        body["value"] = value
    body.update(extra)
    return body


def signed_post(
    client: Any, vendor: Vendor, body: Any, *, secret: str = SECRET, raw: bytes | None = None
) -> Any:
    data = raw if raw is not None else json.dumps(body).encode()
    return client.post(
        "/api/v1/device-events/",
        data=data,
        content_type="application/json",
        HTTP_X_YIYANG_VENDOR=vendor.code,
        HTTP_X_YIYANG_SIGNATURE=signature(secret, data),
    )


def id_elder(region: Any) -> tuple[Any, str]:
    """An elder findable by a valid ID number (the vendor's delivery list names elders by it)."""
    from yiyang.elders.identity import id_number_index
    from yiyang.elders.tests.factories import id_number

    elder = phone_elder(region)
    number = id_number(address=region.code[:6])
    elder.id_number_hash = id_number_index(number)
    elder.save(update_fields=["id_number_hash"])
    return elder, number
