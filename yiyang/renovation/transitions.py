"""The application state machine (ARCHITECTURE rule 3): application → street review → publicity →
district approval → needs assessment → plan → sign-off → construction → acceptance → payment. Every move
goes through ``yiyang.core.statemachine.transition`` from the services."""

from __future__ import annotations

from yiyang.core.statemachine import StateMachine
from yiyang.renovation.choices import ApplicationStatus as S

EDGES: dict[str, set[str]] = {
    S.SUBMITTED: {S.PUBLICITY, S.REJECTED, S.WITHDRAWN},
    S.PUBLICITY: {S.PUBLICISED, S.REJECTED, S.WITHDRAWN},
    S.PUBLICISED: {S.APPROVED, S.REJECTED, S.WITHDRAWN},
    S.APPROVED: {S.ASSESSED, S.REJECTED, S.WITHDRAWN},
    S.ASSESSED: {S.PLANNED, S.REJECTED, S.WITHDRAWN},
    S.PLANNED: {S.SIGNED, S.WITHDRAWN},
    S.SIGNED: {S.BUILDING, S.WITHDRAWN},
    S.BUILDING: {S.COMPLETED},
    # Acceptance failed on site: back to construction with the reason.
    S.COMPLETED: {S.ACCEPTED, S.BUILDING},
    S.ACCEPTED: {S.PAID},
    S.PAID: set(),
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
}

MACHINE = StateMachine(EDGES, labels=dict(S.choices))

# Who may refuse an application at each step: the street before publicity ends, the district after.
REJECT_PERM: dict[str, str] = {
    S.SUBMITTED: "renovation.review",
    S.PUBLICITY: "renovation.review",
    S.PUBLICISED: "renovation.approve",
    S.APPROVED: "renovation.approve",
    S.ASSESSED: "renovation.approve",
}
WITHDRAWABLE = frozenset(s for s, targets in EDGES.items() if S.WITHDRAWN in targets)
OPEN = frozenset(set(S.values) - {S.PAID, S.REJECTED, S.WITHDRAWN})
