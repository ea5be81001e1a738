"""In a real browser: every role logs in on the Chinese login page and lands on its home page; the
foundation pages pass axe-core with no serious or critical violation."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def test_login_page_is_chinese_and_accessible(page: Any, live_server: Any, cast: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "颐养 · 智慧养老服务平台"
    assert_accessible(page)


def test_wrong_password_shows_the_reason(page: Any, live_server: Any, cast: Any) -> None:
    browser_login(page, live_server.url, "cast_county_a", "wrong-password")
    assert "用户名或密码错误" in page.locator("[role=alert]").inner_text()


@pytest.mark.parametrize(
    ("username", "role_label", "region"),
    [
        ("cast_county_a", "县(区)民政管理员", "广陵区"),
        ("cast_street_a1", "街道(乡镇)工作人员", "文昌街道"),
        ("cast_auditor", "审计员", "扬州市"),
        ("cast_caregiver", "服务人员", "广陵区"),
    ],
)
def test_each_role_logs_in_and_sees_its_home_page(
    page: Any, live_server: Any, cast: Any, username: str, role_label: str, region: str
) -> None:
    browser_login(page, live_server.url, username, cast.password)
    assert page.url.rstrip("/") == live_server.url
    grants = page.get_by_test_id("grants").inner_text()
    assert role_label in grants and region in grants
    assert_accessible(page)


def test_the_family_logs_in_to_my_relatives(page: Any, live_server: Any, cast: Any) -> None:
    browser_login(page, live_server.url, "cast_family", cast.password)
    assert page.url == f"{live_server.url}/services/family/"
    assert page.locator("h1").inner_text() == "我的家人" and page.get_by_test_id("grants").count() == 0
    assert_accessible(page)


def test_foundation_pages_are_accessible(page: Any, live_server: Any, cast: Any) -> None:
    from yiyang.audit.services import audit_record

    audit_record(actor=cast.county_admin_a, region=cast.community_a1, event="auth.login")
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    for path in ["/audit/", "/regions/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("h1").count() == 1
        assert_accessible(page)


def test_region_tree_expands_with_htmx(page: Any, live_server: Any, cast: Any) -> None:
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/regions/")
    page.get_by_role("button", name="展开").first.click()
    page.wait_for_selector("text=文昌街道")


def test_audit_filter_swaps_the_table(page: Any, live_server: Any, cast: Any) -> None:
    from yiyang.audit.services import audit_record

    audit_record(actor=cast.county_admin_a, region=cast.community_a1, event="jobs.run")
    audit_record(actor=cast.county_admin_b, region=cast.community_b1, event="jobs.run")
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/audit/")
    table = page.get_by_test_id("audit-table").inner_text()
    assert "甲县管理员" in table and "乙县管理员" not in table
    page.select_option("#id_event", "jobs.run")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**event=jobs.run**")
    assert "手动运行后台任务" in page.get_by_test_id("audit-table").inner_text()
