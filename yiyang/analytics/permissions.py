"""Permissions of statistics and KPIs (统计监测), with their Chinese labels.

Pure data (imports nothing): roles in ``yiyang.accounts.roles`` grant them."""

from __future__ import annotations

PERMISSIONS: dict[str, str] = {
    "kpis.view": "查看统计监测指标与看板",
    "kpis.enter": "填报部门指标（附佐证）",
    "kpis.targets": "设定与调整指标目标值（新版本留痕，旧版本保留）",
}
