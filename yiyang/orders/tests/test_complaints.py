"""Complaints (投诉): raised on a dispatched order by family, hotline or community; handled and resolved
by supervisors; reopened once when a dismissal is disputed; every step in the order's timeline. A
pending no-show complaint or an upheld one keeps the order out of settlement; an upheld complaint on a
settled order reverses its charge."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.accounts.services import user_create
from yiyang.audit.models import AuditEvent
from yiyang.core.policy import policy_value_set
from yiyang.orders.complaints import complaint_handle, complaint_raise, complaint_reopen, complaint_resolve
from yiyang.orders.models import Complaint, ComplaintEvent, Order, OrderEvent, SettlementLine
from yiyang.orders.settlement import parse_month, settleable_orders, settlement_generate
from yiyang.orders.tests.factories import (
    make_elder,
    make_item,
    make_order,
    make_provider,
    make_staff,
    make_world,
)

MONTH = "2026-10"
SERVED = timezone.make_aware(datetime(2026, 10, 5, 9, 0))


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def browser(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def order_in(world: dict[str, Any], status: str = "confirmed", **fields: Any) -> Order:
    """An order of the world's provider; a finished one was served on SERVED (in MONTH)."""
    if status in {"checked_out", "confirmed", "rated", "settled"}:
        fields.setdefault("checked_in_at", SERVED)
        fields.setdefault("checked_out_at", SERVED + timedelta(minutes=60))
    return make_order(
        world["elder"],
        world["item"],
        status=status,
        provider=world["org"],
        caregiver=world["staff"],
        **fields,
    )


def raise_(cast: Any, order: Order, category: str = "attitude", actor: Any = None) -> Complaint:
    return complaint_raise(
        order=order, actor=actor or cast.county_admin_a, category=category, description="服务人员态度生硬"
    )


def settleable(world: dict[str, Any]) -> set[int]:
    start, end = parse_month(MONTH)
    return set(settleable_orders(world["org"], start, end).values_list("pk", flat=True))


# --- the state machine ----------------------------------------------------------------------------------


def test_complaint_runs_open_handling_resolved_and_reopens_once(cast: Any, world: dict[str, Any]) -> None:
    order = order_in(world)
    c = raise_(cast, order)
    assert (c.status, c.outcome, c.channel) == ("open", "", "hotline")
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(
        complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="回访核实无此事"
    )
    assert (c.status, c.outcome) == ("resolved", "dismissed") and c.resolved_at is not None
    complaint_reopen(complaint=c, actor=cast.family, reason="家属仍不满意")
    c.refresh_from_db()
    assert (c.status, c.outcome, c.reopen_count, c.resolved_at) == ("handling", "", 1, None)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="复核维持")
    with pytest.raises(Exception) as second:
        complaint_reopen(complaint=c, actor=cast.family, reason="还是不满意")
    assert getattr(second.value, "code", "") == "illegal_transition"

    timeline = list(c.events.all())
    assert [(e.from_status, e.to_status) for e in timeline] == [
        ("", "open"),
        ("open", "handling"),
        ("handling", "resolved"),
        ("resolved", "handling"),
        ("handling", "resolved"),
    ]
    assert [e.to_label for e in timeline][:3] == ["待受理", "处理中", "已办结"]
    assert not OrderEvent.objects.filter(
        order=order, from_status="confirmed"
    ).exists()  # the order did not move
    assert [e.actor_name for e in timeline][3] == cast.family.display_name
    events = list(
        AuditEvent.objects.filter(object_id=str(order.public_id), event__startswith="complaints.")
        .order_by("pk")
        .values_list("event", flat=True)
    )
    assert events == [
        "complaints.raised",
        "complaints.handling",
        "complaints.resolved",
        "complaints.reopened",
        "complaints.resolved",
    ]


