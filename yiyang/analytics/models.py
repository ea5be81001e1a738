"""The KPI registry (统计监测指标) as data: the indicators, their targets per region and year, the monthly
snapshots of their values, and the values departments enter with evidence (docs/decisions/0016)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from yiyang.analytics.choices import Direction, Source
from yiyang.regions.scope import ScopedManager


def _all_levels() -> list[str]:
    return ["city", "county", "town", "village"]


class Kpi(models.Model):
    """One indicator. ``source`` says where its value comes from: ``computed`` by the named query
    (``yiyang.analytics.queries``), or ``entered`` by a department with evidence and a date."""

    code = models.CharField("指标代码", max_length=60, unique=True)
    name = models.CharField("指标名称", max_length=100)
    unit = models.CharField("单位", max_length=20, blank=True)
    formula = models.CharField("计算口径", max_length=400)
    direction = models.CharField("方向", max_length=10, choices=Direction.choices, default=Direction.UP)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    query = models.CharField("计算查询", max_length=80, blank=True)
    decimals = models.PositiveSmallIntegerField("小数位", default=1)
    levels = models.JSONField("适用层级", default=_all_levels)
    group = models.CharField("分组", max_length=20)
    department = models.CharField("牵头部门", max_length=60, blank=True)
    seed_ref = models.CharField("出处", max_length=120, blank=True)
    order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = "统计监测指标"
        verbose_name_plural = "统计监测指标"

    def __str__(self) -> str:
        return self.name


class KpiTarget(models.Model):
    """A target of one KPI for one region and year, with the baseline the straight-line path starts from.
    ``is_demo`` marks the demo city's targets loaded from other cities' plans (湖州 表1/表3)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("目标年份")
    value = models.DecimalField("目标值", max_digits=18, decimal_places=2)
    comparator = models.CharField("要求", max_length=4, default="≥")
    baseline_year = models.PositiveSmallIntegerField("基期年份", null=True, blank=True)
    baseline_value = models.DecimalField("基期值", max_digits=18, decimal_places=2, null=True, blank=True)
    is_demo = models.BooleanField("演示目标", default=False)
    source = models.CharField("目标出处", max_length=200, blank=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["kpi__order", "region_code", "year"]
        verbose_name = "指标目标值"
        verbose_name_plural = "指标目标值"
        constraints = [
            models.UniqueConstraint(fields=["kpi", "region_code", "year"], name="kpi_target_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.year}"


class KpiSnapshot(models.Model):
    """A KPI's value for one region and month, kept so that trends exist. ``value`` is ``None`` when the
    data does not exist (``reason`` says why), never zero. ``backfilled`` marks history computed later
    from the register as it stood then (reconstructed from dates), not recorded at the time."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="snapshots")
    region_code = models.CharField("区域代码", max_length=12)
    period = models.CharField("月份", max_length=7)
    as_of = models.DateField("统计截至")
    value = models.DecimalField("值", max_digits=18, decimal_places=2, null=True, blank=True)
    numerator = models.DecimalField("分子/合计", max_digits=18, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField("分母/件数", max_digits=18, decimal_places=2, null=True, blank=True)
    reason = models.CharField("无数据原因", max_length=200, blank=True)
    backfilled = models.BooleanField("回溯补算", default=False)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["period", "region_code"]
        verbose_name = "指标月度快照"
        verbose_name_plural = "指标月度快照"
        constraints = [
            models.UniqueConstraint(fields=["kpi", "region_code", "period"], name="kpi_snapshot_once"),
        ]
        indexes = [models.Index(fields=["region_code", "period"], name="kpi_snapshot_region_period")]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.period}"


class KpiEntry(models.Model):
    """A value a department enters for an ``entered`` KPI, for one region, as of a date, with evidence
    (the document's title and number). The latest entry by date is the KPI's value."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="entries", verbose_name="指标")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    value = models.DecimalField("填报值", max_digits=18, decimal_places=2)
    as_of = models.DateField("数据日期")
    department = models.CharField("填报部门", max_length=60)
    evidence = models.CharField("佐证材料", max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-as_of", "-created_at"]
        verbose_name = "部门填报值"
        verbose_name_plural = "部门填报值"

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.as_of}"
