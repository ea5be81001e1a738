"""In a real browser: a county admin sets their county's own target where it inherits the city's (a new
version, the page shows it in force), and enters a departmental value with a PDF evidence file, which is
then listed for download."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.analytics.tests.factories import PDF

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _kpi_registry() -> None:
    """The registry and the demo city's targets as migration 0002 seeds them: a live-server test runs in a
    transactional database, which an earlier such test has emptied (flushed) of migration data."""
    import importlib

    from django.apps import apps

    importlib.import_module("yiyang.analytics.migrations.0002_seed_kpis").seed(apps, None)


def test_county_admin_sets_a_target_and_attaches_evidence(page: Any, live_server: Any, cast: Any) -> None:
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="指标目标值").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="指标目标值：广陵区").is_visible()
    table = page.get_by_test_id("targets-table")
    inherited = table.locator("tr", has_text="护理型床位占比").filter(has_text="2025").first
    assert "沿用扬州市" in inherited.inner_text()
    inherited.get_by_role("link", name="设本级目标").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("目标值", exact=True).input_value() == "72.00"  # starts from the city's
    page.get_by_label("目标值", exact=True).fill("75")
    page.get_by_label("设定或调整理由").fill("广陵区规划高于市级目标")
    assert_accessible(page)
    page.get_by_role("button", name="保存为新版本").click()
    page.wait_for_load_state("networkidle")
    assert "已设定 广陵区 护理型床位占比 2025 年目标 75" in page.content()
    own = page.get_by_test_id("targets-table").locator("tr", has_text="广陵区规划高于市级目标")
    assert own.count() == 1 and "现行" in own.inner_text() and "75" in own.inner_text()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="部门指标填报").click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("填报值").fill("66.5")
    page.get_by_label("数据日期").fill("2026-06-30")
    page.get_by_label("填报部门").fill("广陵区民政局")
    page.get_by_label("佐证材料（文件名称、文号）").fill("养老机构床位统计表（2026年6月）")
    page.get_by_label("佐证文件（可选，最多 10 个）").set_input_files(
        files=[{"name": "床位统计表.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交填报").click()
    page.wait_for_load_state("networkidle")
    link = page.get_by_test_id("entries-table").get_by_test_id("evidence-link")
    assert link.inner_text() == "床位统计表.pdf"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "床位统计表.pdf"
