"""In a real browser at 390 px: a grid worker opens 今日探访, records a visit to an A-class elder whose
fridge is empty (a finding that creates a home-service order), and the county's visit rate goes up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login
from yiyang.orders.models import Order
from yiyang.regions.scope import SYSTEM
from yiyang.visits import services
from yiyang.visits.tests.factories import elder

pytestmark = pytest.mark.browser


def test_phone_first_visit_raises_the_rate_and_orders_a_service(
    browser: Any, live_server: Any, cast: Any
) -> None:
    from yiyang.orders.tests.factories import make_item

    item = make_item()
    e = elder(cast, age=86, living="alone")
    period = timezone.localdate().strftime("%Y-%m")
    services.plan_generate(actor=SYSTEM, region_code=cast.community_a1.code, period=period)

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        browser_login(page, live_server.url, "cast_county_a", cast.password)
        page.goto(f"{live_server.url}/visits/?region={cast.county_a.code}&period={period}")
        assert page.get_by_test_id("done").inner_text() == "0"
        assert (
            e.name in page.get_by_test_id("overdue-list").inner_text()
            or page.get_by_test_id("due").inner_text() != "0"
        )
        before_rate = page.get_by_test_id("rate").inner_text()
        assert before_rate == "0.0%"
        page.context.clear_cookies()

        browser_login(page, live_server.url, "cast_community_a1", cast.password)
        page.goto(f"{live_server.url}/visits/today/")
        assert_accessible(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.get_by_test_id("today-item").filter(has_text=e.name).get_by_role("link", name="登记探访").click()
        page.wait_for_load_state("networkidle")
        assert_accessible(page)
        page.get_by_label("电话问候").check()
        page.get_by_label("家中食物").select_option("short")
        page.get_by_label("需求").fill("冰箱空了，需要助餐")
        page.get_by_test_id("fu-order").check()
        page.get_by_label("服务项目").select_option(str(item.public_id))
        when = timezone.localtime() + timedelta(days=1)
        page.get_by_label("预约上门时间").fill(when.strftime("%Y-%m-%dT%H:%M"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name="保存探访记录").click()
        page.wait_for_load_state("networkidle")
        assert "已登记探访" in page.content()
        assert Order.objects.filter(elder=e, channel="community").count() == 1
        page.context.clear_cookies()

        browser_login(page, live_server.url, "cast_county_a", cast.password)
        page.goto(f"{live_server.url}/visits/?region={cast.county_a.code}&period={period}")
        assert page.get_by_test_id("done").inner_text() == "1"
        assert page.get_by_test_id("rate").inner_text() != before_rate
        assert_accessible(page)
    finally:
        context.close()
