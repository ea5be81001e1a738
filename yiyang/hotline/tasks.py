"""Periodic jobs of the hotline (Celery beat, every minute; the state lives in the database rows)."""

from __future__ import annotations

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.hotline.tasks.hotline_sweep", "热线：紧急呼援超时升级、工单督办与预约提醒")
def hotline_sweep() -> dict[str, int]:
    """Escalate unacknowledged incidents, remind work orders near or past their deadline and send the
    reminders of appointments (预约挂号) whose time has come."""
    from yiyang.hotline.services import (
        appointments_remind_due,
        incidents_escalate_due,
        work_orders_supervise_due,
    )
    from yiyang.regions.scope import SYSTEM

    return {
        **incidents_escalate_due(actor=SYSTEM),
        **work_orders_supervise_due(actor=SYSTEM),
        **appointments_remind_due(actor=SYSTEM),
    }
