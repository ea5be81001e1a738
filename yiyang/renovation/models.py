"""Home aging-renovation (居家适老化改造): programmes with their catalog and quotas, applications with
one plan per household (一户一策), photos, acceptance, payment and warranty (一户一档)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q

from yiyang.core.models import ScopedRecord, TransitionEvent
from yiyang.regions.scope import ScopedManager
from yiyang.renovation.choices import (
    Applicant,
    ApplicationStatus,
    CatalogCategory,
    ClaimStatus,
    Feb29Rule,
    GrantSource,
    PhotoKind,
    ProgrammeStatus,
)


class Programme(models.Model):
    """One year's programme of a region (city or county), versioned: a programme that has applications is
    never edited in place; the next version (or next year's) is a copy, edited while it is a draft."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区域"
    )
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    name = models.CharField("项目名称", max_length=100)
    status = models.CharField(
        "状态", max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    target_categories = models.JSONField("对象类别", default=list)
    cap_fen = models.PositiveIntegerField("每户补助上限（分）")
    publicity_days = models.PositiveSmallIntegerField("公示天数", default=7)
    warranty_years = models.PositiveSmallIntegerField("质保年限", default=2)
    age_threshold = models.PositiveSmallIntegerField("高龄年龄", default=80)
    feb29_rule = models.CharField(
        "2月29日出生者", max_length=10, choices=Feb29Rule.choices, default=Feb29Rule.MAR1
    )
    accepted_levels = models.JSONField("认定为失能的评估等级", default=dict, blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="复制自"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = "适老化改造项目"
        verbose_name_plural = "适老化改造项目"
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "year", "version"], name="renovation_programme_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}（第{self.version}版）"


class CatalogItem(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="items")
    seq = models.PositiveSmallIntegerField("序号")
    code = models.CharField("项目代码", max_length=10)
    category = models.CharField("类别", max_length=2, choices=CatalogCategory.choices)
    name = models.CharField("项目名称", max_length=50)
    content = models.CharField("具体内容", max_length=300, blank=True)
    basic = models.BooleanField("基础类", default=False)
    reference_price_fen = models.PositiveIntegerField("参考价（分）", default=0)

    class Meta:
        ordering = ["programme", "seq"]
        verbose_name = "改造项目清单"
        verbose_name_plural = "改造项目清单"
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="renovation_item_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Quota(models.Model):
    """任务分配表: households a county may approve in a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="区县"
    )
    households = models.PositiveIntegerField("任务数（户）")

    class Meta:
        ordering = ["programme", "county"]
        verbose_name = "区县任务"
        verbose_name_plural = "区县任务"
        constraints = [
            models.UniqueConstraint(fields=["programme", "county"], name="renovation_quota_county")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.households}户"


class ExternalGrant(models.Model):
    """A renovation grant of another department or programme (imported lists), counted by
    ``not_already_subsidised``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    source = models.CharField("补贴部门", max_length=10, choices=GrantSource.choices)
    programme_name = models.CharField("项目名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    recorded_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "他部门改造补贴"
        verbose_name_plural = "他部门改造补贴"

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_source_display()} {self.programme_name}"


class Application(ScopedRecord):
    number = models.CharField("申请编号", max_length=20, unique=True)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="applications")
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+")
    application_date = models.DateField("申请日期")
    applicant = models.CharField("申请人", max_length=20, choices=Applicant.choices, default=Applicant.ELDER)
    applicant_name = models.CharField("申请人姓名", max_length=50, blank=True)
    housing_right = models.BooleanField("有产权或长期使用权")
    in_demolition_plan = models.BooleanField("列入征收拆迁计划")
    status = models.CharField(
        "状态", max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    eligibility = models.JSONField("资格审核结果", default=dict, blank=True)
    publicity_from = models.DateField("公示开始", null=True, blank=True)
    publicity_until = models.DateField("公示截止", null=True, blank=True)
    contractor = models.ForeignKey(
        "providers.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="施工单位",
    )
    supervisor = models.ForeignKey(
        "providers.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="监理单位",
    )
    assessment_note = models.CharField("入户评估记录", max_length=1000, blank=True)
    assessed_on = models.DateField("入户评估日期", null=True, blank=True)
    assessor_name = models.CharField("评估人员", max_length=50, blank=True)
    signed_by = models.CharField("签字人", max_length=50, blank=True)
    signed_relation = models.CharField("签字人身份", max_length=20, choices=Applicant.choices, blank=True)
    signed_on = models.DateField("签字日期", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    completed_on = models.DateField("完工日期", null=True, blank=True)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    acceptance_note = models.CharField("验收意见", max_length=500, blank=True)
    street_inspector = models.CharField("街道验收人", max_length=50, blank=True)
    supervisor_inspector = models.CharField("监理验收人", max_length=50, blank=True)
    actual_cost_fen = models.PositiveIntegerField("实际改造费用（分）", null=True, blank=True)
    subsidy_fen = models.PositiveIntegerField("补助金额（分）", null=True, blank=True)
    household_fen = models.PositiveIntegerField("个人承担（分）", null=True, blank=True)
    paid_on = models.DateField("拨付日期", null=True, blank=True)
    payment_ref = models.CharField("拨付凭证号", max_length=50, blank=True)
    warranty_until = models.DateField("质保截止", null=True, blank=True)
    closing_reason = models.CharField("未通过或撤回原因", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "适老化改造申请"
        verbose_name_plural = "适老化改造申请"
        indexes = [models.Index(fields=["elder", "status"], name="renovation_app_elder_status")]

    def __str__(self) -> str:
        return self.number

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """A contractor's or supervisor's administrators see the households their organisation works on."""
        if user.has_own_scope(perm):
            return Q(contractor__admins=user) | Q(supervisor__admins=user)
        return None


class ApplicationEvent(TransitionEvent):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "改造申请时间线"
        verbose_name_plural = "改造申请时间线"


class Objection(models.Model):
    """公示异议."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="objections")
    text = models.CharField("异议内容", max_length=500)
    raised_by = models.CharField("异议人", max_length=50, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    ruling = models.CharField("处理意见", max_length=300, blank=True)

    class Meta:
        ordering = ["raised_at", "pk"]
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"

    def __str__(self) -> str:
        return self.text[:20]


class PlanItem(models.Model):
    """One catalog item of the household plan (一户一策): included with quantity and price, or (for a basic
    item) marked not applicable with a reason."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="plan_items")
    item = models.ForeignKey(CatalogItem, on_delete=models.PROTECT, related_name="+")
    included = models.BooleanField("纳入改造", default=True)
    quantity = models.PositiveSmallIntegerField("数量", default=1)
    unit_price_fen = models.PositiveIntegerField("单价（分）", default=0)
    not_applicable_reason = models.CharField("不适用原因", max_length=200, blank=True)
    done = models.BooleanField("已完成", default=False)
    actual_cost_fen = models.PositiveIntegerField("实际费用（分）", null=True, blank=True)
    work_note = models.CharField("施工记录", max_length=300, blank=True)

    class Meta:
        ordering = ["application", "item__seq"]
        verbose_name = "改造方案项目"
        verbose_name_plural = "改造方案项目"
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="renovation_plan_item")]

    def __str__(self) -> str:
        return str(self.item)

    @property
    def planned_fen(self) -> int:
        return self.quantity * self.unit_price_fen if self.included else 0


def photo_path(instance: Photo, filename: str) -> str:
    return f"renovation/{instance.application.public_id}/{filename}"


class Photo(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="photos")
    plan_item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("类型", max_length=10, choices=PhotoKind.choices)
    image = models.FileField("照片", upload_to=photo_path, max_length=200)
    thumbnail = models.FileField("缩略图", upload_to=photo_path, max_length=200, blank=True)
    taken_at = models.DateTimeField("拍摄时间（EXIF）", null=True, blank=True)
    lat = models.FloatField("纬度（EXIF）", null=True, blank=True)
    lng = models.FloatField("经度（EXIF）", null=True, blank=True)
    uploaded_by = models.CharField("上传人", max_length=150, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_item", "kind", "uploaded_at"]
        verbose_name = "改造照片"
        verbose_name_plural = "改造照片"

    def __str__(self) -> str:
        return f"{self.plan_item} {self.get_kind_display()}"

    def _url(self, field: Any) -> str:
        from django.urls import reverse

        name = str(field.name).rsplit("/", 1)[-1]
        return reverse(
            "renovation:photo", kwargs={"application_id": self.application.public_id, "name": name}
        )

    @property
    def url(self) -> str:
        return self._url(self.image)

    @property
    def thumbnail_url(self) -> str:
        return self._url(self.thumbnail if self.thumbnail else self.image)


class WarrantyClaim(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="claims")
    description = models.CharField("报修内容", max_length=500)
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.OPEN)
    reported_on = models.DateField("报修日期")
    repaired_on = models.DateField("维修日期", null=True, blank=True)
    repair_note = models.CharField("维修记录", max_length=500, blank=True)

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = "保修记录"
        verbose_name_plural = "保修记录"

    def __str__(self) -> str:
        return self.description[:20]
