"""The demo's devices and the ``devices`` entry of var/demo_integrations.json."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from yiyang.devices import demo
from yiyang.devices.integrations import integrations_path, integrations_update
from yiyang.devices.models import Device
from yiyang.devices.services import signature, signature_ok
from yiyang.hotline.tests.factories import phone_elder

pytestmark = pytest.mark.django_db


def test_integrations_entry_keeps_other_keys(cast: Any) -> None:
    integrations_update("hotline_12345", {"api_key": "k"})
    path = integrations_update("devices", {"vendor": "v"})
    assert json.loads(path.read_text()) == {"hotline_12345": {"api_key": "k"}, "devices": {"vendor": "v"}}


def test_demo_homes_have_their_devices_and_the_entry_works(cast: Any) -> None:
    elders = [phone_elder(cast.community_a1) for _ in range(12)]
    for e in elders[:4]:
        e.living_situation = "alone"
        e.save()
    summary = demo.seed(SimpleNamespace(seed=1))
    assert "12 户" in summary
    entry = json.loads(integrations_path().read_text())["devices"]
    assert set(entry) == {"vendor", "webhook_secret", "mqtt_url", "topic_prefix"}
    assert entry["topic_prefix"] == f"yiyang/{entry['vendor']}"
    for e in elders:
        types = set(Device.objects.filter(elder=e).values_list("type", flat=True))
        expected = {"sos_button", "water_meter"} | (
            {"door", "electricity_meter"} if e.living_situation == "alone" else set()
        )
        assert types == expected
    vendor = Device.objects.first().vendor  # type: ignore[union-attr]
    assert signature_ok(
        vendor,
        b"{}",
        signature(entry["webhook_secret"], b"{}"),
    )
    assert demo.seed(SimpleNamespace(seed=1)).startswith("演示设备已存在")  # re-runnable
    assert json.loads(integrations_path().read_text())["devices"] == entry
