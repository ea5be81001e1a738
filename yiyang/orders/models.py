"""Home-service orders, their timeline and flags, and the monthly settlement ledger."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from yiyang.core.models import RegionFromParent, TransitionEvent
from yiyang.orders.choices import (
    Channel,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
    FlagCode,
    FlagStatus,
    LineKind,
    OrderStatus,
    PlanStatus,
)
from yiyang.regions.scope import ScopedManager


class Order(RegionFromParent, models.Model):
    region_from = ("elder", "region_id")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, related_name="orders", verbose_name="老人"
    )
    service_item = models.ForeignKey(
        "providers.ServiceItem", on_delete=models.PROTECT, related_name="+", verbose_name="服务项目"
    )
    provider = models.ForeignKey(
        "providers.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="服务机构",
    )
    caregiver = models.ForeignKey(
        "providers.Staff",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name="服务人员",
    )
    status = models.CharField(
        "状态", max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED, db_index=True
    )
    # No default: every creation names its channel (``yiyang.orders.ordering.order_channel``).
    channel = models.CharField("来源", max_length=20, choices=Channel.choices)
    # The orders placed together in one cart (点菜式下单) share this id; empty for a single order.
    batch = models.UUIDField("同批下单", null=True, blank=True, db_index=True, editable=False)
    scheduled_start = models.DateTimeField("预约上门时间", db_index=True)
    price_fen = models.PositiveIntegerField("单价（分）")
    note = models.CharField("需求说明", max_length=300, blank=True)
    confirmation_code = models.CharField(max_length=6, editable=False)
    # Tries of the code on the caregiver's phone (counted atomically; locks at ORDERS_CONFIRMATION_MAX_TRIES)
    # and when the current code was issued (a renewed code starts a new life and a new count).
    confirmation_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    confirmation_code_issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_attempts = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField("超时升级时间", null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    check_in_lat = models.FloatField(null=True, blank=True)
    check_in_lng = models.FloatField(null=True, blank=True)
    check_in_distance_m = models.PositiveIntegerField("签到距离（米）", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    check_out_lat = models.FloatField(null=True, blank=True)
    check_out_lng = models.FloatField(null=True, blank=True)
    check_out_distance_m = models.PositiveIntegerField("签退距离（米）", null=True, blank=True)
    items_done = models.JSONField("完成事项", default=list, blank=True)
    service_notes = models.TextField("服务记录", blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_via = models.CharField(max_length=20, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True)
    rating_comment = models.CharField("评价", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
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
        verbose_name = "服务工单"
        verbose_name_plural = "服务工单"
        ordering = ["-scheduled_start"]
        indexes = [
            models.Index(fields=["caregiver", "status"], name="order_caregiver_status"),
            models.Index(fields=["provider", "status"], name="order_provider_status"),
        ]

    def __str__(self) -> str:
        return f"{self.service_item} · {self.scheduled_start:%Y-%m-%d %H:%M}"

    @property
    def number(self) -> str:
        """The short order number people read, print and quote on the phone (GD + the row number, never
        the UUID of the URLs)."""
        return f"GD{self.pk:08d}" if self.pk else ""

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """Caregiver: orders assigned to them; provider admin: their organisation's; family: their elders'."""
        if not user.has_own_scope(perm):
            return None
        roles = user.roles()
        q = Q()
        if "caregiver" in roles:
            q |= Q(caregiver__user=user)
        if "provider_admin" in roles:
            # A subquery, not a join through the admins table: one row per order (no DISTINCT needed).
            admins = cls._meta.get_field("provider").related_model.admins.through  # type: ignore[union-attr]
            q |= Q(provider_id__in=admins.objects.filter(user=user).values("organisation_id"))
        if "family" in roles:
            from yiyang.elders.selectors import elder_ids_for_contact

            q |= Q(elder_id__in=elder_ids_for_contact(user))
        return q if q.children else None


class OrderEvent(TransitionEvent):
    """Order timeline: one row per transition (from, to, actor, reason, data, at)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timeline")

    class Meta(TransitionEvent.Meta):
        verbose_name = "工单时间线"
        verbose_name_plural = "工单时间线"


