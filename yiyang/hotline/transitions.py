"""The incident and work-order state machines (ARCHITECTURE rule 3)."""

from __future__ import annotations

from yiyang.core.statemachine import StateMachine
from yiyang.hotline.choices import IncidentStatus as I
from yiyang.hotline.choices import WorkOrderStatus as W

INCIDENT_EDGES: dict[str, set[str]] = {
    I.OPEN: {I.ACKNOWLEDGED},
    # A false alarm or a case settled on the phone closes without anyone sent.
    I.ACKNOWLEDGED: {I.DISPATCHED, I.CLOSED},
    I.DISPATCHED: {I.ARRIVED, I.CLOSED},
    I.ARRIVED: {I.CLOSED},
    I.CLOSED: set(),
}
INCIDENT_MACHINE = StateMachine(INCIDENT_EDGES, labels=dict(I.choices))
INCIDENT_ACTIVE = frozenset({I.OPEN, I.ACKNOWLEDGED, I.DISPATCHED, I.ARRIVED})

WORK_ORDER_EDGES: dict[str, set[str]] = {
    W.ACCEPTED: {W.ASSIGNED},
    # ASSIGNED → ASSIGNED and HANDLING → ASSIGNED: a transfer to another handler (with its reason).
    W.ASSIGNED: {W.HANDLING, W.RESOLVED, W.ASSIGNED},
    W.HANDLING: {W.RESOLVED, W.ASSIGNED},
    # RESOLVED → HANDLING: returned for rework (退回重办).
    W.RESOLVED: {W.CLOSED, W.HANDLING},
    W.CLOSED: set(),
}
WORK_ORDER_MACHINE = StateMachine(WORK_ORDER_EDGES, labels=dict(W.choices))
WORK_ORDER_OPEN = frozenset({W.ACCEPTED, W.ASSIGNED, W.HANDLING})
TRANSFERABLE = frozenset({W.ASSIGNED, W.HANDLING})
