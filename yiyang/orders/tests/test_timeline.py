"""Order, complaint and flag timelines: one row per move written by ``transition`` itself, shown with
Chinese labels (never status codes); a dispatch tells the caregiver through the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from yiyang.core.models import Notification, OutboxMessage
from yiyang.core.outbox import deliver_due
from yiyang.core.statemachine import IllegalTransition
from yiyang.orders.models import FlagEvent, OrderEvent
from yiyang.orders.services import flag_raise, flag_resolve, order_dispatch
from yiyang.orders.tests.factories import make_order, make_world
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db


def test_dispatch_writes_one_labelled_row_and_tells_the_caregiver_after_commit(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    world = make_world(cast)
    order = make_order(world["elder"], world["item"], status="created")
    with django_capture_on_commit_callbacks(execute=True):
        order_dispatch(order=order, caregiver=world["staff"], actor=cast.county_admin_a)
    row = OrderEvent.objects.get(order=order, to_status="dispatched")
    assert (row.from_label, row.to_label, row.actor_name) == (
        "待派单",
        "已派单",
        cast.county_admin_a.display_name,
    )
    note = Notification.objects.get(recipient=cast.caregiver)
    assert note.title.startswith("新工单") and str(order.public_id) in note.link
    assert OutboxMessage.objects.get().status == "sent"

    c = Client()
    c.force_login(cast.county_admin_a)
    page = c.get(f"/services/orders/{order.public_id}/").content.decode()
    assert "待派单 → 已派单" in page and "created → dispatched" not in page
    api = APIClient()
    api.force_authenticate(cast.county_admin_a)
    timeline = api.get(f"/api/v1/orders/{order.public_id}/").json()["timeline"]
    assert (timeline[-1]["old_label"], timeline[-1]["new_label"]) == ("待派单", "已派单")


def test_a_refused_dispatch_leaves_no_row_and_no_message(cast: Any) -> None:
    world = make_world(cast)
    order = make_order(world["elder"], world["item"], status="cancelled")
    with pytest.raises(IllegalTransition), transaction.atomic():
        order_dispatch(order=order, caregiver=world["staff"], actor=cast.county_admin_a)
    assert not OrderEvent.objects.filter(order=order).exists() and not OutboxMessage.objects.exists()
    assert deliver_due()["claimed"] == 0


def test_a_flag_decision_is_a_row_in_the_flag_timeline(cast: Any) -> None:
    world = make_world(cast)
    order = make_order(world["elder"], world["item"], status="confirmed")
    flag = flag_raise(order=order, code="far_check_in", message="签到位置偏远", actor=SYSTEM)
    flag_resolve(flag=flag, actor=cast.county_admin_a, decision="clear", reason="老人临时在女儿家")
    row = FlagEvent.objects.get(flag=flag)
    assert (row.from_label, row.to_label, row.reason) == (
        "待核查",
        "核实无误（放行结算）",
        "老人临时在女儿家",
    )
