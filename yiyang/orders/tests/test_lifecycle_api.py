"""The order lifecycle over the API: happy path, each illegal transition → 409, who may do what."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.orders.models import Order
from yiyang.orders.tests.factories import HOME, make_order, make_world, soon
from yiyang.orders.transitions import ORDER_MACHINE


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def _create(cast: Any, world: dict[str, Any]) -> str:
    r = client(cast.county_admin_a).post(
        "/api/v1/orders/",
        {
            "elder": str(world["elder"].public_id),
            "service_item": str(world["item"].public_id),
            "scheduled_start": soon().isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "created"
    return r.json()["id"]


def test_full_lifecycle_over_the_api_records_every_step(cast: Any, world: dict[str, Any]) -> None:
    oid = _create(cast, world)
    base = f"/api/v1/orders/{oid}"
    admin, carer, family = client(cast.county_admin_a), client(cast.caregiver), client(cast.family)

    cands = admin.get(f"{base}/candidates/").json()
    assert cands[0]["caregiver"] == str(world["staff"].public_id)
    assert cands[0]["eligible"] is True and cands[0]["distance_m"] > 0 and cands[0]["reasons"]
    assert (
        admin.post(f"{base}/dispatch/", {"caregiver": cands[0]["caregiver"]}, format="json").status_code
        == 200
    )
    assert carer.post(f"{base}/accept/").status_code == 200
    # The caregiver arrives at the appointed time (a check-in hours early would be flagged).
    Order.objects.filter(public_id=oid).update(scheduled_start=timezone.now())
    r = carer.post(f"{base}/check-in/", {"lat": HOME[0], "lng": HOME[1] + 0.0005}, format="json")
    assert r.status_code == 200 and r.json()["check_in_distance_m"] < 100
    Order.objects.filter(public_id=oid).update(checked_in_at=timezone.now() - timedelta(minutes=55))
    r = carer.post(f"{base}/check-out/", {"items_done": ["打扫卫生"], "notes": "老人精神好"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "checked_out"
    assert family.post(f"{base}/confirm/").status_code == 200
    r = family.post(f"{base}/rate/", {"score": 5, "comment": "很好"}, format="json")
    assert r.status_code == 200

    detail = admin.get(f"{base}/").json()
    assert detail["status"] == "rated" and detail["flags"] == []
    steps = [(e["old"], e["new"]) for e in detail["timeline"]]
    assert steps == [
        ("", "created"),
        ("created", "dispatched"),
        ("dispatched", "accepted"),
        ("accepted", "checked_in"),
        ("checked_in", "checked_out"),
        ("checked_out", "confirmed"),
        ("confirmed", "rated"),
    ]
    assert all(e["actor"] for e in detail["timeline"])
    order = Order.objects.get(public_id=oid)
    assert AuditEvent.objects.filter(object_id=oid, event__startswith="orders.").count() == 7
    assert order.rating == 5 and order.caregiver == world["staff"]


def test_caregiver_confirms_with_the_elders_code(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(
        world["elder"],
        world["item"],
        status="checked_out",
        caregiver=world["staff"],
        provider=world["org"],
        checked_in_at=timezone.now() - timedelta(hours=1),
        checked_out_at=timezone.now(),
    )
    carer = client(cast.caregiver)
    wrong = carer.post(f"/api/v1/orders/{order.public_id}/confirm/", {"code": "000000"}, format="json")
    assert wrong.status_code == 400 and "code" in wrong.json()["errors"]
    ok = carer.post(f"/api/v1/orders/{order.public_id}/confirm/", {"code": "123456"}, format="json")
    assert ok.status_code == 200 and ok.json()["confirmed_via"] == "code"
    assert ok.json()["confirmation_code"] is None  # never shown to the caregiver


@pytest.mark.parametrize(
    "status,who,action,body",
    [
        ("dispatched", "caregiver", "check-in", {"lat": HOME[0], "lng": HOME[1]}),
        ("accepted", "caregiver", "accept", {}),
        ("accepted", "caregiver", "check-out", {"items_done": ["x"]}),
        ("checked_in", "county_admin_a", "cancel", {"reason": "不需要了"}),
        ("checked_in", "family", "confirm", {}),
        ("checked_out", "family", "rate", {"score": 4}),
        ("dispatched", "county_admin_a", "dispatch", {"caregiver": None}),
        ("rated", "family", "rate", {"score": 4}),
        ("cancelled", "county_admin_a", "cancel", {"reason": "again"}),
        ("settled", "county_admin_a", "cancel", {"reason": "x"}),
    ],
)
def test_illegal_transition_is_409_naming_the_current_status(
    cast: Any, world: dict[str, Any], status: str, who: str, action: str, body: dict[str, Any]
) -> None:
    order = make_order(
        world["elder"],
        world["item"],
        status=status,
        caregiver=world["staff"],
        provider=world["org"],
        checked_in_at=timezone.now() - timedelta(hours=1),
    )
    if body.get("caregiver", 0) is None:
        body = {"caregiver": str(world["staff"].public_id)}
    r = client(getattr(cast, who)).post(f"/api/v1/orders/{order.public_id}/{action}/", body, format="json")
    assert r.status_code == 409, r.json()
    assert r.json()["current_status"] == status
    assert ORDER_MACHINE.label(status) in r.json()["message"]
    assert Order.objects.get(pk=order.pk).status == status


def test_second_dispatch_that_lost_the_race_is_409(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.orders.tests.factories import make_staff

    other = make_staff(world["org"])
    oid = _create(cast, world)
    admin = client(cast.county_admin_a)
    first = admin.post(
        f"/api/v1/orders/{oid}/dispatch/", {"caregiver": str(world["staff"].public_id)}, format="json"
    )
    second = admin.post(f"/api/v1/orders/{oid}/dispatch/", {"caregiver": str(other.public_id)}, format="json")
    assert first.status_code == 200 and second.status_code == 409
    assert second.json()["current_status"] == "dispatched"
    assert Order.objects.get(public_id=oid).caregiver == world["staff"]


def test_only_the_assigned_caregiver_may_serve(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.accounts.services import user_create
    from yiyang.orders.tests.factories import make_staff

    stranger = user_create(
        username="other_carer",
        password=cast.password,
        display_name="x",
        grants=[("caregiver", cast.county_a.code)],
    )
    make_staff(world["org"], user=stranger)
    order = make_order(
        world["elder"], world["item"], status="dispatched", caregiver=world["staff"], provider=world["org"]
    )
    assert client(stranger).post(f"/api/v1/orders/{order.public_id}/accept/").status_code == 404
    assert client(cast.county_admin_a).post(f"/api/v1/orders/{order.public_id}/accept/").status_code == 403
    assert Order.objects.get(pk=order.pk).status == "dispatched"


def test_decline_returns_the_order_for_redispatch_skipping_the_decliner(
    cast: Any, world: dict[str, Any]
) -> None:
    order = make_order(
        world["elder"], world["item"], status="dispatched", caregiver=world["staff"], provider=world["org"]
    )
    r = client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/decline/", {"reason": "生病"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["caregiver"] is None
    cands = client(cast.county_admin_a).get(f"/api/v1/orders/{order.public_id}/candidates/").json()
    mine = next(c for c in cands if c["caregiver"] == str(world["staff"].public_id))
    assert mine["eligible"] is False and "已拒绝过此工单" in mine["reasons"]


def test_order_for_an_inactive_elder_cannot_be_created(cast: Any, world: dict[str, Any]) -> None:
    world["elder"].status = "deceased"
    world["elder"].save()
    r = client(cast.county_admin_a).post(
        "/api/v1/orders/",
        {
            "elder": str(world["elder"].public_id),
            "service_item": str(world["item"].public_id),
            "scheduled_start": soon().isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400 and "elder" in r.json()["errors"]


def test_family_orders_for_their_elder_only(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.orders.tests.factories import make_elder

    stranger = make_elder(cast.community_a1)
    fam = client(cast.family)
    ok = fam.post(
        "/api/v1/orders/",
        {
            "elder": str(world["elder"].public_id),
            "service_item": str(world["item"].public_id),
            "scheduled_start": soon().isoformat(),
        },
        format="json",
    )
    assert ok.status_code == 201
    assert Order.objects.get(public_id=ok.json()["id"]).channel == "family"
    no = fam.post(
        "/api/v1/orders/",
        {
            "elder": str(stranger.public_id),
            "service_item": str(world["item"].public_id),
            "scheduled_start": soon().isoformat(),
        },
        format="json",
    )
    assert no.status_code == 404  # an elder not theirs is answered like one that does not exist
    listed = fam.get("/api/v1/orders/").json()["results"]
    assert [o["id"] for o in listed] == [ok.json()["id"]]


def test_caregiver_me_includes_staff_id(cast: Any, world: dict[str, Any]) -> None:
    r = client(cast.caregiver).get("/api/v1/auth/me/")
    assert r.json()["staff_id"] == str(world["staff"].public_id)
    assert client(cast.county_admin_a).get("/api/v1/auth/me/").json()["staff_id"] is None


def test_service_items_list_the_catalog(cast: Any, world: dict[str, Any]) -> None:
    r = client(cast.caregiver).get("/api/v1/service-items/")
    assert r.status_code == 200
    item = r.json()["results"][0]
    assert {"id", "code", "name", "standard_minutes", "price_fen"} <= set(item)
    assert client(cast.nobody).get("/api/v1/service-items/").status_code == 403


def test_order_list_query_count_is_flat(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(15):
        make_order(world["elder"], world["item"], provider=world["org"], caregiver=world["staff"])
    admin = client(cast.county_admin_a)
    admin.get("/api/v1/orders/")
    with django_assert_max_num_queries(8):
        r = admin.get("/api/v1/orders/")
    assert r.json()["count"] == 15
