"""In Chromium: the assessment history chart (ECharts) works under the Content-Security-Policy with no
violation (issue 10)."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import browser_login, watch_csp
from yiyang.assessments.tests.factories import make_assessment

pytestmark = pytest.mark.browser


def test_level_history_chart_renders_under_csp(page: Any, live_server: Any, cast: Any) -> None:
    first = make_assessment(cast, cast.community_a1, status="completed")
    make_assessment(cast, cast.community_a1, status="completed", elder=first.elder)
    seen = watch_csp(page)
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/assessments/elder/{first.elder.public_id}/")
    page.wait_for_function(
        "() => window.echarts && echarts.getInstanceByDom(document.getElementById('level-chart'))"
    )
    assert page.locator("#level-chart canvas").count() >= 1
    assert seen == {"csp": [], "dialogs": [], "errors": []}
