"""Smart devices and alarms (issue 13): vendors with their webhook secret and MQTT topic prefix, the
device register, every event a device sent (stored once per vendor and event id, processed once),
alarm rules per region, alarms with their timeline, away periods and per-elder health thresholds.
Every row stores the region it is about (``region_code``: the elder's; the vendor's city for an event
of a device not registered yet)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiyang.core.models import ScopedRecord, TransitionEvent
from yiyang.devices.choices import AlarmKind, AlarmStatus, DeviceStatus, DeviceType, EventType, Severity
from yiyang.regions.scope import ScopedManager


def _own_elders_q(user: Any, perm: str, field: str = "elder_id") -> Q | None:
    """Family: the elders they are a contact of; provider admin: the elders their organisation serves."""
    if not user.has_own_scope(perm):
        return None
    roles = user.roles()
    q = Q()
    if "family" in roles:
        from yiyang.elders.selectors import elder_ids_for_contact

        q |= Q(**{f"{field}__in": elder_ids_for_contact(user)})
    if "provider_admin" in roles:
        from yiyang.orders.selectors import order_list

        q |= Q(**{f"{field}__in": order_list(user=user, perm="orders.view").values("elder_id")})
    return q if q.children else None


class Vendor(models.Model):
    """A device vendor (integration): its code names it in the webhook header and the MQTT topic
    ``yiyang/<code>/<serial>/event``; the webhook secret signs its posts (stored encrypted)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField("厂商代码", max_length=40, unique=True)
    name = models.CharField("厂商名称", max_length=100)
    secret_enc = models.TextField(editable=False)
    region_code = models.CharField("所属城市", max_length=12, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "设备厂商"
        verbose_name_plural = "设备厂商"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def topic_prefix(self) -> str:
        return f"yiyang/{self.code}"


class Device(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="devices", verbose_name="厂商")
    serial = models.CharField("设备序列号", max_length=64)
    type = models.CharField("类型", max_length=20, choices=DeviceType.choices, db_index=True)
    elder = models.ForeignKey(
        "elders.Elder",
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name="老人",
        null=True,
        blank=True,
    )
    installed_on = models.DateField("安装日期", null=True, blank=True)
    installed_by = models.CharField("安装人", max_length=50, blank=True)
    battery = models.PositiveSmallIntegerField("电量（%）", null=True, blank=True)
    last_heartbeat = models.DateTimeField("最近心跳", null=True, blank=True, db_index=True)
    heartbeat_seconds = models.PositiveIntegerField("心跳间隔（秒）", default=3600)
    status = models.CharField(
        "状态", max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE, db_index=True
    )
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "智能设备"
        verbose_name_plural = "智能设备"
        ordering = ["type", "serial", "pk"]
        constraints = [models.UniqueConstraint(fields=["vendor", "serial"], name="device_vendor_serial")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.serial}"

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        return _own_elders_q(user, perm)


class Installation(models.Model):
    """An installation record with its photo (安装记录)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="installations")
    installed_on = models.DateField("安装日期")
    installed_by = models.CharField("安装人", max_length=50)
    notes = models.CharField("说明", max_length=300, blank=True)
    photo = models.ImageField("安装照片", upload_to="devices/installations/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "安装记录"
        verbose_name_plural = "安装记录"
        ordering = ["-installed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.installed_on} {self.installed_by}"


class DeviceEvent(models.Model):
    """One event as the vendor sent it. ``(vendor, event_id)`` is unique: the same event again is a
    duplicate. ``processed_at`` is the processed marker, set by a compare-and-swap in the transaction
    that applies the event, so it is processed exactly once."""

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="events")
    event_id = models.CharField(max_length=100)
    serial = models.CharField("设备序列号", max_length=64, db_index=True)
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    type = models.CharField("事件", max_length=20, choices=EventType.choices)
    ts = models.DateTimeField("发生时间", db_index=True)
    value = models.JSONField("读数", null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    channel = models.CharField(max_length=10, default="webhook")
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "设备事件"
        verbose_name_plural = "设备事件"
        ordering = ["-ts", "-pk"]
        constraints = [models.UniqueConstraint(fields=["vendor", "event_id"], name="device_event_once")]
        indexes = [models.Index(fields=["device", "type", "ts"], name="devevent_device_type_ts")]

    def __str__(self) -> str:
        return f"{self.type} {self.serial} {self.ts:%Y-%m-%d %H:%M}"


class AlarmRule(models.Model):
    """Which event raises which alarm, per region (the most specific region wins; the built-in rules in
    ``rules.DEFAULT_RULES`` apply where a region has none). ``needs_person`` opens or joins a hotline
    incident; the others go to the queue of the community worker and the provider."""

    region_code = models.CharField("区域", max_length=12, db_index=True)
    event_type = models.CharField("事件", max_length=20, choices=EventType.choices)
    kind = models.CharField("告警类型", max_length=20, choices=AlarmKind.choices)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    needs_person = models.BooleanField("需人工紧急处置", default=False)
    enabled = models.BooleanField("启用", default=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "告警规则"
        verbose_name_plural = "告警规则"
        ordering = ["region_code", "event_type"]
        constraints = [models.UniqueConstraint(fields=["region_code", "event_type"], name="alarm_rule_once")]

    def __str__(self) -> str:
        return f"{self.region_code} {self.event_type} → {self.kind}"


class Alarm(models.Model):
    """An alarm about an elder or a device. While one is live (raised or acknowledged) the same kind from
    the same device (or for the same elder) joins it: ``repeats`` counts the duplicates and flaps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(
        "elders.Elder",
        on_delete=models.PROTECT,
        related_name="alarms",
        null=True,
        blank=True,
        verbose_name="老人",
    )
    device = models.ForeignKey(
        Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="alarms", verbose_name="设备"
    )
    kind = models.CharField("类型", max_length=20, choices=AlarmKind.choices, db_index=True)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    status = models.CharField(
        "状态", max_length=20, choices=AlarmStatus.choices, default=AlarmStatus.RAISED, db_index=True
    )
    message = models.CharField("说明", max_length=300)
    dedupe_key = models.CharField(max_length=120, editable=False)
    raised_at = models.DateTimeField("发生时间", db_index=True)
    created_at = models.DateTimeField("告警时间", auto_now_add=True)
    last_seen_at = models.DateTimeField("最近一次", null=True, blank=True)
    repeats = models.PositiveIntegerField("重复次数", default=0)
    event = models.ForeignKey(DeviceEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    incident = models.ForeignKey(
        "hotline.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "设备告警"
        verbose_name_plural = "设备告警"
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["raised", "acknowledged"]),
                name="alarm_one_live_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.raised_at:%Y-%m-%d %H:%M}"

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        return _own_elders_q(user, perm)

    @property
    def response_minutes(self) -> int | None:
        if self.acknowledged_at is None:
            return None
        return max(0, int((self.acknowledged_at - self.created_at).total_seconds() // 60))


class AlarmEvent(TransitionEvent):
    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="timeline")

    class Meta(TransitionEvent.Meta):
        verbose_name = "告警时间线"
        verbose_name_plural = "告警时间线"


class AwayPeriod(ScopedRecord):
    """The elder is away (visiting children, in hospital): inactivity alarms pause in this period."""

    elder = models.ForeignKey("elders.Elder", on_delete=models.CASCADE, related_name="away_periods")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    reason = models.CharField("原因", max_length=100)

    class Meta:
        verbose_name = "外出登记"
        verbose_name_plural = "外出登记"
        ordering = ["-starts_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.reason} {self.starts_at:%Y-%m-%d}–{self.ends_at:%Y-%m-%d}"

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        return _own_elders_q(user, perm)


class HealthThreshold(models.Model):
    """Per-elder limits for health readings (the defaults in ``rules.HEALTH_DEFAULTS`` otherwise)."""

    elder = models.OneToOneField("elders.Elder", on_delete=models.CASCADE, related_name="health_threshold")
    heart_rate_min = models.PositiveSmallIntegerField("心率下限", default=50)
    heart_rate_max = models.PositiveSmallIntegerField("心率上限", default=120)
    spo2_min = models.PositiveSmallIntegerField("血氧下限（%）", default=90)
    systolic_max = models.PositiveSmallIntegerField("收缩压上限", default=160)
    diastolic_max = models.PositiveSmallIntegerField("舒张压上限", default=100)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "健康阈值"
        verbose_name_plural = "健康阈值"

    def __str__(self) -> str:
        return f"健康阈值 {self.elder_id}"


class ActivityProfile(models.Model):
    """A home's learned rhythm: the longest idle span (minutes) that began in each hour of the day over
    the last 14 days, and the last activity seen (无活动告警)."""

    elder = models.OneToOneField("elders.Elder", on_delete=models.CASCADE, related_name="activity_profile")
    max_idle_by_hour = models.JSONField(default=list)
    history_days = models.PositiveSmallIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    def __str__(self) -> str:
        return f"活动规律 {self.elder_id}"