def test_resolving_before_handling_and_reopening_an_upheld_complaint_are_409(
    cast: Any, world: dict[str, Any]
) -> None:
    c = raise_(cast, order_in(world))
    api = client(cast.county_admin_a)
    r = api.post(
        f"/api/v1/complaints/{c.public_id}/resolve/",
        {"outcome": "upheld", "resolution": "属实"},
        format="json",
    )
    assert r.status_code == 409
    assert r.json()["code"] == "illegal_transition" and r.json()["current_status"] == "open"
    assert "待受理" in r.json()["message"]
    assert api.post(f"/api/v1/complaints/{c.public_id}/handle/").status_code == 200
    assert api.post(f"/api/v1/complaints/{c.public_id}/handle/").json()["current_status"] == "handling"
    r = api.post(
        f"/api/v1/complaints/{c.public_id}/resolve/",
        {"outcome": "upheld", "resolution": "属实"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["outcome"] == "upheld" and r.json()["can_reopen"] is False
    r = client(cast.family).post(f"/api/v1/complaints/{c.public_id}/reopen/", {"reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["current_status"] == "resolved"
    assert "属实" in r.json()["message"]


@pytest.mark.parametrize(
    "status,allowed",
    [
        ("created", False),
        ("dispatched", True),
        ("accepted", True),
        ("declined", True),
        ("checked_in", True),
        ("checked_out", True),
        ("confirmed", True),
        ("rated", True),
        ("settled", True),
        ("cancelled", True),
    ],
)
def test_which_order_states_take_a_complaint(
    cast: Any, world: dict[str, Any], status: str, allowed: bool
) -> None:
    order = order_in(world, status)
    r = client(cast.county_admin_a).post(
        f"/api/v1/orders/{order.public_id}/complain/",
        {"category": "late", "description": "等了一上午没人来"},
        format="json",
    )
    if allowed:
        assert r.status_code == 201, r.json()
        raised = ComplaintEvent.objects.get(complaint__order=order)
        assert raised.reason == "收到投诉（超时/迟到）" and (raised.from_status, raised.to_status) == (
            "",
            "open",
        )
        assert not order.timeline.exists()
    else:
        assert r.status_code == 409 and r.json()["current_status"] == "created"
        assert not Complaint.objects.exists() and not ComplaintEvent.objects.exists()


def test_an_order_cancelled_before_dispatch_takes_no_complaint(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(world["elder"], world["item"], status="cancelled")
    r = client(cast.county_admin_a).post(
        f"/api/v1/orders/{order.public_id}/complain/",
        {"category": "other", "description": "x"},
        format="json",
    )
    assert r.status_code == 409 and not Complaint.objects.exists()


# --- scope ----------------------------------------------------------------------------------------------


def _provider_admin(cast: Any) -> Any:
    return user_create(
        username="cast_provider_admin",
        password=cast.password,
        display_name="机构管理员",
        grants=[("provider_admin", cast.county_a.code)],
    )


def test_family_sees_and_raises_complaints_only_about_their_elders(cast: Any, world: dict[str, Any]) -> None:
    mine = order_in(world)
    stranger = make_elder(cast.community_a1)
    theirs = make_order(stranger, world["item"], status="confirmed", provider=world["org"])
    family = client(cast.family)
    r = family.post(
        f"/api/v1/orders/{mine.public_id}/complain/",
        {"category": "no_show", "description": "根本没上门"},
        format="json",
    )
    assert r.status_code == 201 and r.json()["channel"] == "family"
    r = family.post(
        f"/api/v1/orders/{theirs.public_id}/complain/",
        {"category": "other", "description": "x"},
        format="json",
    )
    assert r.status_code == 404
    other = raise_(cast, theirs)
    listed = {c["id"] for c in family.get("/api/v1/complaints/").json()["results"]}
    own = Complaint.objects.get(order=mine)
    assert listed == {str(own.public_id)}
    assert str(other.public_id) not in str(listed)
    assert family.get(f"/api/v1/complaints/{other.public_id}/").status_code == 404
    # The family may dispute, never rule.
    assert family.post(f"/api/v1/complaints/{own.public_id}/handle/").status_code == 403


def test_provider_admin_sees_complaints_on_its_orders_without_the_complainant(
    cast: Any, world: dict[str, Any]
) -> None:
    admin = _provider_admin(cast)
    world["org"].admins.add(admin)
    ours = raise_(cast, order_in(world))
    other_org = make_provider(cast.community_a1)
    elsewhere = make_order(
        make_elder(cast.community_a1),
        make_item(),
        status="confirmed",
        provider=other_org,
        caregiver=make_staff(other_org),
    )
    theirs = raise_(cast, elsewhere)
    api = client(admin)
    results = api.get("/api/v1/complaints/").json()["results"]
    assert [c["id"] for c in results] == [str(ours.public_id)]
    assert results[0]["raised_by"] is None
    assert api.get(f"/api/v1/complaints/{theirs.public_id}/").status_code == 404
    assert api.post(f"/api/v1/complaints/{ours.public_id}/handle/").status_code == 403
    assert (
        api.post(
            f"/api/v1/orders/{ours.order.public_id}/complain/", {"category": "other", "description": "x"}
        ).status_code
        == 403
    )


def test_caregiver_sees_no_complaints(cast: Any, world: dict[str, Any]) -> None:
    order = order_in(world)
    raise_(cast, order)
    carer = client(cast.caregiver)
    assert carer.get("/api/v1/complaints/").status_code == 403
    detail = carer.get(f"/api/v1/orders/{order.public_id}/")
    assert detail.status_code == 200 and detail.json()["complaints"] == []
    admin_view = client(cast.county_admin_a).get(f"/api/v1/orders/{order.public_id}/").json()
    assert [set(c) for c in admin_view["complaints"]] == [{"id", "category", "status", "outcome"}]


def test_county_admin_of_another_county_cannot_handle(cast: Any, world: dict[str, Any]) -> None:
    c = raise_(cast, order_in(world))
    assert client(cast.county_admin_b).post(f"/api/v1/complaints/{c.public_id}/handle/").status_code == 404
    c.refresh_from_db()
    assert c.status == "open"


# --- money ----------------------------------------------------------------------------------------------


def test_a_pending_no_show_complaint_holds_the_order_and_a_dismissal_releases_it(
    cast: Any, world: dict[str, Any]
) -> None:
    order = order_in(world)
    c = raise_(cast, order, "no_show")
    assert order.pk not in settleable(world)
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    assert order.pk not in settleable(world)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="有签到照片")
    assert order.pk in settleable(world)


def test_a_pending_complaint_of_another_category_does_not_hold(cast: Any, world: dict[str, Any]) -> None:
    order = order_in(world)
    raise_(cast, order, "attitude")
    assert order.pk in settleable(world)


def test_an_upheld_complaint_keeps_the_order_out_of_settlement_for_good(
    cast: Any, world: dict[str, Any]
) -> None:
    held, paid = order_in(world), order_in(world, checked_out_at=SERVED + timedelta(hours=3))
    c = raise_(cast, held, "quality")
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="upheld", resolution="未按标准清洁")
    settlement, _ = settlement_generate(provider=world["org"], month=MONTH, actor=cast.county_admin_a)
    assert list(settlement.lines.values_list("order_id", flat=True)) == [paid.pk]
    held.refresh_from_db()
    assert held.status == "confirmed"
    page = browser(cast.county_admin_a).get(f"/services/settlements/{settlement.public_id}/").content.decode()
    assert "投诉：服务质量（已办结，属实）" in page


def test_an_upheld_complaint_on_a_settled_order_reverses_its_charge_in_the_next_statement(
    cast: Any, world: dict[str, Any]
) -> None:
    order = order_in(world)
    settlement, _ = settlement_generate(provider=world["org"], month=MONTH, actor=cast.county_admin_a)
    assert settlement.total_fen == 6000
    order.refresh_from_db()
    assert order.status == "settled"
    c = raise_(cast, order, "charge")
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="upheld", resolution="多收费用属实")
    settlement.refresh_from_db()
    # The October statement is closed: unchanged; the reversal waits for the next one.
    assert settlement.total_fen == 6000 and settlement.lines.count() == 1
    assert not SettlementLine.objects.filter(kind="reversal").exists()
    assert AuditEvent.objects.filter(event="settlements.reverse").count() == 1
    resolved = ComplaintEvent.objects.get(complaint=c, to_status="resolved")
    assert resolved.data["reversed_fen"] == -6000
    page = browser(cast.county_admin_a).get(f"/services/settlements/{settlement.public_id}/").content.decode()
    assert "待冲销（计入下期结算单）" in page
    november, _ = settlement_generate(provider=world["org"], month="2026-11", actor=cast.county_admin_a)
    reversal = SettlementLine.objects.get(order=order, kind="reversal")
    assert reversal.settlement == november and reversal.amount_fen == -6000
    assert reversal.reason.startswith("冲销 2026-10") and "投诉属实" in reversal.reason
    assert november.total_fen == -6000
    settlement.refresh_from_db()
    assert settlement.total_fen == 6000


def test_a_dismissed_complaint_on_a_settled_order_changes_no_money(cast: Any, world: dict[str, Any]) -> None:
    order = order_in(world)
    settlement_generate(provider=world["org"], month=MONTH, actor=cast.county_admin_a)
    order.refresh_from_db()
    c = raise_(cast, order, "charge")
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="收费无误")
    assert not SettlementLine.objects.filter(kind="reversal").exists()


# --- API contract ---------------------------------------------------------------------------------------


def test_complain_api_contract_and_field_errors(cast: Any, world: dict[str, Any]) -> None:
    order = order_in(world, "accepted")
    api = client(cast.county_admin_a)
    url = f"/api/v1/orders/{order.public_id}/complain/"
    bad = api.post(url, {"category": "nonsense", "description": ""}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"category", "description"}
    r = api.post(url, {"category": "late", "description": "迟到", "channel": "elder"}, format="json")
    assert r.status_code == 201
    body = r.json()
    assert body["order"]["id"] == str(order.public_id) and body["order"]["status"] == "accepted"
    assert (body["category"], body["channel"], body["status"], body["outcome"]) == (
        "late",
        "elder",
        "open",
        "",
    )
    assert body["category_label"] == "超时/迟到" and body["overdue"] is False and body["raised_by"]
    dup = api.post(url, {"category": "late", "description": "又迟到"}, format="json")
    assert dup.status_code == 409 and dup.json()["code"] == "duplicate"
    detail = api.get(f"/api/v1/orders/{order.public_id}/").json()
    assert detail["complaints"] == [{"id": body["id"], "category": "late", "status": "open", "outcome": ""}]


def test_resolution_deadline_is_a_county_policy_value_and_overdue_is_listed(
    cast: Any, world: dict[str, Any]
) -> None:
    city = user_create(username="cast_city", password=cast.password, grants=[("city_admin", cast.city.code)])
    policy_value_set(
        key="complaints.resolve_deadline",
        region_code=cast.county_a.code,
        value=1,
        valid_from=timezone.localdate(),
        source="广陵区投诉办理规定（测试）",
        actor=city,
    )
    page = browser(cast.county_admin_a).get(f"/services/orders/{order_in(world).public_id}/complain/")
    assert "提交后 1 小时内办结" in page.content.decode()
    late = raise_(cast, order_in(world), "late")
    assert abs((late.sla_due_at - late.created_at) - timedelta(hours=1)) < timedelta(seconds=5)
    fresh = raise_(cast, order_in(world), "attitude")
    Complaint.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timedelta(minutes=1))
    api = client(cast.county_admin_a)
    overdue = api.get("/api/v1/complaints/", {"overdue": "true"}).json()["results"]
    assert [c["id"] for c in overdue] == [str(late.public_id)] and overdue[0]["overdue"] is True
    on_time = api.get("/api/v1/complaints/", {"overdue": "false"}).json()["results"]
    assert [c["id"] for c in on_time] == [str(fresh.public_id)]
    assert [c["id"] for c in api.get("/api/v1/complaints/", {"category": "attitude"}).json()["results"]] == [
        str(fresh.public_id)
    ]
    assert api.get("/api/v1/complaints/", {"status": "resolved"}).json()["count"] == 0
    assert api.get("/api/v1/complaints/", {"status": "bogus"}).status_code == 400
    assert api.get("/api/v1/complaints/", {"overdue": "maybe"}).status_code == 400
    # Resolving stops the clock.
    complaint_handle(complaint=late, actor=cast.county_admin_a)
    complaint_resolve(complaint=late, actor=cast.county_admin_a, outcome="dismissed", resolution="已解释")
    assert api.get("/api/v1/complaints/", {"overdue": "true"}).json()["count"] == 0


