"""In Chromium: the dispatch candidates map works under the Content-Security-Policy with no violation, and
a name made of markup stays text in the map's tooltip (issue 10, H1: stored XSS)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login, watch_csp
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.browser
PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)">'


def test_candidates_map_renders_under_csp_and_escapes_names(page: Any, live_server: Any, cast: Any) -> None:
    world = make_world(cast)
    world["elder"].name = PAYLOAD[:50]
    world["elder"].save(update_fields=["name"])
    world["staff"].name = PAYLOAD[:50]
    world["staff"].save(update_fields=["name"])
    order = make_order(world["elder"], world["item"])
    seen = watch_csp(page)
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/services/dispatch/{order.public_id}/")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('candidate-map'))"
    )
    assert page.locator("#candidate-map canvas").count() >= 1
    for series in (0, 1):
        page.evaluate(
            f"() => echarts.getInstanceByDom(document.getElementById('candidate-map'))"
            f".dispatchAction({{type: 'showTip', seriesIndex: {series}, dataIndex: 0}})"
        )
        page.wait_for_timeout(300)
        tooltip = page.evaluate(
            "() => Array.from(document.querySelectorAll('#candidate-map div'))"
            ".map(d => d.innerHTML).filter(h => h.includes('onerror')).join('|')"
        )
        assert "&lt;img" in tooltip and "<img" not in tooltip
    assert page.evaluate("() => window.__xss") is None
    assert seen == {"csp": [], "dialogs": [], "errors": []}
