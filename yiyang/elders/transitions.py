from yiyang.core.statemachine import StateMachine
from yiyang.elders.choices import ElderStatus

S = ElderStatus
ELDER_STATUS = StateMachine(
    {
        S.ACTIVE: {S.MOVED_OUT, S.DECEASED},
        S.MOVED_OUT: {S.ACTIVE, S.DECEASED},
        S.DECEASED: {S.ACTIVE},  # correction of a wrongly registered death (audited, reason required)
    },
    labels=dict(S.choices),
)