def test_reopen_needs_a_reason_and_restarts_the_clock(cast: Any, world: dict[str, Any]) -> None:
    c = raise_(cast, order_in(world))
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="无此事")
    Complaint.objects.filter(pk=c.pk).update(sla_due_at=timezone.now() - timedelta(days=1))
    api = client(cast.family)
    assert api.post(f"/api/v1/complaints/{c.public_id}/reopen/", {}, format="json").status_code == 400
    r = api.post(f"/api/v1/complaints/{c.public_id}/reopen/", {"reason": "服务人员确实迟到"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "handling" and r.json()["overdue"] is False


def test_list_query_count_does_not_grow_with_rows(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for category in ["late", "quality", "attitude", "charge", "other", "no_show"]:
        raise_(cast, order_in(world), category)
    with django_assert_max_num_queries(8):
        r = client(cast.county_admin_a).get("/api/v1/complaints/")
    assert r.json()["count"] == 6


# --- pages ----------------------------------------------------------------------------------------------


def test_family_complains_from_the_family_page_and_disputes_the_ruling(
    cast: Any, world: dict[str, Any]
) -> None:
    order = order_in(world, "rated", rating=2)
    fam = browser(cast.family)
    page = fam.get("/services/family/").content.decode()
    assert f"/services/orders/{order.public_id}/complain/" in page
    form = fam.get(f"/services/orders/{order.public_id}/complain/")
    assert form.status_code == 200 and "elder-mode" in form.content.decode()
    empty = fam.post(
        f"/services/orders/{order.public_id}/complain/", {"category": "late", "description": " "}
    )
    assert empty.status_code == 400 and "请填写投诉内容" in empty.content.decode()
    r = fam.post(
        f"/services/orders/{order.public_id}/complain/",
        {"category": "no_show", "description": "没来却签了到"},
    )
    assert r.status_code == 302 and r["Location"] == "/services/family/"
    c = Complaint.objects.get()
    assert (c.channel, c.category, c.raised_by) == ("family", "no_show", cast.family)

    admin = browser(cast.county_admin_a)
    detail = f"/services/complaints/{c.public_id}/"
    assert "受理此投诉" in admin.get(detail).content.decode()
    admin.post(detail, {"op": "handle"})
    missing = admin.post(detail, {"op": "resolve", "outcome": "dismissed", "resolution": ""})
    assert missing.status_code == 302
    c.refresh_from_db()
    assert c.status == "handling"
    admin.post(detail, {"op": "resolve", "outcome": "dismissed", "resolution": "定位与照片显示已上门"})
    c.refresh_from_db()
    assert (c.status, c.outcome) == ("resolved", "dismissed")

    page = fam.get("/services/family/").content.decode()
    assert "定位与照片显示已上门" in page and "不满意，申请重新处理" in page
    fam.post(detail, {"op": "reopen", "reason": "邻居可以作证没来", "next": "/services/family/"})
    c.refresh_from_db()
    assert c.status == "handling" and c.reopen_reason == "邻居可以作证没来"
    order_page = admin.get(f"/services/orders/{order.public_id}/").content.decode()
    assert "未上门/虚假服务" in order_page and "投诉人不满意，重新处理" in order_page


def test_supervisor_list_filters_and_highlights_overdue(cast: Any, world: dict[str, Any]) -> None:
    late = raise_(cast, order_in(world), "late")
    raise_(cast, order_in(world), "quality")
    Complaint.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timedelta(hours=1))
    admin = browser(cast.county_admin_a)
    page = admin.get("/services/complaints/").content.decode()
    assert page.count('<span class="badge badge-danger">已超期</span>') == 1
    only = admin.get("/services/complaints/", {"overdue": "1"}).content.decode()
    assert "超时/迟到" in only and only.count("服务质量</td>") == 0
    assert "服务质量</td>" in admin.get("/services/complaints/", {"category": "quality"}).content.decode()
    assert browser(cast.caregiver).get("/services/complaints/").status_code == 403
    home = admin.get("/").content.decode()
    assert "待办结投诉" in home
