"""The orders app's subscriber to ``core.hooks.elder_status_changed``: registered by its AppConfig, and
on its own it stops the elder's open orders; a correction back to active stops nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.core.hooks import ElderStatusChanged, elder_status_changed
from yiyang.elders.services import elder_change_status
from yiyang.orders.models import Order
from yiyang.orders.services import on_elder_status
from yiyang.orders.tests.factories import make_order, make_world


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def test_orders_subscribes_to_elder_status_changes() -> None:
    assert on_elder_status in elder_status_changed.handlers


def test_orders_subscriber_cancels_open_orders_on_move_out(cast: Any, world: dict[str, Any]) -> None:
    waiting = make_order(world["elder"], world["item"])
    with elder_status_changed.only(on_elder_status):
        elder_change_status(
            actor=cast.county_admin_a,
            elder=world["elder"],
            status="moved_out",
            effective_date=timezone.localdate(),
            reason="迁出",
        )
    assert Order.objects.get(pk=waiting.pk).status == "cancelled"
    assert world["elder"].status_changes.get().data == {"orders_cancelled": 1, "orders_flagged": 0}
    # People read what was stopped, not the effect keys.
    page = Client()
    page.force_login(cast.county_admin_a)
    shown = page.get(f"/elders/{world['elder'].public_id}/?tab=status").content.decode()
    assert "已取消工单 1" in shown and "orders_cancelled" not in shown


def test_orders_subscriber_does_nothing_when_the_elder_becomes_active(
    cast: Any, world: dict[str, Any]
) -> None:
    waiting = make_order(world["elder"], world["item"])
    event = ElderStatusChanged(
        elder_id=world["elder"].public_id,
        region_code=world["elder"].region_id,
        old="moved_out",
        new="active",
        effective_date=timezone.localdate() - timedelta(days=1),
        actor=cast.county_admin_a,
        at=timezone.now(),
    )
    assert on_elder_status(event) == {}
    assert Order.objects.get(pk=waiting.pk).status == waiting.status
