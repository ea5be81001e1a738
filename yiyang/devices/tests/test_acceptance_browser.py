"""In a real browser, the acceptance path of issue 13: a simulated SOS press (the vendor's signed webhook)
raises an incident on the operator's console within seconds, without a reload (the console's queue
polls); the family's page shows the alarm; the county's device map lists it live (its alarm list
polls). No inline script runs (CSP), the pages pass axe."""

from __future__ import annotations

import http.client
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login, watch_csp
from yiyang.core.testing import cast_user
from yiyang.devices.services import signature
from yiyang.devices.tests.factories import SECRET, ev, make_device, make_vendor
from yiyang.hotline.models import Incident
from yiyang.hotline.tests.factories import make_shift, phone_elder

pytestmark = pytest.mark.browser


def _tab(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def _press_sos(base_url: str, vendor: str, serial: str) -> dict[str, Any]:
    """The vendor's platform forwards an SOS press to the webhook, signed with its secret."""
    raw = json.dumps(ev(serial, "sos")).encode()
    where = urlsplit(base_url)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=15)
    headers = {
        "Content-Type": "application/json",
        "X-Yiyang-Vendor": vendor,
        "X-Yiyang-Signature": signature(SECRET, raw),
    }
    try:
        conn.request("POST", "/api/v1/device-events/", body=raw, headers=headers)
        response = conn.getresponse()
        assert response.status == 202
        return dict(json.loads(response.read()))
    finally:
        conn.close()


def test_sos_press_reaches_console_family_and_county_map(browser: Any, live_server: Any, cast: Any) -> None:
    url = live_server.url
    operator = cast_user("cast_operator_a", "operator", cast.county_a)
    make_shift(operator, cast.county_a, starts_at=timezone.now() - timedelta(hours=1))
    elder = phone_elder(cast.community_a1, family=cast.family)
    vendor = make_vendor("sos-vendor")
    device = make_device(cast.community_a1, "sos_button", elder=elder, vendor=vendor)

    desk, console = _tab(browser)
    seen = watch_csp(console)
    browser_login(console, url, "cast_operator_a", cast.password)
    console.goto(f"{url}/hotline/")
    assert elder.name not in console.get_by_test_id("queue-incidents").inner_text()

    office, county = _tab(browser)
    county_seen = watch_csp(county)
    browser_login(county, url, "cast_county_a", cast.password)
    county.goto(f"{url}/devices/map/")
    assert county.get_by_test_id("live-count").inner_text() == "0"
    assert_accessible(county)

    assert _press_sos(url, vendor.code, device.serial) == {"accepted": 1, "duplicates": 0}

    # Neither page is reloaded: the console's queue and the map's alarm list fetch themselves.
    console.get_by_test_id("queue-incidents").get_by_text(elder.name).wait_for(timeout=12000)
    incident = Incident.objects.get(elder=elder)
    assert incident.status == "open" and incident.source == "device"
    assert "设备" in console.get_by_test_id("queue-incidents").inner_text()
    county.get_by_test_id("map-live-alarm").first.wait_for(timeout=12000)
    row = county.get_by_test_id("map-live-alarm").first.inner_text()
    assert elder.name in row and "一键呼叫" in row and "已转紧急呼援" in row
    assert county.get_by_test_id("live-count").inner_text() == "1"
    assert_accessible(county)
    # The device's page: the alarm and the event it came from; the installation form passes axe.
    county.goto(f"{url}/devices/{device.public_id}/")
    assert "一键呼叫" in county.content() and "推送接口" in county.content()
    assert_accessible(county)

    home, family = _tab(browser)
    family_seen = watch_csp(family)
    browser_login(family, url, "cast_family", cast.password)
    family.goto(f"{url}/services/family/")
    shown = family.get_by_test_id("family-alarms").inner_text()
    assert elder.name in shown and "一键呼叫" in shown and "待确认" in shown
    assert_accessible(family)
    for watched in (seen, county_seen, family_seen):
        assert watched == {"csp": [], "dialogs": [], "errors": []}
    for context in (desk, office, home):
        context.close()
