"""In a real browser, the acceptance loop of issue 6: the dispatcher dispatches from the candidates page;
the caregiver, on a phone-sized screen with the phone's location, accepts, sees the address (audited),
checks in at the door and checks out; the family confirms and rates in elder mode; the county admin
settles the month, exports it (a real .xlsx) and asking again settles nothing twice."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login
from yiyang.audit.models import AuditEvent
from yiyang.orders.models import Order, SettlementLine
from yiyang.orders.tests.factories import HOME, make_order, make_world

pytestmark = pytest.mark.browser


def _context(browser: Any, **options: Any) -> Any:
    context = browser.new_context(locale="zh-CN", **options)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def test_dispatch_serve_confirm_rate_settle_and_export(browser: Any, live_server: Any, cast: Any) -> None:
    from openpyxl import load_workbook

    world = make_world(cast)
    tomorrow = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1)
    order = make_order(world["elder"], world["item"], scheduled_start=tomorrow)
    url = live_server.url

    desk, page = _context(browser, viewport={"width": 1280, "height": 900})
    browser_login(page, url, "cast_county_a", cast.password)
    page.goto(f"{url}/services/dispatch/{order.public_id}/")
    assert_accessible(page)
    page.get_by_role("button", name="派给 TA").first.click()
    page.wait_for_load_state("networkidle")
    order.refresh_from_db()
    assert order.status == "dispatched" and order.caregiver == world["staff"]
    desk.close()

    phone, page = _context(
        browser,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": HOME[0], "longitude": HOME[1]},
        permissions=["geolocation"],
    )
    browser_login(page, url, "cast_caregiver", cast.password)
    page.goto(f"{url}/services/m/{order.public_id}/")
    page.get_by_role("button", name="接单").click()
    page.get_by_role("button", name="查看完整住址和电话（留痕）").click()
    assert page.get_by_test_id("visit-address").count() == 1
    assert AuditEvent.objects.filter(event="elders.reveal", actor=cast.caregiver).count() == 2
    page.goto(f"{url}/services/m/{order.public_id}/")
    assert_accessible(page)
    # The caregiver arrives at the appointed time (a check-in hours early would be flagged).
    Order.objects.filter(pk=order.pk).update(scheduled_start=timezone.now())
    page.get_by_role("button", name="到达，定位签到").click()
    page.wait_for_url(f"**/services/m/{order.public_id}/")
    assert "距老人住址 0 米" in page.locator(".messages").inner_text()
    # The visit took its standard hour (the browser cannot wait an hour).
    Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=61))
    page.get_by_label("服务记录").fill("老人精神好，已提醒按时服药")
    page.get_by_role("button", name="服务完成，签退").click()
    page.wait_for_load_state("networkidle")
    phone.close()
    order.refresh_from_db()
    assert order.status == "checked_out" and not order.flags.exists()

    home, page = _context(browser, viewport={"width": 1280, "height": 900})
    browser_login(page, url, "cast_family", cast.password)
    page.goto(f"{url}/services/family/")
    assert_accessible(page)
    page.get_by_role("button", name="服务已完成，确认").click()
    page.wait_for_load_state("networkidle")
    page.locator("label.radio-card", has_text="5 分").click()
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_load_state("networkidle")
    home.close()
    order.refresh_from_db()
    assert order.status == "rated" and order.rating == 5

    office, page = _context(browser, viewport={"width": 1280, "height": 900})
    browser_login(page, url, "cast_county_a", cast.password)
    month = timezone.localtime(order.checked_out_at).strftime("%Y-%m")
    for _ in range(2):  # asking again shows the same statement and charges nothing twice
        page.goto(f"{url}/services/settlements/")
        page.select_option("#s-provider", str(world["org"].public_id))
        page.fill("#s-month", month)
        page.get_by_role("button", name="生成结算单").click()
        page.wait_for_load_state("networkidle")
    assert "该月结算单已存在" in page.content()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 .xlsx").click()
    with open(download.value.path(), "rb") as fh:
        sheet = load_workbook(io.BytesIO(fh.read())).active
    office.close()
    assert sheet is not None and month in str(sheet["A1"].value)
    assert order.number in [str(c.value) for c in sheet["C"]]  # the short number, never the UUID
    assert SettlementLine.objects.filter(order=order).count() == 1
    order.refresh_from_db()
    assert order.status == "settled"
