"""Allowances and subsidies (津贴补贴): programmes as versioned data per region, enrolments (免申即享 or
by application), monthly payment runs with their lines, the service-credit ledger and death-list
imports. A person is never paid twice for the same programme and month: ``PaymentLine`` carries a
database constraint on (elder, programme code, month) across every region (decision 0012)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiyang.benefits.choices import (
    CreditKind,
    DeathImportStatus,
    DeathSource,
    EnrolmentSource,
    EnrolmentStatus,
    LineKind,
    LineStatus,
    PaymentMode,
    ProgrammeKind,
    RunStatus,
)
from yiyang.core.ledger import LedgerEntry
from yiyang.core.models import TransitionEvent
from yiyang.regions.scope import ScopedManager

MONTH_MAX = 7  # "YYYY-MM"


class Programme(models.Model):
    """One version of a programme in a region (usually the city): who qualifies and how much a month.
    A new policy is a new version (``version`` + 1, ``valid_from``); old runs keep the version they used."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField("编码", max_length=40)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=30, choices=ProgrammeKind.choices)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)
    valid_from = models.CharField("起始月份", max_length=MONTH_MAX)
    valid_to = models.CharField("截止月份", max_length=MONTH_MAX, blank=True)
    first_month = models.CharField("平台首个发放月份", max_length=MONTH_MAX)
    payment_mode = models.CharField("发放方式", max_length=10, choices=PaymentMode.choices)
    automatic = models.BooleanField("免申即享", default=True)
    requires_confirmation = models.BooleanField("需街道确认", default=False)
    min_age = models.PositiveSmallIntegerField("最低年龄", default=60)
    categories = models.JSONField("对象类别（任一）", default=list, blank=True)
    min_capability_level = models.PositiveSmallIntegerField("最低能力等级（失能）", null=True, blank=True)
    carry_over = models.BooleanField("额度结转下月", default=False)

    class Meta:
        ordering = ["region_id", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "region", "version"], name="benefit_programme_version_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Band(models.Model):
    """An age band of a programme and its monthly amount (fen); ``age_max`` empty = no upper bound."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="bands")
    age_min = models.PositiveSmallIntegerField("起始年龄")
    age_max = models.PositiveSmallIntegerField("截止年龄", null=True, blank=True)
    monthly_fen = models.BigIntegerField("月标准（分）")

    class Meta:
        ordering = ["programme_id", "age_min"]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_fen__gt=0), name="benefit_band_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.age_min}–{self.age_max or ''}岁"

    @property
    def label(self) -> str:
        return f"{self.age_min}岁以上" if self.age_max is None else f"{self.age_min}–{self.age_max}岁"


class Enrolment(models.Model):
    """An elder's standing in one programme (one row per elder and programme code): proposed by the
    register (免申即享) or an application, confirmed, suspended from the month after death or moving
    out. ``explanation`` lists every rule checked, as people read it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrolments")
    programme_code = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12, db_index=True)
    status = models.CharField("状态", max_length=20, choices=EnrolmentStatus.choices)
    source = models.CharField("来源", max_length=20, choices=EnrolmentSource.choices)
    from_month = models.CharField("起始月份", max_length=MONTH_MAX)
    to_month = models.CharField("截止月份", max_length=MONTH_MAX, blank=True)
    explanation = models.JSONField("认定依据", default=list, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["elder", "programme_code"], name="benefit_enrolment_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.programme_code} {self.get_status_display()}"


class EnrolmentEvent(TransitionEvent):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")


class PaymentRun(models.Model):
    """The list of one programme, one county and one month; asked again it is the same run."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="runs")
    programme_code = models.CharField(max_length=40)
    region_code = models.CharField(max_length=12, db_index=True)
    month = models.CharField("月份", max_length=MONTH_MAX)
    status = models.CharField("状态", max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT)
    total_fen = models.BigIntegerField("合计（分）", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-month", "programme_code", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_code", "region_code", "month"], name="benefit_run_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_code} {self.month}"


class RunEvent(TransitionEvent):
    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="events")


class PaymentLine(models.Model):
    """One amount for one elder and month: regular, arrears (补发) or recovery (追回, negative)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines")
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+")
    programme_code = models.CharField(max_length=40)
    month = models.CharField("月份", max_length=MONTH_MAX)
    kind = models.CharField("类型", max_length=20, choices=LineKind.choices)
    amount_fen = models.BigIntegerField("金额（分）")
    band = models.CharField("档次", max_length=30, blank=True)
    status = models.CharField("状态", max_length=20, choices=LineStatus.choices, default=LineStatus.PENDING)
    reason = models.CharField("说明", max_length=200, blank=True)
    region_code = models.CharField(max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["run_id", "pk"]
        constraints = [
            # Never paid twice: one payable line per elder, programme and month in the whole deployment
            # (a line the bank returned no longer counts, so the month can be paid again as arrears).
            models.UniqueConstraint(
                fields=["elder", "programme_code", "month"],
                condition=Q(kind__in=["regular", "arrears"]) & ~Q(status="returned"),
                name="benefit_line_paid_once",
            ),
            models.UniqueConstraint(
                fields=["elder", "programme_code", "month"],
                condition=Q(kind="recovery"),
                name="benefit_line_recovered_once",
            ),
            models.CheckConstraint(
                condition=(Q(kind="recovery") & Q(amount_fen__lt=0))
                | (Q(kind__in=["regular", "arrears"]) & Q(amount_fen__gt=0)),
                name="benefit_line_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month} {self.get_kind_display()}"


class ServiceCredit(LedgerEntry):
    """养老服务补贴 as a monthly service credit: granted by an approved run, spent by settled home-service
    orders (the order's government share), expired at month end unless the programme carries it over."""

    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+")
    programme_code = models.CharField(max_length=40)
    month = models.CharField("月份", max_length=MONTH_MAX)
    region_code = models.CharField(max_length=12, db_index=True)
    order_ref = models.UUIDField(null=True, blank=True)

    class Meta(LedgerEntry.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["elder", "programme_code", "month"],
                condition=Q(kind="grant"),
                name="benefit_credit_granted_once",
            ),
            models.UniqueConstraint(
                fields=["order_ref"], condition=Q(kind="spend"), name="benefit_credit_spent_once"
            ),
        ]

    @property
    def kind_label(self) -> str:
        return str(dict(CreditKind.choices).get(self.kind, "其他"))


class DeathImport(models.Model):
    """A death list (殡葬/公安) read into a batch the county confirms; confirming marks each matched
    elder deceased through the register's service."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region_code = models.CharField(max_length=12, db_index=True)
    source = models.CharField("来源", max_length=20, choices=DeathSource.choices)
    filename = models.CharField("文件名", max_length=200)
    status = models.CharField(
        "状态", max_length=20, choices=DeathImportStatus.choices, default=DeathImportStatus.PENDING
    )
    rows = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    def matched(self) -> list[dict[str, Any]]:
        return [r for r in self.rows if r.get("elder")]


class DeathImportEvent(TransitionEvent):
    batch = models.ForeignKey(DeathImport, on_delete=models.CASCADE, related_name="events")
