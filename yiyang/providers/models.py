"""Service providers (organisations, facilities, staff) and the service catalog as data."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from yiyang.core.money import bp_percent
from yiyang.providers.choices import (
    CareHomeGrade,
    EmploymentStatus,
    OrgType,
    ServiceCategory,
    Unit,
    skill_labels,
)
from yiyang.regions.scope import ScopedManager


def category_label(code: str) -> str:
    from yiyang.elders.choices import Category

    return str(dict(Category.choices).get(code, code))


class Organisation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("机构名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    org_type = models.CharField("机构类型", max_length=30, choices=OrgType.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name="登记所在地"
    )
    regions_served = models.ManyToManyField(
        "regions.Region", related_name="+", blank=True, verbose_name="服务区域"
    )
    admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="provider_organisations", blank=True, verbose_name="机构管理员"
    )
    grade = models.CharField(
        "养老机构等级（GB/T 37276）", max_length=20, blank=True, choices=CareHomeGrade.choices
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    is_active = models.BooleanField("在营", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "服务机构"
        verbose_name_plural = "服务机构"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        if user.has_own_scope(perm):
            return Q(pk__in=Organisation.objects.filter(admins=user).values("pk"))
        return None

    def serves(self, region_code: str) -> bool:
        return any(region_code.startswith(_prefix(r.code)) for r in self.regions_served.all())


def _prefix(code: str) -> str:
    """Statistical codes nest by prefix: strip the trailing zero groups of a region's level."""
    for length in (2, 4, 6, 9):
        if code[length:].strip("0") == "":
            return code[:length]
    return code


class Contract(models.Model):
    """A purchase-of-service contract with the civil-affairs bureau: services, prices, period."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="contracts")
    number = models.CharField("合同编号", max_length=50)
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期")
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "购买服务合同"
        verbose_name_plural = "购买服务合同"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="contract_number_once_per_org")
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


class ContractItem(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="items")
    service_item = models.ForeignKey("providers.ServiceItem", on_delete=models.PROTECT, related_name="+")
    price_fen = models.PositiveIntegerField("合同单价（分）")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "service_item"], name="contract_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.service_item_id}: {self.price_fen}"


class Facility(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="facilities")
    name = models.CharField("设施名称", max_length=100)
    address = models.CharField("地址", max_length=200)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    area_m2 = models.PositiveIntegerField("建筑面积（㎡）", default=0)
    beds_ordinary = models.PositiveIntegerField("普通床位", default=0)
    beds_nursing = models.PositiveIntegerField("护理型床位", default=0)
    beds_dementia = models.PositiveIntegerField("认知障碍床位", default=0)

    class Meta:
        verbose_name = "服务设施"
        verbose_name_plural = "服务设施"

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField("姓名", max_length=50)
    id_number_enc = models.TextField(blank=True, editable=False)
    id_number_hash = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, blank=True, editable=False)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_masked = models.CharField("电话", max_length=20, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_profile",
        verbose_name="登录账户",
    )
    skills = models.JSONField("技能", default=list, blank=True)
    liability_insurance_until = models.DateField("责任险有效期至", null=True, blank=True)
    employment_status = models.CharField(
        "在职状态",
        max_length=20,
        choices=EmploymentStatus.choices,
        default=EmploymentStatus.ACTIVE,
        db_index=True,
    )
    home_lat = models.FloatField("驻点纬度", null=True, blank=True)
    home_lng = models.FloatField("驻点经度", null=True, blank=True)
    work_start = models.TimeField("上班时间", default="08:00")
    work_end = models.TimeField("下班时间", default="18:00")
    work_days = models.CharField("工作日（1=周一…7=周日）", max_length=7, default="123456")
    max_daily_orders = models.PositiveSmallIntegerField("每日最多工单", default=8)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "organisation__region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "服务人员"
        verbose_name_plural = "服务人员"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "id_number_hash"],
                condition=~models.Q(id_number_hash=""),
                name="staff_id_number_once_per_org",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        if not user.has_own_scope(perm):
            return None
        q = Q(user=user)
        if "provider_admin" in user.roles():
            q |= Q(organisation__in=Organisation.objects.filter(admins=user).values("pk"))
        return q

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills)

    def valid_certificates(self, day: date) -> list[Certificate]:
        return [c for c in self.certificates.all() if c.is_valid_on(day)]

    def works_at(self, when: datetime) -> bool:
        local = timezone.localtime(when)
        return str(local.isoweekday()) in self.work_days and self.work_start <= local.time() < self.work_end


class Certificate(models.Model):
    """A qualification (养老护理员职业技能等级证书, 健康证…) with level and expiry."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="certificates")
    name = models.CharField("证书名称", max_length=100)
    level = models.CharField("等级", max_length=20, blank=True)
    number = models.CharField("证书编号", max_length=50, blank=True)
    valid_from = models.DateField("发证日期", null=True, blank=True)
    valid_until = models.DateField("有效期至")

    class Meta:
        verbose_name = "资格证书"
        verbose_name_plural = "资格证书"

    def __str__(self) -> str:
        return f"{self.name} {self.level}".strip()

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


