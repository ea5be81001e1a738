"""The API contract of issue 13: the signed webhook, devices and alarms, SOS → incident."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from yiyang.devices.models import Alarm, Device, DeviceEvent
from yiyang.devices.tests.factories import SECRET, ev, make_device, make_vendor, signed_post
from yiyang.hotline.models import Incident, IncidentEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Any) -> Any:
    vendor = make_vendor("acme")
    device = make_device(cast.community_a1, "sos_button", vendor=vendor)
    return vendor, device


def test_signed_event_is_accepted_with_202_and_counts(
    api: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vendor, device = world
    with django_capture_on_commit_callbacks(execute=True):
        r = signed_post(api, vendor, ev(device.serial))
    assert r.status_code == 202 and r.json() == {"accepted": 1, "duplicates": 0}
    assert DeviceEvent.objects.get().processed_at is not None


def test_same_event_id_again_is_a_duplicate_and_changes_nothing(api: Any, world: Any) -> None:
    vendor, device = world
    body = ev(device.serial, "sos")
    assert signed_post(api, vendor, body).json() == {"accepted": 1, "duplicates": 0}
    before = (DeviceEvent.objects.count(), Alarm.objects.count(), Incident.objects.count())
    r = signed_post(api, vendor, [body, ev(device.serial)])
    assert r.status_code == 202 and r.json() == {"accepted": 1, "duplicates": 1}
    assert DeviceEvent.objects.count() == before[0] + 1


@pytest.mark.parametrize("bad", ["wrong", "", "sha256=00"])
def test_bad_signature_is_401_and_stores_nothing(api: Any, world: Any, bad: str) -> None:
    vendor, device = world
    data = json.dumps(ev(device.serial)).encode()
    r = api.post(
        "/api/v1/device-events/",
        data=data,
        content_type="application/json",
        HTTP_X_YIYANG_VENDOR=vendor.code,
        HTTP_X_YIYANG_SIGNATURE=bad,
    )
    assert r.status_code == 401 and DeviceEvent.objects.count() == 0


def test_signature_with_another_secret_or_unknown_vendor_is_401(api: Any, world: Any) -> None:
    vendor, device = world
    assert signed_post(api, vendor, ev(device.serial), secret="other").status_code == 401
    vendor.code = "nobody-vendor"
    assert signed_post(api, vendor, ev(device.serial), secret=SECRET).status_code == 401


def test_malformed_json_is_400(api: Any, world: Any) -> None:
    vendor, _ = world
    r = signed_post(api, vendor, None, raw=b'{"event_id": ')
    assert r.status_code == 400 and DeviceEvent.objects.count() == 0


@pytest.mark.parametrize("field", ["event_id", "serial", "type", "ts"])
def test_missing_field_is_400_naming_it_and_nothing_of_the_batch_is_stored(
    api: Any, world: Any, field: str
) -> None:
    vendor, device = world
    broken = ev(device.serial)
    del broken[field]
    r = signed_post(api, vendor, [ev(device.serial), ev(device.serial), broken])
    assert r.status_code == 400
    assert f"[2].{field}" in r.json()["errors"]
    assert DeviceEvent.objects.count() == 0


def test_ts_without_offset_is_refused(api: Any, world: Any) -> None:
    vendor, device = world
    r = signed_post(api, vendor, ev(device.serial, ts=None) | {"ts": "2026-11-30T08:00:00"})
    assert r.status_code == 400 and "ts" in r.json()["errors"]


def test_batch_of_1000_accepted_and_1001_refused(api: Any, world: Any) -> None:
    vendor, device = world
    assert signed_post(api, vendor, [ev(device.serial) for _ in range(1001)]).status_code == 400
    assert DeviceEvent.objects.count() == 0
    r = signed_post(api, vendor, [ev(device.serial) for _ in range(1000)])
    assert r.status_code == 202 and r.json()["accepted"] == 1000


def test_unknown_serial_is_stored_listed_and_attached_on_registration(
    api: Any, cast: Any, world: Any
) -> None:
    vendor, _ = world
    assert signed_post(api, vendor, ev("NEW-0001", "heartbeat")).status_code == 202
    row = DeviceEvent.objects.get(serial="NEW-0001")
    assert row.device is None
    from django.test import Client

    browser = Client()
    browser.force_login(cast.city_admin)  # an unregistered serial is the vendor's city's
    page = browser.get("/devices/")
    assert (
        page.status_code == 200
        and "未登记设备" in page.content.decode()
        and "NEW-0001" in page.content.decode()
    )
    from yiyang.devices.services import device_register
    from yiyang.hotline.tests.factories import phone_elder

    device = device_register(
        actor=cast.county_admin_a,
        vendor=vendor,
        serial="NEW-0001",
        type="door",
        elder=phone_elder(cast.community_a1),
    )
    row.refresh_from_db()
    assert row.device == device and row.region_code == device.region_code


def test_late_event_keeps_its_own_timestamp(
    api: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vendor, device = world
    then = timezone.now() - timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert signed_post(api, vendor, ev(device.serial, "sos", ts=then)).status_code == 202
    assert abs((DeviceEvent.objects.get().ts - then).total_seconds()) < 1
    assert abs((Alarm.objects.get().raised_at - then).total_seconds()) < 1


def test_sos_opens_an_incident_and_a_second_sos_joins_it(
    api_as: Any, api: Any, cast: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vendor, device = world
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(api, vendor, ev(device.serial, "sos"))
    elder = device.elder
    r = api_as(cast.county_admin_a).get(f"/api/v1/incidents/?elder={elder.public_id}&status=open")
    assert r.status_code == 200 and len(r.json()["results"]) == 1
    incident = Incident.objects.get()
    assert incident.source == "device"
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(api, vendor, ev(device.serial, "sos"))
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.filter(incident=incident).count() == 2  # opened + joined
    alarm = Alarm.objects.get()
    assert alarm.incident == incident and alarm.repeats == 1


def test_devices_list_filters_and_fields(api_as: Any, cast: Any, world: Any) -> None:
    vendor, device = world
    make_device(cast.community_a1, "water_meter", elder=device.elder, vendor=vendor)
    make_device(cast.community_b1, "water_meter", vendor=vendor)
    c = api_as(cast.county_admin_a)
    rows = c.get(f"/api/v1/devices/?elder={device.elder.public_id}&type=sos_button").json()  # a plain list
    assert len(rows) == 1
    assert {"id", "serial", "type", "vendor", "elder", "status", "last_heartbeat"} <= set(rows[0])
    assert rows[0]["vendor"] == "acme" and rows[0]["elder"] == str(device.elder.public_id)
    assert (
        len(c.get("/api/v1/devices/?type=water_meter").json()["results"]) == 1
    )  # county B's is out of scope
    assert c.get("/api/v1/devices/?type=kettle").status_code == 400
    assert c.get("/api/v1/devices/?elder=").status_code == 400


def test_device_create_by_county_admin(api_as: Any, cast: Any, world: Any) -> None:
    _vendor, device = world
    body = {"serial": "SOS-77", "type": "sos_button", "vendor": "acme", "elder": str(device.elder.public_id)}
    r = api_as(cast.county_admin_a).post("/api/v1/devices/", body, format="json")
    assert r.status_code == 201 and r.json()["serial"] == "SOS-77"
    assert api_as(cast.county_admin_a).post("/api/v1/devices/", body, format="json").status_code == 409
    assert (
        api_as(cast.county_admin_b)
        .post("/api/v1/devices/", {**body, "serial": "X1"}, format="json")
        .status_code
        == 404
    )
    assert (
        api_as(cast.community_worker_a1)
        .post("/api/v1/devices/", {**body, "serial": "X2"}, format="json")
        .status_code
        == 403
    )
    assert not Device.objects.filter(serial__in=["X1", "X2"]).exists()


def test_alarms_list_fields_and_kinds(
    api: Any, api_as: Any, cast: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    vendor, device = world
    with django_capture_on_commit_callbacks(execute=True):
        signed_post(api, vendor, ev(device.serial, "sos"))
    rows = api_as(cast.county_admin_a).get(f"/api/v1/alarms/?elder={device.elder.public_id}").json()
    assert len(rows) == 1
    assert {"id", "kind", "severity", "status", "device", "raised_at", "message", "incident"} <= set(rows[0])
    assert rows[0]["kind"] == "sos" and rows[0]["incident"] is not None
    assert api_as(cast.county_admin_b).get(f"/api/v1/alarms/?elder={device.elder.public_id}").json() == []
