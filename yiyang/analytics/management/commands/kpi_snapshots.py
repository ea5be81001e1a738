"""``manage.py kpi_snapshots [--months N]``: compute this month's KPI snapshots for every region of the
city, and with ``--months N`` the N months before it too (backfilled from the data as it now stands)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "计算统计监测指标的月度快照（--months N 同时回溯补算前 N 个月）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--months", type=int, default=0, help="回溯补算的月数（0–36）")

    def handle(self, *args: Any, **opts: Any) -> None:
        from yiyang.analytics.services import snapshots_backfill
        from yiyang.regions.scope import SYSTEM

        months = max(0, min(36, int(opts["months"])))
        result = snapshots_backfill(actor=SYSTEM, months=months)
        self.stdout.write(f"已计算 {result['months']} 个月的指标快照，共 {result['processed']} 条")
