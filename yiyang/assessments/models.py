"""Capability assessments (老年人能力评估): agencies, per-region policies (rules as data), the assessment
workflow with its timeline and signatures, external results from other bodies and the recognition
policy saying which results count for which programme."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models

from yiyang.core.models import RegionFromParent, TransitionEvent
from yiyang.regions.scope import ScopedManager

STANDARD_CHOICES = [
    ("gbt42195", "GB/T 42195-2022 老年人能力评估规范"),
    ("mzt039", "MZ/T 039-2013 老年人能力评估"),
    ("ltc2021", "长期护理失能等级评估标准（医保办发〔2021〕37号）"),
    ("tekun6", "特困人员生活自理能力六项"),
]


class Reason(models.TextChoices):
    FIRST = "first", "首次评估"
    ROUTINE = "routine", "常规评估"
    IMMEDIATE = "immediate", "即时评估"
    REVIEW = "review", "因对评估结果有疑问进行的复评"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    REQUESTED = "requested", "已申请"
    ASSIGNED = "assigned", "已指派"
    IN_PROGRESS = "in_progress", "评估中"
    SUBMITTED = "submitted", "已提交"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


OPEN_STATUSES = (Status.REQUESTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.SUBMITTED)


class AssessmentAgency(models.Model):
    """A third-party assessment agency (评估机构) and its assessors."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("机构名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="所在区域"
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessment_agencies", verbose_name="评估员"
    )
    active = models.BooleanField("在用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "评估机构"
        verbose_name_plural = "评估机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AssessmentPolicy(models.Model):
    """Per-region assessment rules; the most specific region's policy wins (rules as data). The
    re-assessment interval and the result validity are policy values (``yiyang.core.policy``)."""

    region = models.OneToOneField(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name="适用区域"
    )
    standard = models.CharField("评估标准", max_length=20, choices=STANDARD_CHOICES, default="gbt42195")
    assessors_required = models.PositiveSmallIntegerField("评估员人数", default=2)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "评估政策"
        verbose_name_plural = "评估政策"

    def __str__(self) -> str:
        return f"{self.region} · {self.standard}"


class Assessment(RegionFromParent, models.Model):
    region_from = ("elder", "region_id")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="assessments")
    standard = models.CharField("评估标准", max_length=20, choices=STANDARD_CHOICES, default="gbt42195")
    reason = models.CharField("评估原因", max_length=20, choices=Reason.choices)
    reason_note = models.CharField("原因说明", max_length=200, blank=True)
    source = models.CharField("发起来源", max_length=40, blank=True, help_text="如 manual / visit / order")
    home_visit = models.BooleanField("上门评估", default=True)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    agency = models.ForeignKey(
        AssessmentAgency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name="评估机构",
    )
    assessors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assessments_assigned", verbose_name="评估员"
    )
    answers = models.JSONField("评估项目得分", default=dict, blank=True)
    health = models.JSONField("健康相关问题（A.5）", default=dict, blank=True)
    diagnoses = models.JSONField("疾病诊断", default=list, blank=True)
    risk_events = models.JSONField("近30天照护风险事件", default=dict, blank=True)
    options = models.JSONField("计分选项", default=dict, blank=True)
    informant_name = models.CharField("信息提供者", max_length=50, blank=True)
    informant_relation = models.CharField("与老人关系", max_length=30, blank=True)
    # Result, computed by the server with scoring.score() at submission.
    result = models.JSONField("计分结果", default=dict, blank=True)
    total = models.IntegerField("总分", null=True, blank=True)
    preliminary_level = models.PositiveSmallIntegerField("初步等级", null=True, blank=True)
    final_level = models.PositiveSmallIntegerField("最终等级", null=True, blank=True, db_index=True)
    label = models.CharField("等级名称", max_length=40, blank=True)
    assessed_on = models.DateField("评估日期", null=True, blank=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    next_routine_on = models.DateField("下次常规评估日期", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    region_code = models.CharField(
        "区域代码",
        max_length=12,
        db_index=True,
        blank=True,
        help_text="老人所在最细一级区划（写入时由服务填写）",
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "能力评估"
        verbose_name_plural = "能力评估"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["elder", "status"], name="assess_elder_status")]
        constraints = [
            # One assessment in progress per elder (requested → submitted).
            models.UniqueConstraint(
                fields=["elder"],
                condition=models.Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="assessment_one_open_per_elder",
            )
        ]

    def __str__(self) -> str:
        return f"{self.elder} · {self.get_reason_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AssessmentEvent(RegionFromParent, TransitionEvent):
    """Assessment timeline of status transitions."""

    region_from = ("assessment", "region_code")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    region_code = models.CharField(
        "区域代码", max_length=12, db_index=True, blank=True, help_text="评估对象老人所在区划"
    )

    class Meta(TransitionEvent.Meta):
        verbose_name = "评估时间线"
        verbose_name_plural = "评估时间线"


class SignatureRole(models.TextChoices):
    ASSESSOR = "assessor", "评估员"
    INFORMANT = "informant", "信息提供者"


class AssessmentSignature(RegionFromParent, models.Model):
    region_from = ("assessment", "region_code")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField("签名人角色", max_length=20, choices=SignatureRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField("签名人", max_length=50)
    image = models.TextField("手写签名（PNG data URL）", blank=True)
    signed_at = models.DateTimeField(auto_now_add=True)
    region_code = models.CharField(
        "区域代码", max_length=12, db_index=True, blank=True, help_text="评估对象老人所在区划"
    )

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=models.Q(user__isnull=False),
                name="uniq_signature_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class ExternalAssessmentResult(RegionFromParent, models.Model):
    """A result made by another body (医保 long-term-care, 残联, 卫健 …), for mutual recognition."""

    region_from = ("elder", "region_id")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="external_assessments")
    source = models.CharField("评估主体", max_length=60)
    standard = models.CharField("评估标准", max_length=20, choices=STANDARD_CHOICES)
    level = models.PositiveSmallIntegerField("等级")
    label = models.CharField("等级名称", max_length=40)
    assessed_on = models.DateField("评估日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    document_ref = models.CharField("文书编号", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    region_code = models.CharField(
        "区域代码",
        max_length=12,
        db_index=True,
        blank=True,
        help_text="老人所在最细一级区划（写入时由服务填写）",
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "他部门评估结果"
        verbose_name_plural = "他部门评估结果"
        ordering = ["-assessed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.assessed_on} {self.level}"


class RecognitionPolicy(models.Model):
    """Which results count for which programme in a region (the most specific region wins)."""

    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    programme = models.CharField("业务", max_length=40, help_text="如 subsidy.care / beds.admission / visits")
    accept_own = models.BooleanField("认可本平台评估", default=True)
    accepted_sources = models.JSONField("认可的评估主体", default=list, blank=True)
    accepted_standards = models.JSONField("认可的评估标准", default=list, blank=True)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "评估结果互认政策"
        verbose_name_plural = "评估结果互认政策"
        constraints = [models.UniqueConstraint(fields=["region", "programme"], name="uniq_recognition")]

    def __str__(self) -> str:
        return f"{self.region} · {self.programme}"

    def describe(self) -> dict[str, Any]:
        return {
            "programme": self.programme,
            "accept_own": self.accept_own,
            "accepted_sources": list(self.accepted_sources),
            "accepted_standards": list(self.accepted_standards),
        }
