"""Supervision that catches what a person would (issue 11 item 4): a check-in far from the appointment
time, the check-out's position compared with the home, the family's confirm card warning on an odd
visit, no pre-selected rating, tab counts equal to their lists, bulk 放行/驳回 with one reason (scoped,
one audit row per flag) and distances in 公里 above 1,000 m."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from yiyang.accounts.services import user_create
from yiyang.audit.models import AuditEvent
from yiyang.core.geo import distance_text
from yiyang.core.policy import policy_value_set
from yiyang.orders.models import Order, OrderFlag
from yiyang.orders.services import order_check_in, order_check_out
from yiyang.orders.tests.factories import HOME, make_elder, make_item, make_order, make_world


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def accepted(world: dict[str, Any], **fields: Any) -> Order:
    return make_order(
        world["elder"],
        world["item"],
        status="accepted",
        caregiver=world["staff"],
        provider=world["org"],
        **fields,
    )


def codes(order: Order) -> set[str]:
    return set(order.flags.values_list("code", flat=True))


def page(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- check-in time against the appointment ---------------------------------------------------------


def test_check_in_hours_before_the_appointment_is_flagged_with_the_times(
    cast: Any, world: dict[str, Any]
) -> None:
    order = accepted(world, scheduled_start=timezone.now() + timedelta(hours=9, minutes=44))
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(order) == {"off_schedule"}
    flag = order.flags.get()
    assert "早 9 小时 44 分钟" in flag.message and "超过允许的 60 分钟" in flag.message
    assert flag.data["minutes_off"] < 0 and flag.data["window_minutes"] == 60


def test_check_in_late_is_flagged_and_on_time_is_not(cast: Any, world: dict[str, Any]) -> None:
    late = accepted(world, scheduled_start=timezone.now() - timedelta(minutes=90))
    order_check_in(order=late, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(late) == {"off_schedule"} and "晚 1 小时 30 分钟" in late.flags.get().message
    order_check_out(order=late, actor=cast.caregiver, items_done=["打扫"], lat=HOME[0], lng=HOME[1])
    on_time = accepted(world, scheduled_start=timezone.now() + timedelta(minutes=50))
    order_check_in(order=on_time, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(on_time) == set()


def test_the_window_is_a_policy_value_of_the_county(cast: Any, world: dict[str, Any]) -> None:
    city = user_create(
        username="cast_city_w", password=cast.password, grants=[("city_admin", cast.city.code)]
    )
    policy_value_set(
        key="orders.check_in_time_window",
        region_code=cast.county_a.code,
        value=180,
        valid_from=date(2020, 1, 1),
        source="测试",
        actor=city,
    )
    order = accepted(world, scheduled_start=timezone.now() + timedelta(hours=2))
    body = page(cast.caregiver).get(f"/services/m/{order.public_id}/").content.decode()
    assert "预约时间前后 180 分钟内签到" in body
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    assert codes(order) == set()


# --- check-out position -----------------------------------------------------------------------------


def test_check_out_records_its_position_and_flags_it_far_from_home(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=61))
    order.refresh_from_db()
    order_check_out(order=order, actor=cast.caregiver, items_done=["打扫"], lat=HOME[0] + 0.04, lng=HOME[1])
    order.refresh_from_db()
    assert order.check_out_lat == HOME[0] + 0.04 and order.check_out_lng == HOME[1]
    assert order.check_out_distance_m is not None and 4000 < order.check_out_distance_m < 5000
    flag = order.flags.get()
    assert flag.code == "far_check_out" and re.search(
        r"签退位置距老人住址 4\.\d 公里，超过 300 米", flag.message
    )


def test_check_out_at_the_door_and_without_a_position_is_not_flagged(
    cast: Any, world: dict[str, Any]
) -> None:
    near, blind = accepted(world), accepted(world)
    for order, where in [(near, (HOME[0], HOME[1])), (blind, (None, None))]:
        order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
        Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=61))
        order.refresh_from_db()
        order_check_out(order=order, actor=cast.caregiver, items_done=["打扫"], lat=where[0], lng=where[1])
        order.refresh_from_db()
        assert order.status == "checked_out" and codes(order) == set()
        # the next visit is another day's (no overlap with this one)
        Order.objects.filter(pk=order.pk).update(
            checked_in_at=F("checked_in_at") - timedelta(days=1),
            checked_out_at=F("checked_out_at") - timedelta(days=1),
        )
    assert near.check_out_distance_m == 0 and blind.check_out_distance_m is None


def test_the_check_out_page_posts_the_phone_position(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    phone = page(cast.caregiver)
    assert 'id="co-lat"' in phone.get(f"/services/m/{order.public_id}/").content.decode()
    phone.post(
        f"/services/m/{order.public_id}/",
        {"op": "check_out", "items_done": ["打扫"], "lat": str(HOME[0] + 0.02), "lng": str(HOME[1])},
    )
    order.refresh_from_db()
    assert order.status == "checked_out" and (order.check_out_distance_m or 0) > 2000
    assert "far_check_out" in codes(order)


# --- the family's confirm and rating cards ----------------------------------------------------------


def test_the_confirm_card_warns_about_a_visit_of_no_minutes(cast: Any, world: dict[str, Any]) -> None:
    order = accepted(world, scheduled_start=timezone.now() + timedelta(hours=9, minutes=44))
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    order.refresh_from_db()
    order_check_out(order=order, actor=cast.caregiver, items_done=["打扫"], lat=HOME[0], lng=HOME[1])
    body = page(cast.family).get("/services/family/").content.decode()
    warning = body.split('data-testid="visit-concern"')[1].split("</div>")[0]
    assert "请留意" in warning and "实际服务 0 分钟，标准时长 60 分钟" in warning
    assert "签到，预约" in warning  # the off-schedule flag's message, in words


def test_a_normal_visit_has_no_warning_and_the_rating_has_no_default(
    cast: Any, world: dict[str, Any]
) -> None:
    now = timezone.now()
    make_order(
        world["elder"],
        world["item"],
        status="checked_out",
        caregiver=world["staff"],
        provider=world["org"],
        scheduled_start=now - timedelta(minutes=70),
        checked_in_at=now - timedelta(minutes=65),
        checked_out_at=now - timedelta(minutes=2),
    )
    make_order(
        world["elder"], world["item"], status="confirmed", caregiver=world["staff"], provider=world["org"]
    )
    body = page(cast.family).get("/services/family/").content.decode()
    assert "visit-concern" not in body and "服务已完成，确认" in body
    radios = re.findall(r'<input type="radio" name="score"[^>]*>', body)
    assert len(radios) == 5 and not any("checked" in r for r in radios)


def test_rating_without_a_choice_is_refused(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(
        world["elder"], world["item"], status="confirmed", caregiver=world["staff"], provider=world["org"]
    )
    r = page(cast.family).post(
        "/services/family/", {"order": str(order.public_id), "op": "rate"}, follow=True
    )
    order.refresh_from_db()
    assert order.status == "confirmed" and order.rating is None and "请选择 1–5 分" in r.content.decode()


# --- the supervision page ---------------------------------------------------------------------------


def _flagged(world: dict[str, Any], code: str, n: int, elder: Any = None) -> list[OrderFlag]:
    out = []
    for _ in range(n):
        order = make_order(
            elder or world["elder"], world["item"], status="checked_out", provider=world["org"]
        )
        out.append(OrderFlag.objects.create(order=order, code=code, message="测试"))
    return out


def _tabs(body: str) -> dict[str, int]:
    return {c: int(n) for c, n in re.findall(r'data-code="(\w+)" data-count="(\d+)"', body)}


def test_tab_counts_equal_the_lists_under_them(cast: Any, world: dict[str, Any]) -> None:
    _flagged(world, "short_service", 3)
    _flagged(world, "far_check_in", 2)
    theirs = make_world(cast, cast.community_b1)
    _flagged(theirs, "far_check_in", 4)  # another county: neither counted nor listed
    admin = page(cast.county_admin_a)
    body = admin.get("/services/supervision/").content.decode()
    tabs = _tabs(body)
    assert tabs == {"short_service": 3, "far_check_in": 2}
    assert "全部（5）" in body
    for code, n in tabs.items():
        listed = admin.get(f"/services/supervision/?code={code}").content.decode()
        assert listed.count('name="flag" value=') == n
        assert f'data-testid="flags-total">{n}<' in listed


def test_filters_apply_to_counts_and_list_alike(cast: Any, world: dict[str, Any]) -> None:
    other = make_elder(cast.community_a1)
    other.name = "郑秀英"
    other.save(update_fields=["name"])
    _flagged(world, "short_service", 2)
    _flagged(world, "short_service", 1, elder=other)
    body = page(cast.county_admin_a).get("/services/supervision/?name=郑秀").content.decode()
    assert _tabs(body) == {"short_service": 1} and body.count('name="flag" value=') == 1


def test_bulk_clear_resolves_each_ticked_flag_with_one_reason(cast: Any, world: dict[str, Any]) -> None:
    flags = _flagged(world, "short_service", 3)
    theirs = _flagged(make_world(cast, cast.community_b1), "short_service", 1)[0]
    before = AuditEvent.objects.filter(event="orders.flag_resolved").count()
    r = page(cast.county_admin_a).post(
        "/services/supervision/",
        {
            "flag": [str(flags[0].public_id), str(flags[1].public_id), str(theirs.public_id)],
            "op": "clear",
            "reason": "电话回访核实无误",
            "next": "/services/supervision/?code=short_service",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/services/supervision/?code=short_service"
    statuses = {f.pk: OrderFlag.objects.get(pk=f.pk).status for f in [*flags, theirs]}
    assert [statuses[f.pk] for f in flags] == ["cleared", "cleared", "open"]
    assert statuses[theirs.pk] == "open"  # another county's flag id is simply not found
    assert OrderFlag.objects.get(pk=flags[0].pk).resolution_reason == "电话回访核实无误"
    assert AuditEvent.objects.filter(event="orders.flag_resolved").count() == before + 2


def test_bulk_reject_needs_a_reason_and_a_selection(cast: Any, world: dict[str, Any]) -> None:
    flag = _flagged(world, "short_service", 1)[0]
    admin = page(cast.county_admin_a)
    r = admin.post(
        "/services/supervision/", {"flag": [str(flag.public_id)], "op": "reject", "reason": ""}, follow=True
    )
    assert "请填写处理理由" in r.content.decode()
    r = admin.post("/services/supervision/", {"op": "reject", "reason": "未上门"}, follow=True)
    assert "请先勾选要处理的异常" in r.content.decode()
    assert OrderFlag.objects.get(pk=flag.pk).status == "open"
    admin.post("/services/supervision/", {"flag": [str(flag.public_id)], "op": "reject", "reason": "未上门"})
    assert OrderFlag.objects.get(pk=flag.pk).status == "rejected"


def test_next_outside_the_supervision_page_is_not_followed(cast: Any, world: dict[str, Any]) -> None:
    flag = _flagged(world, "short_service", 1)[0]
    r = page(cast.county_admin_a).post(
        "/services/supervision/",
        {"flag": [str(flag.public_id)], "op": "clear", "reason": "核实", "next": "https://evil.example/"},
    )
    assert r["Location"] == "/services/supervision/"


# --- distances --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metres", "text"),
    [
        (0, "0 米"),
        (850, "850 米"),
        (999.6, "1 公里"),
        (1000, "1 公里"),
        (4444, "4.4 公里"),
        (12050, "12.1 公里"),
    ],
)
def test_distance_text_switches_to_kilometres_above_1000_m(metres: float, text: str) -> None:
    assert distance_text(metres) == text


def test_the_distance_filter_in_templates() -> None:
    t = Template("{% load geo %}[{{ a|distance }}][{{ b|distance }}][{{ c|distance }}][{{ d|distance }}]")
    assert t.render(Context({"a": 4444, "b": 300, "c": None, "d": "x"})) == "[4.4 公里][300 米][][]"


def test_candidates_show_kilometres(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(make_elder(cast.community_a1), make_item())
    world["staff"].home_lat, world["staff"].home_lng = HOME[0] + 0.04, HOME[1]
    world["staff"].save(update_fields=["home_lat", "home_lng"])
    body = page(cast.county_admin_a).get(f"/services/dispatch/{order.public_id}/").content.decode()
    assert re.search(r">4\.\d 公里<", body) and "距离（米）" not in body
