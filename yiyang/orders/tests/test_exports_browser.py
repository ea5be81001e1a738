"""In a real browser: a county admin downloads the filtered order list as .xlsx from the list's button;
a caregiver prints the day's service cards on a phone (nothing wider than the screen, the cards alone on
paper) and reveals the full contacts of an accepted visit."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import assert_accessible, browser_login
from yiyang.core.pii import encrypt
from yiyang.orders.models import Order
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.browser

WIDER_THAN = "() => document.documentElement.scrollWidth - window.innerWidth"


def _context(browser: Any, **options: Any) -> Any:
    context = browser.new_context(locale="zh-CN", **options)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def test_admin_downloads_the_filtered_order_list(browser: Any, live_server: Any, cast: Any) -> None:
    w = make_world(cast)
    make_order(w["elder"], w["item"], provider=w["org"], caregiver=w["staff"], status="dispatched")
    make_order(w["elder"], w["item"], status="created")
    desk, page = _context(browser, viewport={"width": 1366, "height": 768}, accept_downloads=True)
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/services/orders/")
    page.get_by_label("状态").select_option(label="已派单")
    page.get_by_role("button", name="筛选").click()
    with page.expect_download() as info:
        page.get_by_test_id("orders-export").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    ws = load_workbook(io.BytesIO(open(download.path(), "rb").read())).worksheets[0]  # noqa: SIM115
    rows = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert len(rows) == 1 and rows[0][6] == "已派单"
    assert "状态：已派单" in str(ws["A2"].value)
    desk.close()


def test_caregiver_prints_the_days_cards_on_a_phone(browser: Any, live_server: Any, cast: Any) -> None:
    w = make_world(cast)
    elder = w["elder"]
    elder.phone_enc = encrypt("13912345678")
    elder.phone_masked = "139****5678"
    elder.save()
    start = timezone.now() + timedelta(minutes=30)
    accepted = make_order(
        elder, w["item"], provider=w["org"], caregiver=w["staff"], status="accepted", scheduled_start=start
    )
    phone, page = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    browser_login(page, live_server.url, "cast_caregiver", cast.password)
    page.goto(f"{live_server.url}/services/m/")
    page.get_by_test_id("print-day-cards").click()
    cards = page.get_by_test_id("order-card")
    assert cards.count() == Order.objects.filter(caregiver=w["staff"]).count() == 1
    assert "139****5678" in cards.first.inner_text() and accepted.number in cards.first.inner_text()
    assert page.evaluate(WIDER_THAN) <= 1
    assert_accessible(page)
    page.get_by_test_id("cards-reveal").click()
    assert page.get_by_test_id("card-phone").inner_text() == "13912345678"
    page.emulate_media(media="print")
    assert not page.locator(".app-header").is_visible()
    assert not page.get_by_test_id("cards-reveal").is_visible()
    assert page.get_by_test_id("order-card").is_visible()
    phone.close()
