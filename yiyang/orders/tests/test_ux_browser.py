"""Browser tests that look (issue 11 item 8): each role's main path at 1366×768 and at 390×844, failing on
any machine code on screen (status, flag, complaint, category, standard and role codes, the cast's login
names, UUIDs), any text under 16 px (18 px on family and elder-mode pages), any horizontal overflow,
targets under 48 px on family pages, and axe-core serious/critical violations.

``KNOWN_CODE_PAGES`` would list a page allowed to show a code value, with the reason; it is empty."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import assert_accessible, browser_login
from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.elders.choices import Category, ElderStatus, LivingSituation
from yiyang.orders.choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintStatus,
    FlagCode,
    FlagStatus,
    OrderStatus,
)
from yiyang.orders.models import OrderFlag
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
STANDARD_CODES = ["gbt42195", "ltc2021", "mzt039", "tekun6"]

# Pages allowed to show a code value, with the reason (none: every page is checked).
KNOWN_CODE_PAGES: dict[str, str] = {}


def machine_codes() -> list[str]:
    """Every code value in use that must never reach the screen."""
    codes: set[str] = set()
    for choices in [
        OrderStatus,
        FlagCode,
        FlagStatus,
        ComplaintCategory,
        ComplaintChannel,
        ComplaintStatus,
        Category,
        ElderStatus,
        LivingSituation,
        Role,
    ]:
        codes.update(str(v) for v in choices.values)
    codes.update(STANDARD_CODES)
    return sorted(codes)


CODE_RE = re.compile(
    r"(?<![A-Za-z0-9_])("
    + "|".join(re.escape(c) for c in machine_codes())
    + r"|cast_[a-z0-9_]+)(?![A-Za-z0-9_])"
)
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)

# Visible text nodes and their computed size; elements hidden from sight (sr-only, display:none) skipped.
SMALL_TEXT_JS = """(minPx) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest('script,style,noscript,[hidden],[aria-hidden=true]')) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') continue;
    const size = parseFloat(cs.fontSize);
    if (size + 0.01 < minPx) out.push(`${el.tagName.toLowerCase()}.${el.className} ${size}px «${node.textContent.trim().slice(0, 20)}»`);
  }
  return out.slice(0, 10);
}"""

OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  const out = [];
  const clipped = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  document.querySelectorAll('body *').forEach(el => {
    if (clipped(el)) return;
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0 && getComputedStyle(el).position !== 'fixed') {
      if (!el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
        out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
    }
  });
  return [`page ${document.documentElement.scrollWidth}px wide in ${width}px`, ...out.slice(0, 8)];
}"""

SMALL_TARGETS_JS = """(minPx) => {
  const out = [];
  document.querySelectorAll('.btn, button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), .app-nav a').forEach(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    if (r.height + 0.5 < minPx) out.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.height)}px «${(el.innerText || el.name || '').trim().slice(0, 16)}»`);
  });
  return out.slice(0, 10);
}"""


def look(page: Any, *, elder: bool) -> list[str]:
    """Everything wrong with what is on screen now."""
    problems: list[str] = []
    text = page.locator("body").inner_text()
    codes = sorted({m.group(1) for m in CODE_RE.finditer(text)} | set(UUID_RE.findall(text)))
    path = page.url.split("//", 1)[1].split("/", 1)[1]
    known = next((why for prefix, why in KNOWN_CODE_PAGES.items() if ("/" + path).startswith(prefix)), None)
    if codes and not known:
        problems.append(f"machine codes on screen: {codes[:8]}")
    small = page.evaluate(SMALL_TEXT_JS, 18 if elder else 16)
    if small:
        problems.append(f"text under {18 if elder else 16} px: {small}")
    overflow = page.evaluate(OVERFLOW_JS)
    if overflow:
        problems.append(f"horizontal overflow: {overflow}")
    if elder:
        targets = page.evaluate(SMALL_TARGETS_JS, 48)
        if targets:
            problems.append(f"targets under 48 px: {targets}")
    return problems


@pytest.fixture
def scene(cast: Any) -> dict[str, Any]:
    """A county with orders in every state a role's main path shows, people with display names."""
    for user, name in [
        (cast.county_admin_a, "周主任"),
        (cast.caregiver, "吴红亮"),
        (cast.family, "李明"),
        (cast.street_worker_a1, "陈干事"),
    ]:
        User.objects.filter(pk=user.pk).update(display_name=name)
    world = make_world(cast)
    elder, item, org, staff = world["elder"], world["item"], world["org"], world["staff"]
    from yiyang.audit.services import audit_record

    audit_record(actor=cast.county_admin_a, region=cast.community_a1, event="auth.login")
    elder.name, elder.capability_level = "王秀英", 2
    elder.save(update_fields=["name", "capability_level"])
    item.name = "助洁服务"
    item.save(update_fields=["name"])
    now = timezone.localtime()
    today = now.replace(minute=0, second=0, microsecond=0)
    served = {"provider": org, "caregiver": staff}
    for hours in (3, 1, 2):  # the caregiver's day, created out of time order
        make_order(elder, item, status="accepted", scheduled_start=today + timedelta(hours=hours), **served)
    done = make_order(
        elder,
        item,
        status="checked_out",
        scheduled_start=now - timedelta(hours=10),
        checked_in_at=now - timedelta(minutes=5),
        checked_out_at=now - timedelta(minutes=5),
        items_done=["助洁服务"],
        **served,
    )
    OrderFlag.objects.create(
        order=done,
        code="off_schedule",
        message="05:16 签到，预约 15:00，早 9 小时 44 分钟",
        region_code=done.region_code,
    )
    OrderFlag.objects.create(
        order=done,
        code="short_service",
        message="服务时长 0 分钟，不足标准时长 60 分钟的 50%",
        region_code=done.region_code,
    )
    make_order(elder, item, status="confirmed", checked_out_at=now - timedelta(days=1), **served)
    make_order(elder, item, status="created", scheduled_start=now + timedelta(days=2))
    return {**world, "done": done}