class OrderFlag(RegionFromParent, models.Model):
    """A fraud/quality flag; an open or rejected flag keeps the order out of settlement."""

    region_from = ("order", "region_code")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="flags")
    code = models.CharField(max_length=30, choices=FlagCode.choices)
    message = models.CharField(max_length=300)
    status = models.CharField(
        max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN, db_index=True
    )
    data = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_reason = models.CharField(max_length=300, blank=True)
    region_code = models.CharField(
        "区域代码", max_length=12, db_index=True, blank=True, help_text="工单老人所在区划"
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["raised_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["order", "code"], name="order_flag_once")]

    def __str__(self) -> str:
        return self.code


class FlagEvent(TransitionEvent):
    """Flag timeline: open → cleared / rejected, with the supervisor's reason."""

    flag = models.ForeignKey(OrderFlag, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "异常处理记录"
        verbose_name_plural = "异常处理记录"


def photo_path(instance: OrderPhoto, filename: str) -> str:
    """A server-chosen name; the extension is the sniffed type the service put in ``filename``
    (``yiyang.orders.photos.check_photo``), never the client's."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in {"jpg", "png", "webp"}:
        ext = "bin"
    return f"orders/{instance.order.public_id}/{uuid.uuid4().hex}.{ext}"


class OrderPhoto(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.image.name)

    @property
    def url(self) -> str:
        from yiyang.orders.photos import photo_url

        return photo_url(self)


class Settlement(models.Model):
    """政府购买服务支付清单: one statement per provider and month; totals are sums of its lines."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, related_name="settlements"
    )
    month = models.CharField(max_length=7)  # YYYY-MM
    total_fen = models.BigIntegerField(default=0)
    government_fen = models.BigIntegerField(default=0)
    elder_fen = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    region_code = models.CharField(
        "结算区县",
        max_length=12,
        db_index=True,
        blank=True,
        help_text="本结算单所付服务的老人所在区县（12 位代码）：一家机构每月每区县一张（决定 0006）",
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-month", "provider__name", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "month", "region_code"], name="settlement_once_per_month_county"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.region_code and self.provider_id:
            from yiyang.regions.scope import county_code

            self.region_code = county_code(self.provider.region_id)
        super().save(*args, **kwargs)

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        if user.has_own_scope(perm) and "provider_admin" in user.roles():
            from yiyang.providers.selectors import organisations_administered

            return Q(provider__in=organisations_administered(user).values("pk"))
        return None


class SettlementLine(RegionFromParent, models.Model):
    """One charge per order, ever; a correction is a reversal line (negative amounts), never an edit."""

    region_from = ("order", "region_code")

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="lines")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="settlement_lines")
    kind = models.CharField(max_length=10, choices=LineKind.choices, default=LineKind.CHARGE)
    amount_fen = models.BigIntegerField()
    government_fen = models.BigIntegerField()
    elder_fen = models.BigIntegerField()
    government_bp = models.PositiveIntegerField(default=0)
    quota_used = models.BooleanField(default=False)
    categories = models.JSONField(default=list, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    region_code = models.CharField(
        "区域代码", max_length=12, db_index=True, blank=True, help_text="工单老人所在区划"
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["order"], condition=Q(kind="charge"), name="settle_order_once"),
            models.CheckConstraint(
                condition=Q(amount_fen=models.F("government_fen") + models.F("elder_fen")),
                name="settlement_line_balances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_fen}"

    @property
    def is_reversed(self) -> bool:
        return hasattr(self, "reversed_by")

    @property
    def is_reversal_pending(self) -> bool:
        """Its reversal is queued for the provider's next statement (this one is closed)."""
        pending = getattr(self, "pending_reversal", None)
        return pending is not None and pending.line_id is None


class PendingReversal(models.Model):
    """A reversal waiting for the provider's next statement: a charge in a closed statement (every
    generated statement is closed) is never reversed there; the next ``settlement_generate`` for the
    provider turns this row into a 冲销 line and links it here. See ``yiyang.orders.settlement``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        "providers.Organisation", on_delete=models.PROTECT, related_name="pending_reversals"
    )
    charge = models.OneToOneField(SettlementLine, on_delete=models.PROTECT, related_name="pending_reversal")
    reason = models.CharField(max_length=300)
    line = models.OneToOneField(
        SettlementLine, on_delete=models.PROTECT, null=True, blank=True, related_name="queued_as"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["provider", "line"], name="pending_reversal_open")]

    def __str__(self) -> str:
        return f"{self.charge_id} → {self.line_id or '待冲销'}"


class Complaint(RegionFromParent, models.Model):
    """投诉 about one order: open → handling → resolved (upheld / dismissed); reopened once if disputed.
    Raising and every move write a row in the complaint's timeline; see ``yiyang.orders.complaints``."""

    region_from = ("order", "region_code")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="complaints", verbose_name="工单")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_by_name = models.CharField("投诉登记人", max_length=150, blank=True)
    channel = models.CharField("投诉渠道", max_length=20, choices=ComplaintChannel.choices)
    category = models.CharField("投诉类别", max_length=20, choices=ComplaintCategory.choices, db_index=True)
    description = models.TextField("投诉内容")
    status = models.CharField(
        "状态", max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN, db_index=True
    )
    outcome = models.CharField("处理结论", max_length=20, choices=ComplaintOutcome.choices, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handler_name = models.CharField("承办人", max_length=150, blank=True)
    resolution = models.TextField("办理结果", blank=True)
    reopen_reason = models.CharField("重新处理理由", max_length=300, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField("投诉时间", default=timezone.now, db_index=True)
    handling_at = models.DateTimeField("受理时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    reopened_at = models.DateTimeField("重新处理时间", null=True, blank=True)
    sla_due_at = models.DateTimeField("办结时限", db_index=True)
    region_code = models.CharField(
        "区域代码", max_length=12, db_index=True, blank=True, help_text="工单老人所在区划"
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "服务投诉"
        verbose_name_plural = "服务投诉"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One pending (open or being handled) complaint per category per order.
            models.UniqueConstraint(
                fields=["order", "category"],
                condition=Q(status__in=[ComplaintStatus.OPEN, ComplaintStatus.HANDLING]),
                name="complaint_one_pending_per_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.get_status_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status in {ComplaintStatus.OPEN, ComplaintStatus.HANDLING}

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and self.sla_due_at < timezone.now()

    @property
    def can_reopen(self) -> bool:
        from yiyang.orders.transitions import MAX_REOPENS

        return (
            self.status == ComplaintStatus.RESOLVED
            and self.outcome == ComplaintOutcome.DISMISSED
            and self.reopen_count < MAX_REOPENS
        )

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """Provider admin: complaints about their organisation's orders; family: about their elders'.
        Caregivers have no complaint permission (they see none)."""
        if not user.has_own_scope(perm):
            return None
        roles = user.roles()
        q = Q()
        if "provider_admin" in roles:
            q |= Q(order__provider__admins=user)
        if "family" in roles:
            from yiyang.elders.selectors import elder_ids_for_contact

            q |= Q(order__elder_id__in=elder_ids_for_contact(user))
        return q if q.children else None


class ComplaintEvent(TransitionEvent):
    """Complaint timeline: raised (— → open), handling, resolved, reopened."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "投诉时间线"
        verbose_name_plural = "投诉时间线"


class ServicePlan(models.Model):
    """周期服务: a service repeated on chosen weekdays at one time between two dates (助餐 every weekday,
    助浴 weekly). ``yiyang.orders.recurring.plans_generate`` makes its orders a few days ahead, one per
    day (``PlanOccurrence``), with the channel 周期服务自动生成."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+", verbose_name="老人")
    service_item = models.ForeignKey(
        "providers.ServiceItem", on_delete=models.PROTECT, related_name="+", verbose_name="服务项目"
    )
    weekdays = models.CharField("服务日（周一=1…周日=7）", max_length=7)
    time_of_day = models.TimeField("上门时间")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE, db_index=True
    )
    note = models.CharField("需求说明", max_length=300, blank=True)
    created_via = models.CharField("设立渠道", max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region_code = models.CharField("区域代码", max_length=12, db_index=True, help_text="老人所在最细一级区划")

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "周期服务计划"
        verbose_name_plural = "周期服务计划"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.service_item} · {self.weekdays_label}"

    @property
    def weekdays_label(self) -> str:
        if self.weekdays == "12345":
            return "每个工作日"
        if self.weekdays == "1234567":
            return "每天"
        return "每周" + "、".join("一二三四五六日"[int(d) - 1] for d in self.weekdays)

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """A family member: the plans of their own relatives."""
        if user.has_own_scope(perm) and "family" in user.roles():
            from yiyang.elders.selectors import elder_ids_for_contact

            return Q(elder_id__in=elder_ids_for_contact(user))
        return None


class ServicePlanEvent(TransitionEvent):
    """Plan timeline: set up, paused, resumed, ended."""

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionEvent.Meta):
        verbose_name = "周期服务记录"
        verbose_name_plural = "周期服务记录"


class PlanOccurrence(models.Model):
    """One day of a plan that has had its order made: unique per (plan, day), so generating again (or two
    workers at once) never makes a second order, and a cancelled day is not made again."""

    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="occurrences")
    day = models.DateField("服务日期")
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="plan_occurrence")

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["plan", "day"], name="plan_occurrence_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.day}"
