"""``manage.py hotline_sweep``: one run of the hotline sweep (escalation, 督办 and appointment reminders), for cron when Celery
beat is not used."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Escalate unacknowledged emergencies along the duty roster, remind work orders due and send the "
        "appointment reminders due (one sweep)."
    )

    def handle(self, *args: Any, **opts: Any) -> None:
        from yiyang.hotline.tasks import hotline_sweep

        result = hotline_sweep.apply(kwargs={"_trigger": "schedule"}).get()
        self.stdout.write(
            f"升级 {result['escalated']} 起，督办 {result['supervised']} 件，"
            f"预约提醒 {result['appointments_reminded']} 条"
        )
