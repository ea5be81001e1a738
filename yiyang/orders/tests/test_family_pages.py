"""Elder mode done fully for families (issue 11 item 6): the family's home is 我的家人 with a card per
relative in a family's words, a short menu, 12349 to call on every page, and a 长辈模式 switch anyone
can turn on for the session (kept across the login)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.orders.tests.factories import make_order, make_world


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_family_home_is_my_relatives_with_their_card(cast: Any, world: dict[str, Any]) -> None:
    elder = world["elder"]
    elder.capability_level = 2
    elder.save(update_fields=["capability_level"])
    make_order(
        elder,
        world["item"],
        status="accepted",
        caregiver=world["staff"],
        provider=world["org"],
        scheduled_start=timezone.now() + timedelta(days=1),
    )
    make_order(elder, world["item"], status="rated", checked_out_at=timezone.now(), provider=world["org"])
    family = page(cast.family)
    home = family.get("/")
    assert home.status_code == 302 and home["Location"] == "/services/family/"
    body = family.get("/services/family/").content.decode()
    cards = body.split('data-testid="relatives"')[1].split("</section>")[0]
    assert elder.name in cards and "中度失能" in cards
    assert f"服务人员 {world['staff'].name}" in cards and "本月已服务</dt><dd>1 次" in cards
    for office_words in ["您的角色与管辖区域", "在册老人", cast.community_a1.code]:
        assert office_words not in body


def test_family_menu_is_short_and_12349_is_on_every_family_page(cast: Any, world: dict[str, Any]) -> None:
    family = page(cast.family)
    for path in ["/services/family/", "/services/complaints/", f"/elders/{world['elder'].public_id}/"]:
        body = family.get(path).content.decode()
        assert 'href="tel:12349"' in body, path
        nav = body.split('aria-label="主导航"')[1].split("</nav>")[0]
        assert "我的家人" in nav and "服务投诉" in nav and "老年人信息库" not in nav and "工作台" not in nav


def test_staff_pages_have_no_hotline_button_until_elder_mode_is_on(cast: Any) -> None:
    admin = page(cast.county_admin_a)
    body = admin.get("/").content.decode()
    assert 'href="tel:12349"' not in body and '<body class="elder-mode"' not in body
    r = admin.post("/elder-mode/", {"on": "1", "next": "/services/orders/"})
    assert r.status_code == 302 and r["Location"] == "/services/orders/"
    body = admin.get("/services/orders/").content.decode()
    assert '<body class="elder-mode"' in body and 'href="tel:12349"' in body and "长辈模式：已开启" in body
    admin.post("/elder-mode/", {"on": "0", "next": "https://evil.example/"})
    assert '<body class="elder-mode"' not in admin.get("/").content.decode()


def test_the_switch_on_the_login_page_lasts_through_the_login(cast: Any) -> None:
    c = Client()
    login = c.get("/accounts/login/").content.decode()
    assert 'href="tel:12349"' in login and "长辈模式（大字）" in login
    c.post("/elder-mode/", {"on": "1", "next": "/accounts/login/"})
    assert 'class="login elder-mode"' in c.get("/accounts/login/").content.decode()
    c.post("/accounts/login/", {"username": "cast_county_a", "password": cast.password})
    assert '<body class="elder-mode"' in c.get("/").content.decode()
