"""In a real browser: the city admin sees the dashboard with every seed KPI (value, target, status) and its
charts, drills from the city to a county and a street; a county admin sees only their county."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.analytics.services import snapshots_backfill
from yiyang.analytics.tests.factories import populate
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.browser

SEED_KPIS = [
    "护理型床位占比",
    "养老服务补贴对象占老年人口比",
    "每万老年人拥有持证养老护理员数",
    "居家养老服务照料中心覆盖率",
]


def test_city_admin_drills_city_to_county_to_street_county_admin_sees_only_theirs(
    page: Any, live_server: Any, cast: Any
) -> None:
    populate(cast)
    snapshots_backfill(actor=SYSTEM, months=2)

    browser_login(page, live_server.url, "cast_city_admin", cast.password)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="统计监测看板").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="统计监测看板：扬州市").is_visible()
    table = page.get_by_test_id("kpi-table")
    for name in SEED_KPIS:
        row = table.locator("tr", has_text=name)
        assert row.count() == 1, name
        cells = row.first.locator("td")
        assert cells.nth(3).inner_text() != "—", name  # a target
        assert (
            cells.nth(5).inner_text().strip() in {"进度正常", "有风险", "滞后", "无数据"}
            or cells.nth(5).inner_text()
        )
    assert page.get_by_test_id("demo-targets").is_visible()
    page.wait_for_function("document.querySelector('#trend-chart canvas') !== null")
    assert_accessible(page)

    page.get_by_test_id(f"drill-{cast.county_a.code}").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="统计监测看板：广陵区").is_visible()
    page.get_by_test_id(f"drill-{cast.street_a1.code}").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="统计监测看板：文昌街道").is_visible()
    assert "扬州市" in page.get_by_test_id("drill-trail").inner_text()
    assert page.get_by_test_id("league-table").locator("tr", has_text="文昌社区").count() == 1

    page.context.clear_cookies()
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/analytics/")
    assert page.get_by_role("heading", name="统计监测看板：广陵区").is_visible()
    assert "邗江区" not in page.content()
    response = page.goto(f"{live_server.url}/analytics/?region={cast.county_b.code}")
    assert response is not None and response.status == 404
