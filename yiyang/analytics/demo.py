"""Demo KPIs: 12 months of snapshots backfilled from the demo data (ages and statuses at each month's end;
facilities and beds as registered now: the UI says so) and a few departmental entries for the city,
marked as demo in their evidence."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from yiyang.analytics.models import KpiEntry, KpiSnapshot
from yiyang.analytics.selectors import city_code
from yiyang.analytics.services import kpi_entry_create, snapshots_backfill, snapshots_refresh
from yiyang.regions.scope import SYSTEM

ENTRIES = [
    ("private_bed_share", "66.2", "市民政局"),
    ("public_private_operation_rate", "58.0", "市民政局"),
    ("kangyang_consortia", "46", "市民政局、市卫健委"),
    ("social_workers_per_10k", "31.5", "市民政局"),
    ("new_meal_points", "29", "市民政局"),
]


def seed(ctx: Any) -> str:
    city = city_code()
    if not KpiEntry.objects.filter(region_code=city).exists():
        day = date(timezone.localdate().year, max(1, timezone.localdate().month - 1), 1)
        for code, value, dept in ENTRIES:
            kpi_entry_create(
                actor=SYSTEM,
                kpi_code=code,
                region_code=city,
                value=value,
                as_of=day,
                department=dept,
                evidence="演示填报（非真实数据）：扬州市养老服务统计月报",
            )
    if KpiSnapshot.objects.filter(region_code=city).values("period").distinct().count() >= 13:
        snapshots_refresh(actor=SYSTEM)
        return "指标快照已存在，已刷新本月"
    result = snapshots_backfill(actor=SYSTEM, months=12)
    return f"指标快照 {result['months']} 个月、{result['processed']} 条（往月为回溯补算）"