PATHS: dict[str, list[str]] = {
    "cast_county_a": [
        "/",
        "/elders/",
        "/services/orders/",
        "/services/supervision/",
        "/services/complaints/",
        "/services/settlements/",
        "{order}",
        "/services/providers/",
        "{provider}",
        "/assessments/",
        "/audit/",
        "/jobs/",
    ],
    "cast_caregiver": ["/services/m/", "{serve}"],
    "cast_family": ["/services/family/", "/services/complaints/", "{elder}"],
}
ELDER_ROLES = {"cast_family"}


def _walk(
    browser: Any, live_server: Any, cast: Any, scene: dict[str, Any], viewport: dict[str, int]
) -> list[str]:
    found: list[str] = []
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", is_mobile=viewport is PHONE, has_touch=viewport is PHONE
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        found += [f"/accounts/login/: {p}" for p in look(page, elder=True)]
        assert_accessible(page)
        fill = {
            "order": f"/services/orders/{scene['done'].public_id}/",
            "serve": f"/services/m/{scene['done'].public_id}/",
            "elder": f"/elders/{scene['elder'].public_id}/",
            "provider": f"/services/providers/{scene['org'].public_id}/",
        }
        for username, paths in PATHS.items():
            context.clear_cookies()
            browser_login(page, live_server.url, username, cast.password)
            for path in paths:
                path = path.format(**fill)
                page.goto(f"{live_server.url}{path}")
                page.wait_for_load_state("networkidle")
                found += [f"{username} {path}: {p}" for p in look(page, elder=username in ELDER_ROLES)]
                assert_accessible(page)
    finally:
        context.close()
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366x768", "390x844"])
def test_each_role_main_path_shows_no_code_no_small_text_no_overflow(
    browser: Any, live_server: Any, cast: Any, scene: dict[str, Any], viewport: dict[str, int]
) -> None:
    problems = _walk(browser, live_server, cast, scene, viewport)
    assert not problems, "\n".join(problems)


def test_the_checks_themselves_catch_what_they_look_for(browser: Any, live_server: Any, cast: Any) -> None:
    """A page with a status code, a UUID, 12 px text and a too-wide box fails every check."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        """() => { const p = document.createElement('p'); p.textContent = 'checked_out 7a4bacc5-1111-4222-8333-944445555666';
        p.style.fontSize = '12px'; p.style.width = '900px'; document.body.appendChild(p); }"""
    )
    problems = " | ".join(look(page, elder=False))
    context.close()
    assert "checked_out" in problems and "7a4bacc5-1111" in problems
    assert "text under 16 px" in problems and "horizontal overflow" in problems


def test_caregiver_day_is_in_appointment_order_with_a_route_map(
    browser: Any, live_server: Any, cast: Any, scene: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    browser_login(page, live_server.url, "cast_caregiver", cast.password)
    page.goto(f"{live_server.url}/services/m/")
    times = [t.split(".", 1)[1].strip() for t in page.locator(".visit-time").all_inner_texts()]
    assert times == sorted(times) and len(times) == 3
    page.wait_for_selector("#route-map canvas")
    page.get_by_role("button", name="电话与导航（留痕）").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("navigate").count() == 1
    context.close()


def test_family_confirm_card_warns_and_rating_has_no_default(
    browser: Any, live_server: Any, cast: Any, scene: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    browser_login(page, live_server.url, "cast_family", cast.password)
    assert page.url.endswith("/services/family/")
    warning = page.get_by_test_id("visit-concern")
    assert "实际服务 0 分钟" in warning.inner_text()
    assert warning.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator("input[name=score]:checked").count() == 0
    page.get_by_test_id("elder-mode-switch").click()  # 长辈模式 off: the family page stays large
    page.wait_for_load_state("networkidle")
    assert page.locator("body.elder-mode").count() == 1
    context.close()


def test_supervision_tabs_all_visible_and_bulk_clear(
    browser: Any, live_server: Any, cast: Any, scene: dict[str, Any]
) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    browser_login(page, live_server.url, "cast_county_a", cast.password)
    page.goto(f"{live_server.url}/services/supervision/")
    strip = page.get_by_test_id("flag-tabs")
    right = strip.evaluate("el => el.getBoundingClientRect().right")
    for tab in strip.locator("a").all():
        assert tab.evaluate("el => el.getBoundingClientRect().right") <= right + 1
    page.locator("[data-check-all=flag]").check()
    assert page.locator("input[name=flag]:checked").count() == 2
    page.fill("#bulk-reason", "电话回访核实")
    page.get_by_role("button", name="批量放行结算").click()
    page.wait_for_load_state("networkidle")
    assert "已放行 2 条异常" in page.locator(".messages").inner_text()
    assert not OrderFlag.objects.filter(status="open").exists()
    context.close()
