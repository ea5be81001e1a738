"""In a real browser (issue 11 acceptance): a family member orders two items for their relative with the
subsidy shown before confirming; a community worker finds an elder by name (the search answers as they
type) and orders for them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.elders.models import ElderCategory
from yiyang.orders.models import Order
from yiyang.orders.tests.factories import make_elder, make_item, make_world
from yiyang.providers.models import MonthlyQuota, SubsidyRule

pytestmark = pytest.mark.browser


def _context(browser: Any, **options: Any) -> Any:
    context = browser.new_context(locale="zh-CN", **options)
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def test_family_orders_two_items_with_the_subsidy_shown(browser: Any, live_server: Any, cast: Any) -> None:
    w = make_world(cast)
    ElderCategory.objects.create(elder=w["elder"], category="dibao", valid_from=date(2020, 1, 1))
    SubsidyRule.objects.create(category="dibao", government_bp=6000, valid_from=date(2020, 1, 1))
    MonthlyQuota.objects.create(category="dibao", services_per_month=4, valid_from=date(2020, 1, 1))
    meal = make_item(price_fen=1500, minutes=30, category="meal", skills=())
    url = live_server.url

    phone, page = _context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    browser_login(page, url, "cast_family", cast.password)
    page.goto(f"{url}/services/family/")
    page.get_by_role("link", name="预约服务").click()
    page.get_by_role("link", name=f"为{w['elder'].name}预约服务").click()
    page.get_by_label(w["item"].name).fill("1")
    page.get_by_label(meal.name).fill("1")
    page.get_by_role("button", name="计算费用和补贴").click()
    quote = page.get_by_test_id("quote")
    # 60 % of ¥60.00 and of ¥15.00
    assert page.get_by_test_id("total-subsidy").inner_text() == "¥45.00"
    assert page.get_by_test_id("total-self").inner_text() == "¥30.00"
    assert "剩余" in page.get_by_test_id("quota").inner_text()
    assert quote.count() == 1
    assert_accessible(page)
    page.get_by_role("button", name="确认下单").click()
    assert page.get_by_test_id("batch-orders").locator("li").count() == 2
    orders = Order.objects.filter(elder=w["elder"])
    assert orders.count() == 2 and set(orders.values_list("channel", flat=True)) == {"family"}
    phone.close()


def test_community_worker_finds_an_elder_by_name_and_orders(
    browser: Any, live_server: Any, cast: Any
) -> None:
    w = make_world(cast)
    target = make_elder(cast.community_a1)
    target.name = "郑桂兰"
    target.save()
    for _ in range(3):
        make_elder(cast.community_a1)  # others in the register
    url = live_server.url

    desk, page = _context(browser, viewport={"width": 1366, "height": 768})
    browser_login(page, url, "cast_community_a1", cast.password)
    page.goto(f"{url}/services/order/")
    page.get_by_label("姓名、电话后 4 位或身份证号").type("桂兰", delay=50)
    results = page.get_by_test_id("elder-results")
    results.wait_for()
    assert results.locator("tbody tr").count() == 1 and "郑桂兰" in results.inner_text()
    assert_accessible(page)
    results.get_by_role("link", name="下单").click()
    page.get_by_label(w["item"].name).fill("2")
    page.get_by_role("button", name="计算费用和补贴").click()
    assert page.get_by_test_id("total-self").inner_text() == "¥120.00"  # no category: no subsidy
    page.get_by_role("button", name="确认下单").click()
    assert page.get_by_test_id("batch-orders").locator("li").count() == 2
    assert set(Order.objects.filter(elder=target).values_list("channel", flat=True)) == {"community"}
    desk.close()
