"""The KPI registry (统计监测指标) as data: the indicators, their targets per region and year, the monthly
snapshots of their values, and the values departments enter with evidence (docs/decisions/0016)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models

from yiyang.analytics.choices import EVIDENCE_KIND_LABELS, Direction, Source
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
    ``is_demo`` marks the demo city's targets loaded from other cities' plans (湖州 表1/表3).

    Targets are versioned policy data: a change is a new row whose validity (``valid_from`` to
    ``valid_to``, both inclusive) starts after the one it replaces, which keeps its value and only has its
    ``valid_to`` closed (``analytics.services.kpi_target_set``). ``valid_from`` empty: in force from the
    start (the seeded targets). Status is judged against the version in force on the value's date."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("目标年份")
    value = models.DecimalField("目标值", max_digits=18, decimal_places=2)
    comparator = models.CharField("要求", max_length=4, default="≥")
    baseline_year = models.PositiveSmallIntegerField("基期年份", null=True, blank=True)
    baseline_value = models.DecimalField("基期值", max_digits=18, decimal_places=2, null=True, blank=True)
    is_demo = models.BooleanField("演示目标", default=False)
    source = models.CharField("目标出处", max_length=200, blank=True)
    valid_from = models.DateField("生效日期", null=True, blank=True)
    valid_to = models.DateField("失效日期", null=True, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="替代版本"
    )
    reason = models.CharField("调整理由", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("设定时间", null=True, blank=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["kpi__order", "region_code", "year", "valid_from"]
        verbose_name = "指标目标值"
        verbose_name_plural = "指标目标值"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "region_code", "year"],
                condition=models.Q(valid_to__isnull=True),
                name="kpi_target_open_once",
            ),
            models.UniqueConstraint(
                fields=["kpi", "region_code", "year", "valid_from"], name="kpi_target_version_once"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="kpi_target_valid_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.year}"

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


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
    (the document's title and number, and its files: ``KpiEvidence``). The latest entry by date is the
    KPI's value."""

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


def evidence_path(instance: KpiEvidence, filename: str) -> str:
    return f"kpi-evidence/{instance.entry.public_id}/{filename}"


class KpiEvidence(models.Model):
    """A file behind a department's entered value (a statistics table, a document scan): PDF, an image or
    an .xlsx workbook, its type sniffed from the content (``analytics.evidence``), stored under a random
    name and served only to those who see the entry (``analytics:evidence``), each download audited."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(KpiEntry, on_delete=models.PROTECT, related_name="files", verbose_name="填报值")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    kind = models.CharField("类型", max_length=8)
    name = models.CharField("文件名", max_length=120)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["entry", "pk"]
        verbose_name = "佐证文件"
        verbose_name_plural = "佐证文件"

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KIND_LABELS.get(self.kind, "文件")
