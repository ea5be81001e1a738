"""The 12349 hotline: calls, emergency incidents, work orders (工单) with the 12345 transfer, the
integrations that may post them, and the duty roster. Every row stores the region it is about
(``region_code``: the elder's for an incident, the work order's for a 12345 order)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiyang.core.models import ScopedRecord, TransitionEvent
from yiyang.hotline.choices import (
    AnswerKind,
    CallDirection,
    CallKind,
    CareCallStatus,
    HandlerKind,
    IncidentKind,
    IncidentOutcome,
    IncidentSource,
    IncidentStatus,
    Satisfaction,
    ShiftRole,
    WorkOrderSource,
    WorkOrderStatus,
)
from yiyang.regions.scope import ScopedManager


def _family_q(user: Any, perm: str, field: str = "elder_id") -> Q | None:
    if user.has_own_scope(perm) and "family" in user.roles():
        from yiyang.elders.selectors import elder_ids_for_contact

        return Q(**{f"{field}__in": elder_ids_for_contact(user)})
    return None


class Call(models.Model):
    """One inbound or outbound call. The number is stored encrypted with a blind index (to find the
    elder) and a masked copy (to show)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField("方向", max_length=3, choices=CallDirection.choices)
    kind = models.CharField("类型", max_length=20, choices=CallKind.choices, db_index=True)
    number_enc = models.TextField(blank=True, editable=False)
    number_hash = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    number_masked = models.CharField("号码", max_length=20, blank=True, editable=False)
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="老人"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.CharField("记录", max_length=1000, blank=True)
    started_at = models.DateTimeField("开始时间", db_index=True)
    answered_at = models.DateTimeField("接听时间", null=True, blank=True)
    duration_seconds = models.PositiveIntegerField("通话时长（秒）", null=True, blank=True)
    recording_ref = models.CharField("录音编号", max_length=200, blank=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "通话记录"
        verbose_name_plural = "通话记录"
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} · {self.number_masked} · {self.get_kind_display()}"


