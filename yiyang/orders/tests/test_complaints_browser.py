"""In a real browser: a family member complains from the elder-mode family page, the county admin
accepts and rules on it, and the pages pass axe-core."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login
from yiyang.orders.models import Complaint
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.browser


def test_family_complains_and_the_county_rules(page: Any, live_server: Any, cast: Any) -> None:
    world = make_world(cast)
    served = timezone.make_aware(datetime(2026, 10, 5, 9, 0))
    make_order(
        world["elder"],
        world["item"],
        status="rated",
        rating=2,
        provider=world["org"],
        caregiver=world["staff"],
        checked_in_at=served,
        checked_out_at=served + timedelta(hours=1),
    )
    browser_login(page, live_server.url, "cast_family", cast.password)
    page.goto(f"{live_server.url}/services/family/")
    page.get_by_role("link", name="投诉：").first.click()
    assert_accessible(page)
    page.get_by_text("服务态度").click()
    page.get_by_label("请说说发生了什么").fill("服务人员说话很不耐烦")
    page.get_by_role("button", name="提交投诉").click()
    assert "投诉已提交" in page.content()
    assert page.get_by_test_id("family-complaint").count() == 1

    complaint = Complaint.objects.get()
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/services/complaints/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/services/complaints/{complaint.public_id}/")
    page.get_by_role("button", name="受理此投诉").click()
    page.get_by_text("属实", exact=True).click()
    page.get_by_label("办理结果").fill("已回访，约谈服务人员")
    assert_accessible(page)
    page.get_by_role("button", name="办结").click()
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("resolved", "upheld")