class ServiceItem(models.Model):
    """One orderable service of the catalog (city-wide data, not region-bound)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50)
    category = models.CharField("类别", max_length=20, choices=ServiceCategory.choices, db_index=True)
    unit = models.CharField("计量单位", max_length=10, choices=Unit.choices, default=Unit.VISIT)
    standard_minutes = models.PositiveIntegerField("标准时长（分钟）")
    price_fen = models.PositiveIntegerField("指导价（分）")
    skills_required = models.JSONField("所需技能", default=list, blank=True)
    description = models.CharField("服务内容", max_length=300, blank=True)
    is_active = models.BooleanField("启用", default=True)
    county_price_allowed = models.BooleanField(
        "允许区县自定价格", default=False, help_text="市级允许时，区县可为本区县设定自己的价格（单独一行）"
    )

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def skill_labels(self) -> list[str]:
        return skill_labels(self.skills_required)


class ServicePriceOverride(models.Model):
    """A county's own price for a catalog item, where the city allows it (``county_price_allowed``). The
    catalog row stays the city's; this row is the county's and scoped by its county code."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service_item = models.ForeignKey(
        ServiceItem, on_delete=models.PROTECT, related_name="price_overrides", verbose_name="服务项目"
    )
    region_code = models.CharField("区县代码", max_length=12, db_index=True)
    price_fen = models.PositiveIntegerField("区县价格（分）")
    updated_at = models.DateTimeField(auto_now=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "区县服务价格"
        verbose_name_plural = "区县服务价格"
        ordering = ["service_item__code", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["service_item", "region_code"], name="price_override_once")
        ]

    def __str__(self) -> str:
        return f"{self.service_item_id} {self.region_code} {self.price_fen}"


class SubsidyRule(models.Model):
    """Government-paid share (basis points of the price) for an elder category, versioned by validity."""

    category = models.CharField("老年人类别", max_length=40, db_index=True)
    service_category = models.CharField(
        "适用服务类别（空=全部）", max_length=20, blank=True, choices=ServiceCategory.choices
    )
    government_bp = models.PositiveIntegerField("政府承担比例（万分之）")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)

    class Meta:
        verbose_name = "政府补贴比例"
        verbose_name_plural = "政府补贴比例"
        constraints = [models.CheckConstraint(condition=Q(government_bp__lte=10000), name="subsidy_bp_max")]

    def __str__(self) -> str:
        return f"{self.category_label} {self.percent}"

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def percent(self) -> str:
        return bp_percent(self.government_bp)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class MonthlyQuota(models.Model):
    """N subsidised services a month for an elder category, versioned by validity."""

    category = models.CharField("老年人类别", max_length=40, db_index=True)
    services_per_month = models.PositiveSmallIntegerField("每月补贴服务次数")
    valid_from = models.DateField("起始日期")
    valid_to = models.DateField("截止日期", null=True, blank=True)

    class Meta:
        verbose_name = "月度补贴额度"
        verbose_name_plural = "月度补贴额度"

    def __str__(self) -> str:
        return f"{self.category_label} {self.services_per_month}/月"

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)
