"""The alarm state machine: raised → acknowledged → handled / false alarm (a raised alarm may also be
closed directly: the device came back, activity resumed, or it is plainly false)."""

from __future__ import annotations

from yiyang.core.statemachine import StateMachine
from yiyang.devices.choices import AlarmStatus as A

ALARM_MACHINE = StateMachine(
    {
        A.RAISED: {A.ACKNOWLEDGED, A.HANDLED, A.FALSE_ALARM},
        A.ACKNOWLEDGED: {A.HANDLED, A.FALSE_ALARM},
    },
    labels=dict(A.choices),
)
