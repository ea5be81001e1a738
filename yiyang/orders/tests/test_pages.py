"""Pages: the dispatcher creates and dispatches, the caregiver serves on the phone page, the family
confirms and rates, the supervisor clears a flag, the month is settled and exported."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.orders.models import Order, Settlement
from yiyang.orders.tests.factories import HOME, make_order, make_world


def browser(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def test_the_whole_loop_through_the_pages(cast: Any, world: dict[str, Any]) -> None:
    admin = browser(cast.county_admin_a)
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    r = admin.post(
        f"/services/order/{world['elder'].public_id}/",
        {f"qty_{world['item'].public_id}": "1", "scheduled_start": when, "op": "place"},
    )
    assert r.status_code == 302
    order = Order.objects.get()
    assert order.channel == "web"  # a county admin on the web platform
    page = admin.get(f"/services/dispatch/{order.public_id}/")
    assert world["staff"].name in page.content.decode() and "可派" in page.content.decode()
    admin.post(
        f"/services/dispatch/{order.public_id}/", {"op": "manual", "caregiver": str(world["staff"].public_id)}
    )

    phone = browser(cast.caregiver)
    assert str(order.public_id) in phone.get("/services/m/").content.decode()
    serve = f"/services/m/{order.public_id}/"
    assert "接单" in phone.get(serve).content.decode()
    phone.post(serve, {"op": "accept"})
    # The caregiver arrives at the appointed time (a check-in hours early would be flagged).
    Order.objects.filter(pk=order.pk).update(scheduled_start=timezone.now())
    phone.post(serve, {"op": "check_in", "lat": str(HOME[0]), "lng": str(HOME[1])})
    Order.objects.filter(pk=order.pk).update(checked_in_at=timezone.now() - timedelta(minutes=50))
    phone.post(serve, {"op": "check_out", "items_done": ["打扫"], "notes": "好"})
    order.refresh_from_db()
    assert order.status == "checked_out"

    family = browser(cast.family)
    assert order.confirmation_code in family.get("/services/family/").content.decode()
    family.post("/services/family/", {"order": str(order.public_id), "op": "confirm"})
    family.post("/services/family/", {"order": str(order.public_id), "op": "rate", "score": "5"})
    order.refresh_from_db()
    assert order.status == "rated" and order.rating == 5

    month = timezone.localtime(order.checked_out_at).strftime("%Y-%m")
    r = admin.post("/services/settlements/", {"provider": str(world["org"].public_id), "month": month})
    settlement = Settlement.objects.get()
    assert r["Location"] == f"/services/settlements/{settlement.public_id}/"
    assert settlement.total_fen == 6000
    export = admin.get(f"/services/settlements/{settlement.public_id}/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    again = admin.post("/services/settlements/", {"provider": str(world["org"].public_id), "month": month})
    assert again.status_code == 302 and Settlement.objects.count() == 1


def test_supervision_page_lists_open_flags_and_polls(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.orders.services import order_check_in

    order = make_order(
        world["elder"], world["item"], status="accepted", caregiver=world["staff"], provider=world["org"]
    )
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0] + 0.009, lng=HOME[1])
    admin = browser(cast.county_admin_a)
    full = admin.get("/services/supervision/").content.decode()
    assert 'hx-trigger="every 15s' in full and "签到位置距老人住址过远" in full
    partial = admin.get("/services/supervision/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and str(order.public_id) in partial
    evil = admin.post(
        f"/services/orders/{order.public_id}/",
        {"op": "clear", "code": "far_check_in", "reason": "已核实", "next": "https://evil.example/"},
    )
    assert order.flags.get().status == "cleared"
    # An off-site ``next`` is ignored: back to the order, on this host.
    assert evil.status_code == 302
    assert "evil.example" not in evil["Location"]
    assert evil["Location"] == f"/services/orders/{order.public_id}/"
    # A ``next`` on this site is followed (the supervision page sends people back to itself).
    back = admin.post(
        f"/services/orders/{order.public_id}/",
        {"op": "clear", "code": "far_check_in", "reason": "已核实", "next": "/services/supervision/"},
    )
    assert back.status_code == 302 and back["Location"] == "/services/supervision/"
    assert "没有待核查的异常工单" in admin.get("/services/supervision/").content.decode()


def test_caregiver_check_in_without_location_is_refused(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(
        world["elder"], world["item"], status="accepted", caregiver=world["staff"], provider=world["org"]
    )
    browser(cast.caregiver).post(f"/services/m/{order.public_id}/", {"op": "check_in", "lat": "", "lng": ""})
    assert Order.objects.get(pk=order.pk).status == "accepted"


def test_malformed_ids_in_forms_are_not_found_not_errors(cast: Any, world: dict[str, Any]) -> None:
    fam = browser(cast.family)
    assert fam.post("/services/family/", {"order": "not-a-uuid", "op": "confirm"}).status_code == 404
    r = browser(cast.county_admin_a).post("/services/settlements/", {"provider": "x", "month": "2026-10"})
    assert r.status_code == 302 and Settlement.objects.count() == 0


def test_pages_render_for_their_roles(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(10):
        make_order(world["elder"], world["item"], provider=world["org"], caregiver=world["staff"])
    admin = browser(cast.county_admin_a)
    for url in [
        "/services/orders/",
        "/services/dispatch/",
        "/services/providers/",
        "/services/catalog/",
        f"/services/providers/{world['org'].public_id}/",
        "/services/settlements/",
    ]:
        assert admin.get(url).status_code == 200, url
    with django_assert_max_num_queries(20):
        assert admin.get("/services/orders/").status_code == 200
    assert browser(cast.caregiver).get("/services/m/").status_code == 200
    assert browser(cast.caregiver).get("/services/dispatch/").status_code == 403
    assert browser(cast.family).get("/services/family/").status_code == 200


def test_assigned_caregiver_sees_the_full_address_and_phone_on_request_and_it_is_audited(
    cast: Any, world: dict[str, Any]
) -> None:
    from yiyang.audit.models import AuditEvent
    from yiyang.core.pii import encrypt

    elder = world["elder"]
    elder.address_enc, elder.address_masked = encrypt("文昌社区幸福路 8 号 3 栋 201"), "文昌社区幸福****"
    elder.phone_enc, elder.phone_masked = encrypt("13812345678"), "138****5678"
    elder.save()
    order = make_order(
        elder, world["item"], status="accepted", caregiver=world["staff"], provider=world["org"]
    )
    phone = browser(cast.caregiver)
    url = f"/services/m/{order.public_id}/"
    page = phone.get(url).content.decode()
    assert "查看完整住址和电话" in page and "幸福路 8 号" not in page and "13812345678" not in page
    shown = phone.post(url, {"op": "contact"})
    body = shown.content.decode()
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert "文昌社区幸福路 8 号 3 栋 201" in body and "13812345678" in body
    events = AuditEvent.objects.filter(event="elders.reveal", actor=cast.caregiver)
    assert sorted(e.data["field"] for e in events) == ["address", "phone"]
    assert all(e.data["order"] == str(order.public_id) and e.data["duty"] == "上门服务" for e in events)
    # Not before accepting: a dispatched visit shows no button and refuses the request.
    Order.objects.filter(pk=order.pk).update(status="dispatched")
    assert "查看完整住址和电话" not in phone.get(url).content.decode()
    refused = phone.post(url, {"op": "contact"}, follow=True).content.decode()
    assert "接单后、签退前才能查看" in refused and "13812345678" not in refused
    assert AuditEvent.objects.filter(event="elders.reveal").count() == 2


def test_another_caregiver_cannot_see_the_visit_contact(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.orders.tests.factories import make_staff

    other = make_staff(world["org"])
    order = make_order(
        world["elder"], world["item"], status="accepted", caregiver=other, provider=world["org"]
    )
    r = browser(cast.caregiver).post(f"/services/m/{order.public_id}/", {"op": "contact"})
    assert r.status_code == 404
