"""In a real browser: the 12349 operator answers a 查询养老院 call from the register (nearest first, the
recommendation recorded on the call) and books an appointment (预约挂号) with a reminder."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.core.testing import cast_user
from yiyang.hotline import services as hotline
from yiyang.hotline.models import Appointment, CallAnswer
from yiyang.hotline.tests.factories import make_care_home, phone_elder
from yiyang.orders.tests.factories import HOME

pytestmark = pytest.mark.browser


def test_operator_answers_a_care_home_enquiry_and_books_an_appointment(
    browser: Any, live_server: Any, cast: Any
) -> None:
    cast_user("op_browser", "operator", cast.county_a)
    elder = phone_elder(cast.community_a1, "13955556666")
    home = make_care_home(cast.community_a1, name="文昌敬老院", lat=HOME[0] + 0.003, lng=HOME[1])
    call, _ = hotline.call_log(
        actor=cast.county_admin_a, direction="in", number="13955556666", kind="consultation"
    )
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = desk.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server.url, "op_browser", cast.password)
    page.goto(f"{live_server.url}/hotline/calls/{call.public_id}/")
    page.get_by_label("机构类型").select_option(label="养老机构")
    page.get_by_role("button", name="查询").click()
    options = page.get_by_test_id("answer-options")
    assert "文昌敬老院（本院）" in options.inner_text() and "333 米" in options.inner_text()
    assert_accessible(page)
    options.get_by_role("button", name="推荐并记录").first.click()
    assert "文昌敬老院" in page.get_by_test_id("call-answers").inner_text()
    assert CallAnswer.objects.get(call=call).organisation == home
    form = page.get_by_test_id("book-appointment")
    form.get_by_label("预约地点").fill("扬州市第一人民医院")
    form.get_by_label("科室/项目").fill("眼科")
    form.get_by_role("button", name="登记预约").click()
    assert "眼科" in page.get_by_test_id("call-appointments").inner_text()
    ap = Appointment.objects.get(call=call)
    assert ap.elder == elder and ap.remind_at is not None
    desk.close()


def test_operator_orders_two_items_from_a_call(browser: Any, live_server: Any, cast: Any) -> None:
    """Issue 11 acceptance: the operator orders from a call — the cart (点菜式) opened from the caller's
    card, the order's channel recorded as the hotline."""
    from yiyang.orders.models import Order
    from yiyang.orders.tests.factories import make_item, make_world

    cast_user("op_order", "operator", cast.county_a)
    w = make_world(cast)
    elder = phone_elder(cast.community_a1, "13966667777")
    meal = make_item(price_fen=1500, minutes=30, category="meal", skills=())
    call, _ = hotline.call_log(
        actor=cast.county_admin_a, direction="in", number="13966667777", kind="service_request"
    )
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = desk.new_page()
    page.set_default_timeout(15000)
    browser_login(page, live_server.url, "op_order", cast.password)
    page.goto(f"{live_server.url}/hotline/calls/{call.public_id}/")
    page.get_by_test_id("order-cart").click()
    page.get_by_label(w["item"].name).fill("1")
    page.get_by_label(meal.name).fill("2")
    page.get_by_role("button", name="计算费用和补贴").click()
    assert page.get_by_test_id("total-self").inner_text().startswith("¥")
    page.get_by_role("button", name="确认下单").click()
    assert page.get_by_test_id("batch-orders").locator("li").count() == 3
    orders = Order.objects.filter(elder=elder)
    assert orders.count() == 3 and set(orders.values_list("channel", flat=True)) == {"hotline"}
    desk.close()
