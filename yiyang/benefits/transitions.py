"""State machines of benefits (ARCHITECTURE rule 3); moves via ``yiyang.core.statemachine.transition``."""

from __future__ import annotations

from yiyang.benefits.choices import DeathImportStatus, EnrolmentStatus, RunStatus
from yiyang.core.statemachine import StateMachine

ENROLMENT_MACHINE = StateMachine(
    {
        EnrolmentStatus.PROPOSED: {
            EnrolmentStatus.ACTIVE,
            EnrolmentStatus.REJECTED,
            EnrolmentStatus.SUSPENDED,
        },
        EnrolmentStatus.ACTIVE: {EnrolmentStatus.SUSPENDED},
        EnrolmentStatus.SUSPENDED: {EnrolmentStatus.ACTIVE},
        EnrolmentStatus.REJECTED: {EnrolmentStatus.PROPOSED},
    },
    labels=dict(EnrolmentStatus.choices),
)

RUN_MACHINE = StateMachine(
    {RunStatus.DRAFT: {RunStatus.APPROVED}, RunStatus.APPROVED: {RunStatus.PAID}},
    labels=dict(RunStatus.choices),
)

DEATH_IMPORT_MACHINE = StateMachine(
    {DeathImportStatus.PENDING: {DeathImportStatus.CONFIRMED, DeathImportStatus.CANCELLED}},
    labels=dict(DeathImportStatus.choices),
)
