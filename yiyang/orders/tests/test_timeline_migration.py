"""The data migration that moved complaint moves out of the order's timeline (where they were rows with
from == to == the order's status) into the complaint's own timeline, both ways."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from yiyang.orders.complaints import complaint_handle, complaint_raise, complaint_resolve
from yiyang.orders.models import ComplaintEvent, OrderEvent
from yiyang.orders.tests.factories import make_order, make_world

BEFORE = [("orders", "0005_transition_event_base")]
AFTER = [("orders", "0006_complaint_events_from_order_timeline")]


def _migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_complaint_moves_leave_the_order_timeline_and_come_back(cast: Any) -> None:
    world = make_world(cast)
    order = make_order(
        world["elder"], world["item"], status="confirmed", provider=world["org"], caregiver=world["staff"]
    )
    c = complaint_raise(order=order, actor=cast.county_admin_a, category="attitude", description="态度生硬")
    complaint_handle(complaint=c, actor=cast.county_admin_a)
    complaint_resolve(
        complaint=c, actor=cast.county_admin_a, outcome="dismissed", resolution="回访核实无此事"
    )
    original = list(c.events.values_list("from_status", "to_status", "reason", "actor_name", "at"))
    order_rows = OrderEvent.objects.filter(order=order).count()
    try:
        _migrate(BEFORE)  # backwards: the old shape
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT from_status, to_status, data FROM orders_orderevent WHERE order_id = %s ORDER BY at, id",
                [order.pk],
            )
            rows = cursor.fetchall()
        complaint_rows = [r for r in rows if "complaint" in str(r[2])]
        assert len(complaint_rows) == 3 and all(r[0] == r[1] == "confirmed" for r in complaint_rows)
        assert len(rows) == order_rows + 3
    finally:
        _migrate(AFTER)  # forwards again: the new shape, as the other tests expect
    again = list(
        ComplaintEvent.objects.filter(complaint=c).values_list(
            "from_status", "to_status", "reason", "actor_name", "at"
        )
    )
    assert again == original
    assert [(f, t) for f, t, *_ in again] == [("", "open"), ("open", "handling"), ("handling", "resolved")]
    assert OrderEvent.objects.filter(order=order).count() == order_rows
