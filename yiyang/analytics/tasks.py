from __future__ import annotations

from typing import Any

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.analytics.tasks.kpi_snapshots", "统计监测：计算本月指标快照（每晚；每月 1 日补结上月）")
def kpi_snapshots() -> dict[str, Any]:
    """Every night: this month's snapshot of every KPI for every region of the city (as of today). On the
    1st the month before is closed as of its last day first, so each month keeps its final figures."""
    from django.utils import timezone

    from yiyang.analytics.services import months_back, snapshots_refresh
    from yiyang.regions.scope import SYSTEM

    today = timezone.localdate()
    processed = 0
    if today.day == 1:
        processed += snapshots_refresh(actor=SYSTEM, period=months_back(today, 1)[0], backfilled=False)[
            "processed"
        ]
    processed += snapshots_refresh(actor=SYSTEM)["processed"]
    return {"processed": processed}
