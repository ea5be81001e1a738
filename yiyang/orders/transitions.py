"""The order, complaint and flag state machines (ARCHITECTURE rule 3). Every move goes through
``yiyang.core.statemachine.transition`` (compare-and-swap plus the timeline row) from the services."""

from __future__ import annotations

from yiyang.core.statemachine import StateMachine
from yiyang.orders.choices import ComplaintStatus as C
from yiyang.orders.choices import FlagStatus
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

# Orders a complaint may be raised on: every state after dispatch, settled and cancelled included
# (a no-show is often reported by cancelling). Never ``created``: nobody has been sent yet; the service
# also refuses an order that was never dispatched (cancelled before dispatch, no provider).
COMPLAINABLE = frozenset(set(S.values) - {S.CREATED})


# --- complaints (投诉) ----------------------------------------------------------------------------------

COMPLAINT_EDGES: dict[str, set[str]] = {
    C.OPEN: {C.HANDLING},
    C.HANDLING: {C.RESOLVED},
    # Reopened once, when the complainant disputes a "not upheld" ruling (guarded in the service).
    C.RESOLVED: {C.HANDLING},
}
COMPLAINT_MACHINE = StateMachine(COMPLAINT_EDGES, labels=dict(C.choices))
COMPLAINT_PENDING = frozenset({C.OPEN, C.HANDLING})
MAX_REOPENS = 1


# --- flags (异常标记): a supervisor clears (may be settled) or rejects (never paid) ----------------------

FLAG_MACHINE = StateMachine(
    {FlagStatus.OPEN: {FlagStatus.CLEARED, FlagStatus.REJECTED}}, labels=dict(FlagStatus.choices)
)
