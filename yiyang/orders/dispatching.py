"""Automatic dispatch (writes): one order to the nearest qualified free caregiver, or many at once by
the regret plan. The matching itself is the read-only library ``yiyang.dispatch.matching``; every
assignment goes through ``order_dispatch`` (CAS), so a dispatcher racing the robot gets a 409."""

from __future__ import annotations

from typing import Any

from yiyang.core.errors import Conflict, DomainError
from yiyang.dispatch.matching import Candidate, dispatch_organisations, order_candidates, plan_bulk
from yiyang.orders.models import Order
from yiyang.orders.services import order_dispatch


def order_auto_dispatch(*, order: Order, actor: Any) -> Candidate:
    candidates = order_candidates(order=order, organisations=dispatch_organisations(actor))
    chosen = next((c for c in candidates if c.eligible), None)
    if chosen is None:
        raise DomainError(
            "没有符合条件的服务人员可派",
            code="no_candidate",
            extra={"candidates": [c.as_dict() for c in candidates[:20]]},
        )
    order_dispatch(
        order=order,
        caregiver=chosen.staff,
        actor=actor,
        reason="自动派单：最近的合格空闲服务人员",
        candidate=chosen,
    )
    return chosen


def orders_auto_dispatch(*, orders: list[Order], actor: Any) -> dict[str, Any]:
    """Automatic dispatch in bulk. Orders another dispatcher moved meanwhile are reported, not forced."""
    orgs = dispatch_organisations(actor)
    plan, unplaced = plan_bulk(orders, organisations=orgs)
    by_pk = {o.pk: o for o in orders}
    dispatched: list[str] = []
    conflicts: list[str] = []
    total = 0
    for pk, cand in plan.items():
        try:
            order_dispatch(
                order=by_pk[pk], caregiver=cand.staff, actor=actor, reason="批量自动派单", candidate=cand
            )
        except Conflict:
            conflicts.append(str(by_pk[pk].public_id))
            continue
        dispatched.append(str(by_pk[pk].public_id))
        total += cand.distance_m or 0
    return {
        "dispatched": dispatched,
        "unassigned": [str(o.public_id) for o in unplaced],
        "conflicts": conflicts,
        "total_distance_m": total,
    }
