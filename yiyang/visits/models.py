"""探访关爱: risk rule sets (versioned, per region), each elder's current class with its reasons, worker
overrides, visit plans (one slot per required visit), visit records with findings, photos and follow-ups,
and campaigns (专项探访). Every row about an elder stores the elder's region (``region_code``)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from yiyang.core.models import ScopedRecord
from yiyang.regions.scope import ScopedManager
from yiyang.visits.choices import CampaignEvent, FollowUpKind, Method, PlanItemStatus, RiskClass


class RuleSet(models.Model):
    """One version of the classification rules of a region (``""``: the default the city starts from).
    Rows are never edited: a change is a new version; the finest region's latest valid version applies."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region_code = models.CharField("适用区域代码", max_length=12, blank=True, db_index=True)
    version = models.PositiveIntegerField("版本")
    valid_from = models.DateField("生效日期")
    rules = models.JSONField("规则（按顺序，先符合者定级）")
    raise_days = models.PositiveSmallIntegerField("告警/紧急呼援上调期限（天）", default=30)
    raise_on_hazard = models.BooleanField("未消除的安全隐患上调一级", default=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "风险分类规则"
        verbose_name_plural = "风险分类规则"
        ordering = ["region_code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "version"], name="ruleset_region_version")
        ]

    def __str__(self) -> str:
        return f"{self.region_code or '默认'} 第{self.version}版"


class RiskStatus(models.Model):
    """The elder's class as last computed (on every register change, visit, override and nightly)."""

    elder = models.OneToOneField("elders.Elder", on_delete=models.CASCADE, related_name="risk_status")
    region_code = models.CharField("区域代码", max_length=12)
    risk_class = models.CharField("风险分类", max_length=1, choices=RiskClass.choices, blank=True)
    computed_class = models.CharField("规则分类", max_length=1, choices=RiskClass.choices, blank=True)
    reasons = models.JSONField("依据", default=list)
    overridden = models.BooleanField("人工调整", default=False)
    tekun = models.BooleanField("特困人员", default=False)
    rule_set = models.ForeignKey(RuleSet, on_delete=models.SET_NULL, null=True, related_name="+")
    class_since = models.DateField("分类起始日期", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间")

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "风险分类"
        verbose_name_plural = "风险分类"
        indexes = [
            models.Index(
                fields=["region_code", "risk_class"],
                name="riskstatus_region_class",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.risk_class or "未分类"


class RiskOverride(ScopedRecord):
    """A worker's override of the class, with the reason, until ``expires_on`` (or revoked)."""

    elder = models.ForeignKey("elders.Elder", on_delete=models.CASCADE, related_name="risk_overrides")
    risk_class = models.CharField("调整为", max_length=1, choices=RiskClass.choices, blank=True)
    reason = models.CharField("理由", max_length=300)
    expires_on = models.DateField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "风险分类调整"
        verbose_name_plural = "风险分类调整"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.reason


class VisitPlan(models.Model):
    """The visits due in one community for one month (生成探访计划)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region_code = models.CharField("社区（村）", max_length=12, db_index=True)
    period = models.CharField("月份", max_length=7)
    generated_at = models.DateTimeField("生成时间", auto_now=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "探访计划"
        verbose_name_plural = "探访计划"
        ordering = ["-period", "region_code"]
        constraints = [models.UniqueConstraint(fields=["region_code", "period"], name="visitplan_once")]

    def __str__(self) -> str:
        return f"{self.period} 探访计划"


class PlanItem(models.Model):
    """One required visit of one elder: a window (``slot_start``–``slot_end``) and its visitor. Still
    ``due`` after ``slot_end``: overdue, carried over until a visit closes it (``done_late``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="items")
    elder = models.ForeignKey("elders.Elder", on_delete=models.CASCADE, related_name="visit_plan_items")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    risk_class = models.CharField("风险分类", max_length=1, choices=RiskClass.choices, blank=True)
    slot_start = models.DateField("应探访起")
    slot_end = models.DateField("应探访止")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit_plan_items",
        verbose_name="探访人",
    )
    status = models.CharField(
        "状态", max_length=12, choices=PlanItemStatus.choices, default=PlanItemStatus.DUE
    )
    visit = models.ForeignKey("Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "应探访"
        verbose_name_plural = "应探访"
        ordering = ["slot_start", "pk"]
        constraints = [models.UniqueConstraint(fields=["elder", "slot_start"], name="planitem_once")]
        indexes = [models.Index(fields=["visitor", "status", "slot_start"], name="planitem_visitor_due")]

    def __str__(self) -> str:
        return f"{self.slot_start:%m月%d日}–{self.slot_end:%m月%d日}"


class Visit(models.Model):
    """One visit record (电话问候、视频连线、上门探访). ``seen`` false: nobody was reached — recorded,
    not counted as done."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="visits")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="探访人",
    )
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    visited_at = models.DateTimeField("探访时间", db_index=True)
    seen = models.BooleanField("见到（联系上）老人")
    findings = models.JSONField("探访情况", default=dict)
    hazards = models.JSONField("安全隐患", default=list)
    hazard_open = models.BooleanField("隐患未消除", default=False)
    hazard_closed_at = models.DateTimeField("隐患消除时间", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    distance_m = models.PositiveIntegerField("距老人住址（米）", null=True, blank=True)
    notes = models.CharField("备注", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "探访记录"
        verbose_name_plural = "探访记录"
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["elder", "visited_at"], name="visit_elder_at")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.visited_at:%Y-%m-%d}"

    @property
    def hazard_text(self) -> str:
        from yiyang.visits.choices import HAZARDS

        return "、".join(HAZARDS.get(h, "其他安全隐患") for h in self.hazards)


def photo_path(instance: VisitPhoto, filename: str) -> str:
    return f"visits/{instance.visit.public_id}/{filename}"


class VisitPhoto(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=photo_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=photo_path, max_length=200, blank=True)
    taken_at = models.DateTimeField("拍摄时间（EXIF）", null=True, blank=True)
    lat = models.FloatField("纬度（EXIF）", null=True, blank=True)
    lng = models.FloatField("经度（EXIF）", null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "探访照片"
        verbose_name_plural = "探访照片"

    def __str__(self) -> str:
        return "探访照片"


class FollowUp(models.Model):
    """What a visit started in another module (through that module's service)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField("类型", max_length=20, choices=FollowUpKind.choices)
    target_id = models.UUIDField("关联记录")
    label = models.CharField("说明", max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "探访转办"
        verbose_name_plural = "探访转办"

    def __str__(self) -> str:
        return self.label


class Campaign(ScopedRecord):
    """专项探访: every elder of the chosen classes in a region must be reached by ``deadline``."""

    name = models.CharField("名称", max_length=100)
    event = models.CharField("事件", max_length=20, choices=CampaignEvent.choices)
    classes = models.JSONField("风险分类")
    starts_at = models.DateTimeField("开始时间")
    deadline = models.DateTimeField("完成时限")

    class Meta:
        verbose_name = "专项探访"
        verbose_name_plural = "专项探访"
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    elder = models.ForeignKey("elders.Elder", on_delete=models.CASCADE, related_name="+")
    region_code = models.CharField("区域代码", max_length=12)
    risk_class = models.CharField("风险分类", max_length=1, choices=RiskClass.choices)
    reached_at = models.DateTimeField("联系上时间", null=True, blank=True)
    visit = models.ForeignKey(Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "专项探访对象"
        verbose_name_plural = "专项探访对象"
        constraints = [models.UniqueConstraint(fields=["campaign", "elder"], name="campaigntarget_once")]

    def __str__(self) -> str:
        return str(self.elder_id)
