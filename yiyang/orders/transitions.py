"""The one order state machine (ARCHITECTURE rule 3). Every move goes through
``yiyang.core.statemachine.transition`` (compare-and-swap) from ``yiyang.orders.services``."""

from __future__ import annotations

from yiyang.core.statemachine import StateMachine
from yiyang.orders.choices import OrderStatus as S

ORDER_EDGES: dict[str, set[str]] = {
    S.CREATED: {S.DISPATCHED, S.CANCELLED},
    # A dispatched order not accepted in time goes back to created (SLA re-dispatch).
    S.DISPATCHED: {S.ACCEPTED, S.DECLINED, S.CREATED, S.CANCELLED},
    S.DECLINED: {S.DISPATCHED, S.CANCELLED},
    S.ACCEPTED: {S.CHECKED_IN, S.CANCELLED},
    S.CHECKED_IN: {S.CHECKED_OUT},
    S.CHECKED_OUT: {S.CONFIRMED},
    S.CONFIRMED: {S.RATED, S.SETTLED},
    S.RATED: {S.SETTLED},
    S.SETTLED: set(),
    S.CANCELLED: set(),
}

ORDER_MACHINE = StateMachine(ORDER_EDGES, labels=dict(S.choices))

# Orders still to be served: cancelled when the elder dies or moves out.
OPEN_STATUSES = frozenset({S.CREATED, S.DISPATCHED, S.DECLINED, S.ACCEPTED})
# Orders a caregiver holds (counted as load, checked for overlapping time windows).
BUSY_STATUSES = frozenset({S.DISPATCHED, S.ACCEPTED, S.CHECKED_IN})
DISPATCHABLE = frozenset({S.CREATED, S.DECLINED})
SETTLEABLE = frozenset({S.CONFIRMED, S.RATED})
