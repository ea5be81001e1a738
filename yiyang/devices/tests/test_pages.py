"""Pages: the register with the vendor's .xlsx import, the alarm queue and card, the county map and its
data, the family card, the elder's devices tab, the away form."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook

from yiyang.devices.models import Alarm, AwayPeriod, Device
from yiyang.devices.tests.factories import id_elder, make_alarm, make_device, make_vendor
from yiyang.hotline.tests.factories import phone_elder

pytestmark = pytest.mark.django_db


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx(rows: list[list[Any]]) -> io.BytesIO:
    wb = Workbook()
    ws: Any = wb.active
    ws.append(["序列号", "设备类型", "老人身份证号", "安装日期", "安装人"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "delivery.xlsx"
    return buf


def test_xlsx_delivery_list_registers_all_or_nothing(cast: Any) -> None:
    vendor = make_vendor("xl")
    elder, number = id_elder(cast.community_a1)
    c = _login(cast.county_admin_a)
    bad = _xlsx(
        [["XL-1", "一键呼叫器", number, "2026-11-01", "王师傅"], ["XL-2", "热水壶", number, None, ""]]
    )
    r = c.post("/devices/", {"op": "import", "vendor": str(vendor.public_id), "file": bad})
    assert r.status_code == 400 and "第3行 设备类型" in r.content.decode()
    assert not Device.objects.exists()
    good = _xlsx(
        [["XL-1", "一键呼叫器", number, "2026-11-01", "王师傅"], ["XL-2", "water_meter", number, None, ""]]
    )
    r = c.post("/devices/", {"op": "import", "vendor": str(vendor.public_id), "file": good})
    assert r.status_code == 302
    assert set(Device.objects.filter(elder=elder).values_list("serial", "type")) == {
        ("XL-1", "sos_button"),
        ("XL-2", "water_meter"),
    }


def test_alarm_queue_and_card_show_labels_not_codes(cast: Any) -> None:
    alarm = make_alarm(cast.community_a1)
    c = _login(cast.community_worker_a1)
    page = c.get("/devices/alarms/").content.decode()
    assert "烟雾报警" in page and "待确认" in page and "smoke" not in page.replace('value="smoke"', "")
    card = c.get(f"/devices/alarms/{alarm.public_id}/").content.decode()
    assert "确认告警" in card and "时间线" in card
    assert c.post(f"/devices/alarms/{alarm.public_id}/", {"op": "acknowledge"}).status_code == 302
    assert Alarm.objects.get().status == "acknowledged"


def test_map_page_and_live_data(cast: Any) -> None:
    alarm = make_alarm(cast.community_a1)
    make_device(cast.community_b1, "water_meter")
    c = _login(cast.county_admin_a)
    page = c.get("/devices/map/").content.decode()
    assert 'id="map-data"' in page and "devices/map.js" in page and "<script>" not in page
    data = c.get("/devices/map/data/").json()
    assert len(data["homes"]) == 1  # county B's home is not shown
    assert data["homes"][0]["alarms"] == ["烟雾报警"] and data["homes"][0]["name"] == alarm.elder.name  # type: ignore[union-attr]
    assert 'hx-get="/devices/map/live/"' in page and 'hx-trigger="every 5s"' in page
    make_alarm(cast.community_b1)  # county B's: not listed
    live = c.get("/devices/map/live/").content.decode()
    assert live.count('data-testid="map-live-alarm"') == 1 and "烟雾报警" in live
    assert f"/devices/alarms/{alarm.public_id}/" in live and "<html" not in live


def test_family_sees_their_elders_alarms_and_devices(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, family=cast.family)
    elder.living_situation = "alone"
    elder.save()
    device = make_device(cast.community_a1, "smoke", elder=elder)
    make_alarm(cast.community_a1, device=device)
    make_alarm(cast.community_a1)  # another elder's
    page = _login(cast.family).get("/services/family/").content.decode()
    assert page.count('data-testid="family-alarm"') == 1
    assert "烟雾报警器" in page and "登记外出" in page


def test_family_marks_their_elder_away(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, family=cast.family)
    other = phone_elder(cast.community_a1)
    c = _login(cast.family)
    body = {"starts_at": "2026-12-01T08:00", "ends_at": "2026-12-05T08:00", "reason": "去女儿家"}
    assert c.post("/devices/away/", {**body, "elder": str(elder.public_id)}).status_code == 302
    assert c.post("/devices/away/", {**body, "elder": str(other.public_id)}).status_code == 404
    assert list(AwayPeriod.objects.values_list("elder_id", flat=True)) == [elder.pk]


def test_elder_page_has_a_devices_tab(cast: Any) -> None:
    device = make_device(cast.community_a1, "door")
    c = _login(cast.county_admin_a)
    page = c.get(f"/elders/{device.elder.public_id}/?tab=devices").content.decode()  # type: ignore[union-attr]
    assert "智能设备" in page and device.serial in page and "门磁" in page


def test_provider_sees_the_alarms_of_the_elders_it_serves(cast: Any) -> None:
    from yiyang.core.testing import cast_user
    from yiyang.orders.tests.factories import make_item, make_order, make_provider

    admin = cast_user("dev_provider_admin", "provider_admin", cast.county_a)
    org = make_provider(cast.community_a1, admin=admin)
    served = make_alarm(cast.community_a1)
    other = make_alarm(cast.community_a1)
    make_order(served.elder, make_item(), provider=org, region_code=served.elder.region_id)  # type: ignore[arg-type,union-attr]
    page = _login(admin).get("/devices/alarms/").content.decode()
    assert f"/devices/alarms/{served.public_id}/" in page
    assert f"/devices/alarms/{other.public_id}/" not in page
    assert "确认告警" not in page  # reads only


def test_installation_record_with_photo_shown_on_the_device_page(cast: Any, settings: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yiyang.devices.models import Installation
    from yiyang.renovation.tests.factories import png

    device = make_device(cast.community_a1, "door")
    c = _login(cast.county_admin_a)
    url = f"/devices/{device.public_id}/"
    page = c.get(url).content.decode()
    assert "尚无安装记录" in page and "记录安装" in page and device.serial in page
    photo = SimpleUploadedFile("门磁.png", png(), content_type="image/png")
    body = {"installed_on": "2026-11-20", "installed_by": "王师傅", "notes": "门框右上", "photo": photo}
    assert c.post(url, body).status_code == 302
    record = Installation.objects.get(device=device)
    name = str(record.photo.name)
    assert name.endswith(".png") and "门磁" not in name  # a random name
    device.refresh_from_db()
    assert str(device.installed_on) == "2026-11-20" and device.installed_by == "王师傅"
    page = c.get(url).content.decode()
    photo_url = f"/devices/{device.public_id}/installations/{record.pk}/photo/"
    assert "王师傅" in page and "门框右上" in page and photo_url in page
    served = c.get(photo_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    assert _login(cast.county_admin_b).get(photo_url).status_code == 404  # another county's device
    assert Client().get(photo_url).status_code == 302  # to the login page

    # Not a photo, or too large: 400 naming the field, nothing recorded.
    fake = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    bad = c.post(url, {**body, "photo": fake})
    assert bad.status_code == 400 and "只能上传 JPEG、PNG 或 WebP 格式的照片" in bad.content.decode()
    settings.YIYANG_PHOTO_MAX_BYTES = 100
    big = SimpleUploadedFile("y.png", png(), content_type="image/png")
    assert "照片不能超过" in c.post(url, {**body, "photo": big}).content.decode()
    future = c.post(url, {**body, "installed_on": "2999-01-01", "photo": ""})
    assert future.status_code == 400 and "安装日期不能晚于今天" in future.content.decode()
    for raw, said in [("2026-02-30", "安装日期格式不正确"), ("", "请填写安装日期")]:
        refused = c.post(url, {**body, "installed_on": raw, "photo": ""})
        assert refused.status_code == 400 and said in refused.content.decode(), raw
    assert Installation.objects.count() == 1
    assert f'href="{url}"' in c.get("/devices/").content.decode()
