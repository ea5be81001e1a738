"""In a real browser: a county admin changes a service item's guide price from the catalog page; the
editing forms pass axe-core, and a bad value is shown next to its field."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.orders.tests.factories import make_item, make_provider, make_staff
from yiyang.providers.models import ServiceItem

pytestmark = pytest.mark.browser


def test_city_admin_edits_service_item_price(page: Any, live_server: Any, cast: Any) -> None:
    """The catalog is the city's (decision 0006): the city admin edits a price in the browser."""
    item = make_item(price_fen=6000)
    browser_login(page, live_server.url, "cast_city_admin", cast.password)
    page.goto(f"{live_server.url}/services/catalog/")
    page.get_by_role("link", name=f"编辑 {item.name}").click()
    assert page.locator("h1").inner_text() == f"修改服务项目：{item.name}"
    assert_accessible(page)
    page.fill("#id_price", "-5")
    page.get_by_role("button", name="保存").click()
    assert "指导价（元）" in page.get_by_test_id("form-errors").inner_text()
    page.fill("#id_price", "72.5")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"{live_server.url}/services/catalog/")
    assert "72.50" in page.get_by_test_id("catalog-table").inner_text()
    assert ServiceItem.objects.get(pk=item.pk).price_fen == 7250


def test_editing_pages_are_accessible(page: Any, live_server: Any, cast: Any) -> None:
    make_item()
    org = make_provider(cast.community_a1)
    staff = make_staff(org)
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/services/manage/staff/{staff.public_id}/edit/")
    assert page.get_by_test_id("certificates").is_visible()
    assert_accessible(page)
    for path in [
        f"/services/providers/{org.public_id}/",
        "/services/manage/providers/new/",
        f"/services/manage/providers/{org.public_id}/contracts/new/",
    ]:
        page.goto(f"{live_server.url}{path}")
        assert_accessible(page)
    page.get_by_role("button", name="保存").click()  # empty contract: errors listed, each naming its field
    errors = page.get_by_test_id("form-errors").inner_text()
    assert "合同编号" in errors and "起始日期" in errors
    assert_accessible(page)
