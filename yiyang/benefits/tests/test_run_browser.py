"""In a real browser: a county admin runs November's age allowance, a second admin of the county
approves it, and the bank file opens in a spreadsheet with a total matching the run."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from conftest import assert_accessible, browser_login
from yiyang.benefits import services as s
from yiyang.benefits.models import PaymentRun
from yiyang.benefits.tests.factories import elder_born, make_programmes
from yiyang.core.testing import cast_user
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.browser


def test_county_runs_november_a_second_admin_approves_and_the_bank_file_adds_up(
    page: Any, live_server: Any, cast: Any
) -> None:
    elder_born(cast, cast.community_a1, date(1941, 5, 1))
    elder_born(cast, cast.community_a1, date(1931, 2, 1))
    elder_born(cast, cast.community_a1, date(1925, 1, 1))
    make_programmes(cast)
    s.enrolment_sweep(actor=SYSTEM, region_code=cast.county_a.code, as_of=date(2026, 10, 15))
    cast_user("cast_county_a_2", "county_admin", cast.county_a)

    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/benefits/runs/")
    assert_accessible(page)
    page.get_by_label("项目").select_option("age_allowance")
    page.get_by_label("县（区）").select_option(cast.county_a.code)
    page.get_by_label("月份").fill("2026-11")
    page.get_by_role("button", name="生成名单").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("run-total").inner_text() == "800.00"
    assert page.get_by_test_id("approve").count() == 0  # the maker cannot approve
    assert_accessible(page)

    page.context.clear_cookies()
    browser_login(page, live_server.url, "cast_county_a_2", cast.password)
    run = PaymentRun.objects.get()
    page.goto(f"{live_server.url}/benefits/runs/{run.public_id}/")
    page.get_by_test_id("approve").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("run-status").inner_text() == "已复核"
    with page.expect_download() as download:
        page.get_by_test_id("bank-xlsx").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows: list[Any] = list(book.worksheets[0].iter_rows(values_only=True))
    total_row = next(r for r in rows if r[0] == "合计")
    lines = [r for r in rows[1:] if r[0] != "合计"]
    run.refresh_from_db()
    assert len(lines) == 3 and round(float(total_row[3]) * 100) == run.total_fen == 80000
    assert round(sum(float(r[3]) for r in lines) * 100) == run.total_fen
