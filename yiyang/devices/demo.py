"""Demo devices: a vendor whose details go to ``var/demo_integrations.json`` (key ``devices``), and in
the demo county (广陵区) at least ten homes with an SOS button and a water meter — the family account's
elders first — the ones living alone also with a door sensor and an electricity meter, with 14 days of
hourly meter history (so each home has a learned rhythm) and heartbeats up to now."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from yiyang.core.pii import decrypt
from yiyang.devices import services, simulation
from yiyang.devices.integrations import integrations_update
from yiyang.devices.models import Device, DeviceEvent, Vendor
from yiyang.devices.mqtt import broker
from yiyang.elders.models import Elder
from yiyang.regions.scope import SYSTEM

VENDOR = "demo-vendor"
COUNTY = "321002"
HOMES = 12


def seed(ctx: Any) -> str:
    vendor = Vendor.objects.filter(code=VENDOR).first()
    if vendor is None:
        vendor, secret = services.vendor_create(
            actor=SYSTEM, code=VENDOR, name="演示设备厂商", region_code="321000000000"
        )
    else:
        secret = decrypt(vendor.secret_enc)
    integrations_update(
        "devices",
        {
            "vendor": vendor.code,
            "webhook_secret": secret,
            "mqtt_url": broker(settings.MQTT_URL).url,
            "topic_prefix": vendor.topic_prefix,
        },
    )
    if Device.objects.filter(vendor=vendor).exists():
        return f"演示设备已存在（{Device.objects.filter(vendor=vendor).count()} 台），跳过"
    linked = list(
        Elder.objects.filter(
            contacts__user__username="family", status="active", region__code__startswith=COUNTY
        )
        .distinct()
        .order_by("pk")
    )
    alone = list(
        Elder.objects.filter(
            region__code__startswith=COUNTY, status="active", living_situation="alone", lat__isnull=False
        )
        .exclude(pk__in=[e.pk for e in linked])
        .order_by("pk")[:6]
    )
    others = list(
        Elder.objects.filter(region__code__startswith=COUNTY, status="active", lat__isnull=False)
        .exclude(pk__in=[e.pk for e in linked + alone])
        .order_by("pk")[: max(0, HOMES - len(linked) - len(alone))]
    )
    rng = random.Random(ctx.seed)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    n = 0
    history: list[DeviceEvent] = []
    for elder in linked + alone + others:
        types = ["sos_button", "water_meter"]
        if elder.living_situation == "alone":
            types += ["door", "electricity_meter"]
        serials: dict[str, str] = {}
        for t in types:
            n += 1
            serial = f"YY{t[:3].upper()}{elder.pk:06d}{n:03d}"
            device = services.device_register(
                actor=SYSTEM, vendor=vendor, serial=serial, type=t, elder=elder, installed_by="演示安装队"
            )
            serials[t] = serial
            Device.objects.filter(pk=device.pk).update(last_heartbeat=now, battery=rng.randint(60, 100))
        if elder.living_situation == "alone":
            devices = {d.serial: d for d in Device.objects.filter(vendor=vendor, elder=elder)}
            readings = {"water_meter": rng.uniform(20, 200), "electricity_meter": rng.uniform(500, 3000)}
            for body in simulation.home_history(rng, serials, now - timedelta(days=14), 14 * 24, readings):
                d = devices[body["serial"]]
                history.append(
                    DeviceEvent(
                        vendor=vendor,
                        event_id=body["event_id"],
                        serial=d.serial,
                        device=d,
                        type=body["type"],
                        ts=datetime.fromisoformat(body["ts"]),
                        value=body.get("value"),
                        processed_at=now,
                        channel="seed",
                        region_code=d.region_code,
                    )
                )
    DeviceEvent.objects.bulk_create(history, batch_size=1000)
    homes = len(linked) + len(alone) + len(others)
    return f"{homes} 户装有一键呼叫器与水表（独居 {len(alone) + sum(e.living_situation == 'alone' for e in linked + others)} 户另装门磁与电表），{len(history)} 条历史读数"
