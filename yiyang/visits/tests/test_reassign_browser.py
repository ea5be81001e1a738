"""In a real browser: the community worker opens the plan from 探访覆盖, ticks an elder's visits and hands
them to a volunteer (shown with their load), with a reason; the list then names the volunteer."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.visits.tests.factories import plan_for_reassign

pytestmark = pytest.mark.browser


def test_community_worker_reassigns_visits_to_a_volunteer(page: Any, live_server: Any, cast: Any) -> None:
    world = plan_for_reassign(cast)
    plan, other = world["plan"], world["visitor"]
    browser_login(page, live_server.url, "cast_community_a1", cast.password)
    page.goto(f"{live_server.url}/visits/?region={plan.region_code}&period={plan.period}")
    page.get_by_test_id("reassign-link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="改派探访 · 文昌社区").is_visible()
    boxes = page.get_by_test_id("reassign-items").get_by_role("checkbox")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_label("改派给").select_option(label=f"{other.display_name}（本月未完成 0 次 / 共 0 次）")
    page.get_by_label("改派理由").fill("网格员外出培训")
    assert_accessible(page)
    page.get_by_role("button", name="改派所选探访").click()
    page.wait_for_load_state("networkidle")
    assert f"已将 {len(world['items'])} 次探访改派给 {other.display_name}" in page.content()
    rows = page.get_by_test_id("reassign-items").locator("tbody tr")
    assert all(other.display_name in rows.nth(i).inner_text() for i in range(rows.count()))
