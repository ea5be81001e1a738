"""``manage.py hotline_sweep``: one run of the hotline sweep (escalation and 督办), for cron when Celery
beat is not used."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Escalate unacknowledged emergencies along the duty roster and remind work orders due (one sweep)."

    def handle(self, *args: Any, **opts: Any) -> None:
        from yiyang.hotline.tasks import hotline_sweep

        result = hotline_sweep.apply(kwargs={"_trigger": "schedule"}).get()
        self.stdout.write(f"升级 {result['escalated']} 起，督办 {result['supervised']} 件")
