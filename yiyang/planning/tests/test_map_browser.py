"""In a real browser: the city admin opens the elderly-care map and sees the county outlines drawn from
the offline boundary data, the facilities and the uncovered communities, drills into a county; a county
admin sees only their county. No request leaves the site (no tiles, no CDN)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login, watch_csp
from yiyang.planning.tests.factories import elder_at, facility_at

pytestmark = pytest.mark.browser

SERIES = """() => {
  const el = document.querySelector('[data-planning-map]');
  const option = echarts.getInstanceByDom(el).getOption();
  const out = {};
  option.series.forEach(s => { out[s.name] = s.data.map(d => d.name); });
  return {series: out, regions: option.geo[0].regions.map(r => r.name)};
}"""


@pytest.fixture
def world(cast: Any) -> Any:
    facility_at(cast.county_a, 32.39, 119.42, name="文昌社区养老服务站")
    facility_at(cast.county_b, 32.38, 119.40, name="汶河日间照料中心", org_type="day_care")
    for i in range(6):
        elder_at(cast, cast.community_a1, 32.400 + i * 0.0001, 119.42)  # 1.1 km away: uncovered
    elder_at(cast, cast.community_b1, 32.381, 119.40)  # covered
    return cast


def _open_map(page: Any, base: str, path: str) -> dict[str, Any]:
    page.goto(f"{base}{path}")
    page.wait_for_selector("[data-planning-map][data-ready='1']")
    return page.evaluate(SERIES)


def test_city_admin_sees_facilities_and_uncovered_communities(
    page: Any, live_server: Any, world: Any
) -> None:
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    seen = watch_csp(page)
    browser_login(page, live_server.url, "cast_city_admin", world.password)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="养老地图").click()
    page.wait_for_url(f"{live_server.url}/planning/map/321000/")
    drawn = _open_map(page, live_server.url, "/planning/map/321000/")
    assert sorted(drawn["regions"]) == ["广陵区", "邗江区"]  # the two counties of the cast, from the GeoJSON
    assert drawn["series"]["社区养老服务站"] == ["文昌社区养老服务站服务点"]
    assert drawn["series"]["日间照料中心"] == ["汶河日间照料中心服务点"]
    assert drawn["series"]["未覆盖的社区（村）"] == ["文昌社区"]
    assert page.get_by_test_id("uncovered-row").count() == 1
    assert "文昌社区" in page.get_by_test_id("uncovered").inner_text()
    assert_accessible(page)
    # drill down: county → its streets (drawn as 示意 bubbles)
    page.get_by_role("link", name="广陵区").click()
    page.wait_for_url(f"{live_server.url}/planning/map/321002/")
    drawn = _open_map(page, live_server.url, "/planning/map/321002/")
    assert drawn["regions"] == ["广陵区"]
    assert drawn["series"]["街道（乡镇）（示意位置）"] == ["文昌街道"]
    assert outside == [] and seen["errors"] == [] and seen["csp"] == []


def test_county_admin_sees_only_their_county(page: Any, live_server: Any, world: Any) -> None:
    browser_login(page, live_server.url, "cast_county_b", world.password)
    drawn = _open_map(page, live_server.url, "/planning/map/")
    assert page.url == f"{live_server.url}/planning/map/321003/"
    assert drawn["regions"] == ["邗江区"]
    names = [n for data in drawn["series"].values() for n in data]
    assert "汶河日间照料中心服务点" in names
    assert not any("文昌" in n for n in names)
    assert "文昌" not in page.content()
    response = page.goto(f"{live_server.url}/planning/map/321002/")
    assert response is not None and response.status == 404
    assert "文昌" not in page.content()