class Incident(models.Model):
    """An emergency (紧急呼援) for one elder, opened from a call, the SOS page or a device alarm, all
    through ``services.incident_open``. At most one incident per elder is open at a time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, related_name="incidents", verbose_name="老人"
    )
    kind = models.CharField("类型", max_length=20, choices=IncidentKind.choices)
    source = models.CharField("来源", max_length=20, choices=IncidentSource.choices)
    status = models.CharField(
        "状态", max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN, db_index=True
    )
    notes = models.CharField("情况说明", max_length=1000, blank=True)
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents")
    opened_at = models.DateTimeField("发起时间", db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dispatched_at = models.DateTimeField("派员时间", null=True, blank=True)
    responder_name = models.CharField("处置人员", max_length=100, blank=True)
    responder_staff = models.ForeignKey(
        "providers.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    responder_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    closed_at = models.DateTimeField("结案时间", null=True, blank=True)
    outcome = models.CharField("处置结果", max_length=20, choices=IncidentOutcome.choices, blank=True)
    arrival_target_minutes = models.PositiveIntegerField("到达时限（分钟）", default=30)
    # Escalation (轮呼): when the next ring is due while unacknowledged, and how far it went
    # (0 = the operators on duty, 1 = the next operator, 2 = the shift supervisor).
    ack_due_at = models.DateTimeField("确认时限", null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField("升级层级", default=0)
    rung_users = models.JSONField(default=list, blank=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "紧急呼援事件"
        verbose_name_plural = "紧急呼援事件"
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["elder"], condition=~Q(status="closed"), name="incident_one_open_per_elder"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.opened_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """Family: incidents of the elders they are a contact of."""
        return _family_q(user, perm)

    @property
    def arrival_minutes(self) -> int | None:
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.opened_at).total_seconds() // 60)

    @property
    def overrun(self) -> bool:
        minutes = self.arrival_minutes
        return minutes is not None and minutes > self.arrival_target_minutes


class IncidentEvent(TransitionEvent):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")

    class Meta(TransitionEvent.Meta):
        verbose_name = "紧急呼援时间线"
        verbose_name_plural = "紧急呼援时间线"


class Integration(models.Model):
    """An outside system (the city's 12345 hotline) allowed to post work orders with an API key. The key
    is shown once and stored as its SHA-256 only; revoking it ends its use at once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("系统名称", max_length=100)
    region_code = models.CharField("所属城市", max_length=12, db_index=True)
    key_prefix = models.CharField("密钥前缀", max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    callback_url = models.URLField("回复地址", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "对接系统"
        verbose_name_plural = "对接系统"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    # DRF's IsAuthenticated asks the authenticated "user"; an integration is one.
    is_authenticated = True


class WorkOrder(models.Model):
    """A hotline work order (工单): 受理 → 派单 → 处置 → 办结 → 回访, with 督办, transfer and rework."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField("来源", max_length=10, choices=WorkOrderSource.choices)
    integration = models.ForeignKey(
        Integration, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    external_id = models.CharField("外部编号", max_length=64, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容", max_length=4000)
    caller_phone_enc = models.TextField(blank=True, editable=False)
    caller_phone_masked = models.CharField("来电号码", max_length=20, blank=True, editable=False)
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.ForeignKey(
        "orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        "状态",
        max_length=20,
        choices=WorkOrderStatus.choices,
        default=WorkOrderStatus.ACCEPTED,
        db_index=True,
    )
    deadline = models.DateTimeField("办理时限", null=True, blank=True, db_index=True)
    handler_kind = models.CharField("承办方类型", max_length=20, choices=HandlerKind.choices, blank=True)
    handler_name = models.CharField("承办方", max_length=100, blank=True)
    result = models.CharField("办理结果", max_length=2000, blank=True)
    satisfaction = models.CharField("满意度", max_length=20, choices=Satisfaction.choices, blank=True)
    supervised_count = models.PositiveSmallIntegerField("督办次数", default=0)
    last_supervised_at = models.DateTimeField("最近督办", null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "热线工单"
        verbose_name_plural = "热线工单"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "external_id"],
                condition=~Q(external_id=""),
                name="workorder_external_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class WorkOrderEvent(TransitionEvent):
    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="timeline")

    class Meta(TransitionEvent.Meta):
        verbose_name = "热线工单时间线"
        verbose_name_plural = "热线工单时间线"


class Shift(models.Model):
    """One duty shift (轮岗值班) of one person at a centre (the region the centre serves)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField("岗位", max_length=20, choices=ShiftRole.choices)
    starts_at = models.DateTimeField("开始", db_index=True)
    ends_at = models.DateTimeField("结束", db_index=True)
    region_code = models.CharField("值班中心（区域）", max_length=12, db_index=True)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "值班班次"
        verbose_name_plural = "值班班次"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%H:%M}"


class CareCallBatch(ScopedRecord):
    """关爱回访 planned in a batch (e.g. every elder living alone aged 80+ in a street this week)."""

    name = models.CharField("名称", max_length=100)
    criteria = models.JSONField("条件", default=dict, blank=True)

    class Meta:
        verbose_name = "关爱回访批次"
        verbose_name_plural = "关爱回访批次"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class CareCallTask(models.Model):
    """One elder to call in a care-call batch; worked through as a queue."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(CareCallBatch, on_delete=models.CASCADE, related_name="tasks")
    elder = models.ForeignKey("elders.Elder", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "状态", max_length=20, choices=CareCallStatus.choices, default=CareCallStatus.PENDING, db_index=True
    )
    notes = models.CharField("回访记录", max_length=300, blank=True)
    call = models.ForeignKey(Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "关爱回访任务"
        verbose_name_plural = "关爱回访任务"
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["batch", "elder"], name="carecall_once_per_batch")]

    def __str__(self) -> str:
        return f"{self.batch} · {self.get_status_display()}"


class CallAnswer(ScopedRecord):
    """What the operator recommended on a call (查询养老院, 预约挂号, 咨询): a facility or a provider from
    the platform's own data, with the distance from the elder's home at the time of the answer."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="answers", verbose_name="通话")
    kind = models.CharField("推荐类型", max_length=20, choices=AnswerKind.choices)
    facility = models.ForeignKey(
        "providers.Facility", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "providers.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField("推荐对象", max_length=200)
    details = models.CharField("推荐时的信息", max_length=300, blank=True)
    distance_m = models.PositiveIntegerField("距老人住址（米）", null=True, blank=True)
    note = models.CharField("答复说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "来电答复"
        verbose_name_plural = "来电答复"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class Appointment(ScopedRecord):
    """预约挂号 recorded on a call: where, when, for whom; optionally a reminder before the time (sent by
    the hotline sweep through the one notification interface, then ``reminded_at`` is set)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="appointments", verbose_name="通话")
    elder = models.ForeignKey(
        "elders.Elder", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="老人"
    )
    person_name = models.CharField("预约人", max_length=50)
    organisation = models.ForeignKey(
        "providers.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    place = models.CharField("预约地点", max_length=200)
    department = models.CharField("科室/项目", max_length=100, blank=True)
    at = models.DateTimeField("预约时间", db_index=True)
    notes = models.CharField("备注", max_length=300, blank=True)
    remind_at = models.DateTimeField("提醒时间", null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField("已提醒", null=True, blank=True)

    class Meta:
        verbose_name = "预约挂号"
        verbose_name_plural = "预约挂号"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.place} · {self.at:%Y-%m-%d %H:%M}"
