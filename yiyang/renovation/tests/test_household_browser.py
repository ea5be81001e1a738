"""In a real browser, one household from application to payment (issue 15 acceptance): the community worker
applies (eligibility shown rule by rule), the street reviews and closes publicity, the district approves,
the assessor plans (a basic item not applicable, with its reason), the elder signs, the contractor uploads
before and after photos and completes, the street accepts on site, the district pays (cost above the cap
pays the cap), and the archive PDF is served."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import assert_accessible, browser_login
from yiyang.core.testing import cast_user
from yiyang.orders.tests.factories import make_provider
from yiyang.renovation.models import Application
from yiyang.renovation.tests.factories import BASIC, make_programme, make_target_elder, png

pytestmark = pytest.mark.browser


def _as(browser: Any, url: str, username: str, password: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15000)
    browser_login(tab, url, username, password)
    return context, tab


def _press(page: Any, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("networkidle")


def test_one_household_from_application_to_payment(browser: Any, live_server: Any, cast: Any) -> None:
    url = live_server.url
    make_programme()
    elder = make_target_elder(cast.community_a1)
    elder.name = "适老浏览器老人"
    elder.save(update_fields=["name"])
    builder = cast_user("cast_reno_builder", "provider_admin", cast.county_a)
    contractor = make_provider(cast.community_a1, admin=builder, name="广陵安居施工队")
    make_provider(cast.community_a1, name="扬州监理公司")

    ctx, page = _as(browser, url, "cast_community_a1", cast.password)
    page.goto(f"{url}/renovation/apply/?q=适老浏览器")
    assert_accessible(page)
    _press(page, "资格审核")
    rules = page.get_by_test_id("eligibility-rules").inner_text()
    assert "年满" in rules and "未享受过同类改造补贴" in rules
    _press(page, "提交申请")
    app = Application.objects.get(elder=elder)
    assert page.url.endswith(f"/renovation/applications/{app.public_id}/")
    ctx.close()

    detail = f"{url}/renovation/applications/{app.public_id}/"
    ctx, page = _as(browser, url, "cast_street_a1", cast.password)
    page.goto(detail)
    assert_accessible(page)
    _press(page, "审核通过，进入公示")
    _press(page, "公示期满")
    ctx.close()

    ctx, page = _as(browser, url, "cast_county_a", cast.password)
    page.goto(detail)
    page.get_by_label("施工单位").select_option(label="广陵安居施工队")
    page.get_by_label("监理单位").select_option(label="扬州监理公司")
    _press(page, "批准")
    page.get_by_label("评估人员").fill("评估员王")
    page.get_by_label("评估记录").fill("卫生间无扶手，地面湿滑")
    _press(page, "提交评估")
    assert_accessible(page)
    for code in BASIC[:6]:
        page.locator(f'select[name="mode-{code}"]').select_option("include")
        page.locator(f'input[name="price-{code}"]').fill("400")
    page.locator('select[name="mode-SLH-29"]').select_option("na")
    page.locator('input[name="reason-SLH-29"]').fill("老人无认知障碍")
    _press(page, "保存方案")
    ctx.close()

    ctx, page = _as(browser, url, "cast_community_a1", cast.password)
    page.goto(detail)
    _press(page, "确认签字")
    assert "已签字待施工" in page.get_by_test_id("status").inner_text()
    ctx.close()

    ctx, page = _as(browser, url, "cast_reno_builder", cast.password)
    page.goto(detail)
    assert_accessible(page)
    for kind, then in (("before", "开工"), ("after", None)):
        for code in BASIC[:6]:
            page.locator("#photo-code").select_option(code)
            page.locator("#photo-kind").select_option(kind)
            page.locator("#photo-image").set_input_files(
                files=[{"name": "p.png", "mimeType": "image/png", "buffer": png()}]
            )
            _press(page, "上传")
        if then:
            _press(page, then)
    for code in BASIC[:6]:
        page.locator(f'input[name="cost-{code}"]').fill("400")
    _press(page, "报完工")
    assert page.locator("img").count() >= 12
    ctx.close()

    ctx, page = _as(browser, url, "cast_street_a1", cast.password)
    page.goto(detail)
    page.get_by_label("街道验收人").fill("街道李")
    page.get_by_label("监理验收人").fill("监理赵")
    page.get_by_label("验收意见").fill("改造齐全，质量合格")
    _press(page, "提交验收")
    ctx.close()

    ctx, page = _as(browser, url, "cast_county_a", cast.password)
    page.goto(detail)
    page.get_by_label("拨付凭证号").fill("BK-2026-001")
    _press(page, "拨付")
    assert "补助 2000.00 元，个人承担 400.00 元" in page.get_by_test_id("payment").inner_text()
    app.refresh_from_db()
    assert (app.status, app.actual_cost_fen, app.subsidy_fen, app.household_fen) == (
        "paid",
        240000,
        200000,
        40000,
    )
    assert app.contractor == contractor
    page.get_by_role("link", name="一户一档").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    assert "个人承担 400.00 元" in page.get_by_test_id("archive-payment").inner_text()
    pdf = page.request.get(f"{url}/renovation/applications/{app.public_id}/archive.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert body.startswith(b"%PDF") and body.count(b"/Subtype /Image") >= 12
    ctx.close()
