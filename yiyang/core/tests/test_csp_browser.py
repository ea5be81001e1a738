"""In Chromium: the pages that draw with ECharts work under the Content-Security-Policy with no violation,
and a name made of markup stays text in the map's tooltip (issue 10, H1: stored XSS)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.browser
PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)">'


def _watch(page: Any) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"csp": [], "dialogs": [], "errors": []}

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            seen["csp"].append(message.text)

    def dialog(d: Any) -> None:
        seen["dialogs"].append(d.message)
        d.dismiss()

    page.on("console", console)
    page.on("dialog", dialog)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.log("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_candidates_map_renders_under_csp_and_escapes_names(page: Any, live_server: Any, cast: Any) -> None:
    world = make_world(cast)
    world["elder"].name = PAYLOAD[:50]
    world["elder"].save(update_fields=["name"])
    world["staff"].name = PAYLOAD[:50]
    world["staff"].save(update_fields=["name"])
    order = make_order(world["elder"], world["item"])
    seen = _watch(page)
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


def test_level_history_chart_renders_under_csp(page: Any, live_server: Any, cast: Any) -> None:
    from yiyang.assessments.tests.factories import make_assessment

    first = make_assessment(cast, cast.community_a1, status="completed")
    make_assessment(cast, cast.community_a1, status="completed", elder=first.elder)
    seen = _watch(page)
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/assessments/elder/{first.elder.public_id}/")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('level-chart'))"
    )
    assert page.locator("#level-chart canvas").count() >= 1
    assert seen == {"csp": [], "dialogs": [], "errors": []}
