"""The order actions' cost in queries (decision 0019): each endpoint of the lifecycle, called with a real
API token as a phone calls it, stays within its query budget — a change that adds a query to a move fails
here (counts, never timings). And the answer built from plain values is the detail serializer's, field for
field, for every kind of caller."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from yiyang.accounts.services import token_issue
from yiyang.orders import services
from yiyang.orders.api.serializers import OrderDetailSerializer, order_detail_answer
from yiyang.orders.complaints import complaint_raise
from yiyang.orders.models import Order, OrderEvent, OrderPhoto
from yiyang.orders.selectors import order_answer_parts, order_detail_queryset
from yiyang.orders.tests.factories import HOME, make_order, make_world

# Queries per request, token authentication included. PostgreSQL folds the grants into the token query
# and writes the move, its timeline row and its audit event in one statement; SQLite takes the
# portable path (one statement each, savepoints around nested writes).
BUDGET: dict[str, dict[str, int]] = {
    # step: {vendor: queries}. Dispatch's count includes the caregiver's in-app notification, written in
    # the dispatch's transaction (an in-database outbox channel: nothing is delivered after the commit).
    "create": {"postgresql": 9, "sqlite": 13},
    "dispatch": {"postgresql": 14, "sqlite": 20},
    "accept": {"postgresql": 6, "sqlite": 11},
    "check-in": {"postgresql": 8, "sqlite": 14},
    "check-out": {"postgresql": 14, "sqlite": 20},  # the short-service flag of a zero-minute visit
    "confirm": {"postgresql": 7, "sqlite": 13},
    "rate": {"postgresql": 7, "sqlite": 13},
    "decline": {"postgresql": 6, "sqlite": 11},
    "cancel": {"postgresql": 6, "sqlite": 12},
}


def _token_client(user: Any) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)[1]}")
    return c


def _budget(step: str) -> int:
    return BUDGET[step].get(connection.vendor, max(BUDGET[step].values()))


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def test_each_move_of_the_lifecycle_stays_within_its_query_budget(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    admin, carer, family = (_token_client(u) for u in (cast.county_admin_a, cast.caregiver, cast.family))
    when = (timezone.now() + timedelta(minutes=10)).isoformat()
    with django_assert_max_num_queries(_budget("create")):
        r = admin.post(
            "/api/v1/orders/",
            {
                "elder": str(world["elder"].public_id),
                "service_item": str(world["item"].public_id),
                "scheduled_start": when,
            },
            format="json",
        )
    assert r.status_code == 201, r.json()
    base = f"/api/v1/orders/{r.json()['id']}"
    steps = [
        ("dispatch", admin, "dispatch/", {"caregiver": str(world["staff"].public_id)}),
        ("accept", carer, "accept/", {}),
        ("check-in", carer, "check-in/", {"lat": HOME[0], "lng": HOME[1]}),
        ("check-out", carer, "check-out/", {"items_done": ["打扫卫生"], "notes": ""}),
        ("confirm", family, "confirm/", {}),
        ("rate", family, "rate/", {"score": 5}),
    ]
    for step, client, url, body in steps:
        with django_assert_max_num_queries(_budget(step)):
            r = client.post(f"{base}/{url}", body, format="json")
        assert r.status_code == 200, (step, r.json())
    # Every rule still ran: seven timeline rows, seven audit events, the flags of a zero-minute visit.
    order = Order.objects.get(public_id=r.json()["id"])
    assert order.status == "rated"
    assert [e["new"] for e in r.json()["timeline"]] == [
        "created",
        "dispatched",
        "accepted",
        "checked_in",
        "checked_out",
        "confirmed",
        "rated",
    ]
    assert {f["code"] for f in r.json()["flags"]} == {"short_service"}


def test_decline_and_cancel_stay_within_their_query_budget(
    cast: Any, world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    carer, admin = _token_client(cast.caregiver), _token_client(cast.county_admin_a)
    first = make_order(
        world["elder"], world["item"], status="dispatched", caregiver=world["staff"], provider=world["org"]
    )
    with django_assert_max_num_queries(_budget("decline")):
        r = carer.post(f"/api/v1/orders/{first.public_id}/decline/", {"reason": "时间冲突"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["caregiver"] is None
    with django_assert_max_num_queries(_budget("cancel")):
        r = admin.post(f"/api/v1/orders/{first.public_id}/cancel/", {"reason": "老人住院"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


def _rendered(data: Any) -> Any:
    return json.loads(JSONRenderer().render(data))


def test_the_fast_answer_is_the_detail_serializers_answer(cast: Any, world: dict[str, Any]) -> None:
    order = make_order(
        world["elder"],
        world["item"],
        status="accepted",
        caregiver=world["staff"],
        provider=world["org"],
        dispatched_at=timezone.now() - timedelta(minutes=20),
        accepted_at=timezone.now() - timedelta(minutes=5),
    )
    OrderEvent.objects.create(
        order=order, from_status="", to_status="created", actor_name="系统", data={"channel": "web"}
    )
    services.order_check_in(order=order, actor=cast.caregiver, lat=HOME[0] + 0.02, lng=HOME[1])  # far: a flag
    OrderPhoto.objects.create(
        order=order, image=f"orders/{order.public_id}/abc.jpg", uploaded_by=cast.caregiver
    )
    services.order_check_out(order=order, actor=cast.caregiver, items_done=["助浴"], notes="良好")
    complaint_raise(
        order=order, actor=cast.county_admin_a, category="attitude", description="服务人员态度生硬"
    )
    other = make_order(world["elder"], world["item"])  # a fresh order: no timeline, flags or photos
    for viewer in (cast.caregiver, cast.family, cast.county_admin_a):
        for subject in (order, other):
            loaded = order_detail_queryset(user=viewer, perm="orders.view").filter(pk=subject.pk).first()
            if loaded is None:  # the caregiver does not see an order not assigned to them
                assert viewer == cast.caregiver and subject == other
                continue
            expected = OrderDetailSerializer(loaded, context={"request": SimpleNamespace(user=viewer)}).data
            fast = order_detail_answer(loaded, order_answer_parts(loaded, user=viewer), viewer)
            assert _rendered(fast) == _rendered(expected)
            assert list(fast) == list(expected)
    answer = order_detail_answer(
        order, order_answer_parts(order, user=cast.county_admin_a), cast.county_admin_a
    )
    assert {f["code"] for f in answer["flags"]} >= {"far_check_in"}
    assert len(answer["photos"]) == 1 and len(answer["complaints"]) == 1
    assert answer["confirmation_code"] == "123456"
