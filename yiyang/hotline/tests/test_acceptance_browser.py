"""In a real browser, the acceptance path of issue 12: the operator on duty takes an emergency call from
an elder's number, the elder's card pops up, an incident opens, a responder is dispatched, the family's
page shows it, and it closes with an arrival time; an unacknowledged incident rings the next operator.
No inline script runs (CSP), the timers tick, the pages pass axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login, watch_csp
from yiyang.core.testing import cast_user
from yiyang.hotline.models import Incident
from yiyang.hotline.tasks import hotline_sweep
from yiyang.hotline.tests.factories import make_shift, phone_elder

pytestmark = pytest.mark.browser


def _tab(browser: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    return context, tab


def test_emergency_call_to_closed_incident(browser: Any, live_server: Any, cast: Any) -> None:
    url = live_server.url
    operator = cast_user("cast_operator_a", "operator", cast.county_a)
    second = cast_user("cast_operator_a2", "operator", cast.county_a)
    make_shift(operator, cast.county_a, starts_at=timezone.now() - timedelta(hours=2))
    make_shift(second, cast.county_a, starts_at=timezone.now() + timedelta(minutes=1))
    elder = phone_elder(cast.community_a1, "13912340000", family=cast.family)

    desk, page = _tab(browser)
    seen = watch_csp(page)
    browser_login(page, url, "cast_operator_a", cast.password)
    page.goto(f"{url}/hotline/")
    assert_accessible(page)
    # Keyboard first: the number field has the focus; from anywhere else "/" brings it back.
    page.get_by_role("link", name="大屏模式").focus()
    page.keyboard.press("/")
    page.keyboard.type("13912340000")
    assert page.get_by_label("电话号码").input_value() == "13912340000"
    page.get_by_label("类型").select_option("emergency")
    page.get_by_role("button", name="登记并查找老人").click()
    page.wait_for_url("**/hotline/calls/**")
    card = page.get_by_test_id("elder-card")
    assert elder.name in card.inner_text() and "139****0000" in card.inner_text()
    assert_accessible(page)
    page.get_by_test_id("open-incident").get_by_label("呼援类型").select_option("fall")
    page.get_by_role("button", name="发起紧急呼援").click()
    page.wait_for_url("**/hotline/incidents/**")
    incident = Incident.objects.get(elder=elder)
    assert incident.status == "open" and incident.source == "call"
    assert_accessible(page)
    page.get_by_test_id("acknowledge").click()
    page.get_by_label("处置人员（姓名，或从下表选择）").fill("社区网格员 张强")
    page.get_by_role("button", name="派员").click()
    page.wait_for_load_state("networkidle")
    incident.refresh_from_db()
    assert incident.status == "dispatched" and incident.responder_name == "社区网格员 张强"

    home, family = _tab(browser)
    browser_login(family, url, "cast_family", cast.password)
    family.goto(f"{url}/services/family/")
    shown = family.get_by_test_id("family-incidents").inner_text()
    assert "已派员" in shown and "社区网格员 张强" in shown
    home.close()

    # The responder arrived twelve minutes after the call (the browser cannot wait that long).
    Incident.objects.filter(pk=incident.pk).update(opened_at=timezone.now() - timedelta(minutes=12))
    page.reload()
    page.get_by_test_id("arrive").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("处置结果").select_option("handled_at_home")
    page.get_by_role("button", name="结案").click()
    page.wait_for_load_state("networkidle")
    assert "到达用时 12 分钟" in page.get_by_test_id("arrival").inner_text()
    incident.refresh_from_db()
    assert (
        incident.status == "closed"
        and incident.outcome == "handled_at_home"
        and incident.arrival_minutes == 12
    )
    timeline = page.get_by_test_id("timeline").inner_text()
    assert "待确认 → 已确认" in timeline and "已到达 → 已结案" in timeline
    assert seen == {"csp": [], "dialogs": [], "errors": []}

    # Another call nobody acknowledges: after the timeout the sweep rings the next operator on duty.
    other = phone_elder(cast.community_a1, "13912340001")
    page.goto(f"{url}/hotline/")
    page.get_by_label("电话号码").fill("13912340001")
    page.get_by_label("类型").select_option("emergency")
    page.get_by_role("button", name="登记并查找老人").click()
    page.wait_for_url("**/hotline/calls/**")
    page.get_by_role("button", name="发起紧急呼援").click()
    page.wait_for_url("**/hotline/incidents/**")
    waiting = Incident.objects.get(elder=other)
    make_shift(second, cast.county_a, starts_at=timezone.now() - timedelta(minutes=5))
    Incident.objects.filter(pk=waiting.pk).update(ack_due_at=timezone.now() - timedelta(seconds=1))
    hotline_sweep.apply()
    # The running timer on the console ticks (written by the static script, not by the server).
    page.goto(f"{url}/hotline/")
    timer = page.locator(".timer").first
    first_text = timer.inner_text()
    page.wait_for_timeout(1500)
    assert timer.inner_text() != first_text
    desk.close()

    bell, tab = _tab(browser)
    browser_login(tab, url, "cast_operator_a2", cast.password)
    tab.goto(f"{url}/notifications/")
    assert "紧急呼援超时未确认（轮呼）" in tab.content()
    bell.close()
