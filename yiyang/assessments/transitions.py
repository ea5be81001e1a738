"""The assessment state machine (ARCHITECTURE rule 3); moves go through ``yiyang.core.statemachine.transition``
from ``yiyang.assessments.services``, which writes the ``AssessmentEvent`` row."""

from __future__ import annotations

from yiyang.assessments.models import Status
from yiyang.core.statemachine import StateMachine

ASSESSMENT_MACHINE = StateMachine(
    {
        Status.REQUESTED: {Status.ASSIGNED, Status.CANCELLED},
        Status.ASSIGNED: {Status.IN_PROGRESS, Status.ASSIGNED, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.SUBMITTED, Status.CANCELLED},
        Status.SUBMITTED: {Status.COMPLETED, Status.IN_PROGRESS, Status.CANCELLED},
    },
    labels=dict(Status.choices),
)
