from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from yiyang.regions.scope import ScopedManager


class JobRun(models.Model):
    """One run of a background job: every run is recorded, scheduled or manual, success or failure."""

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失败"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("任务", max_length=120, db_index=True)
    task_id = models.CharField(max_length=64, blank=True)
    trigger = models.CharField("触发方式", max_length=20, default="schedule")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField("开始", auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField("结束", null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    region_code = models.CharField(
        "区域代码",
        max_length=12,
        db_index=True,
        blank=True,
        help_text="本次运行所涉区域：区县的导入为该区县，全市任务为市级代码",
    )

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "后台任务运行"
        verbose_name_plural = "后台任务运行"
        permissions = [("view_jobs", "查看后台任务"), ("run_jobs", "手动运行后台任务")]

    def __str__(self) -> str:
        return f"{self.name} {self.status}"


class RegionFromParent(models.Model):
    """A region-bound row (ARCHITECTURE rule 2: it stores its finest region in ``region_code``) that takes
    its region from the row it belongs to when the writer left it empty: services write it explicitly, and
    this fallback keeps a row saved without it (fixtures, the admin) in scope.

    ``region_from = (foreign key, the parent's region column)``: ``("elder", "region_id")`` for a row
    about an elder, ``("order", "region_code")`` for a row under an order."""

    region_from: ClassVar[tuple[str, str]] = ("", "")

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        key, column = self.region_from
        parent_id = getattr(self, f"{key}_id", None) if key else None
        if not getattr(self, "region_code", "") and parent_id:
            parent = self._meta.get_field(key).related_model
            region = parent._default_manager.values_list(column, flat=True).get(pk=parent_id)  # type: ignore[union-attr]
            self.region_code = str(region)
        super().save(*args, **kwargs)


class ScopedRecord(models.Model):
    """The columns a region-bound record of the newer apps repeats: its public id (the only id people and
    the API see), its finest region in ``region_code`` (ARCHITECTURE rule 2; rows are read through
    ``objects.restrict(user, perm)``), who made it and when.

    The fields are declared exactly as the models declared them before moving onto this base, so the move
    changes no column, index or migration (``makemigrations --check`` stays clean). A model whose column
    differs (another label, ``blank``, an index on ``created_at``) keeps its own declaration and stays off
    this base."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region_code = models.CharField("区域代码", max_length=12, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        abstract = True


class TransitionEvent(models.Model):
    """Abstract timeline row (ARCHITECTURE rule 3): who moved what from which status to which, when, why.

    A concrete timeline adds the foreign key to the moved object (its one foreign key besides ``actor``;
    name it in ``subject_field`` only if it has more) and Meta's verbose names. Displays show the statuses'
    Chinese labels, never codes: the moved model's ``status`` choices, or ``status_labels`` where the
    timeline records another field's moves.
    Rows are written by ``yiyang.core.statemachine.transition`` (or ``timeline_write`` for a creation)."""

    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    reason = models.CharField("原因", max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    subject_field: ClassVar[str] = ""
    status_labels: ClassVar[Mapping[str, str]] = {}

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_label} → {self.to_label}"

    @classmethod
    def subject_name(cls) -> str:
        """The foreign key to the moved object: ``subject_field``, else the one foreign key but ``actor``."""
        if cls.subject_field:
            return cls.subject_field
        keys = [f.name for f in cls._meta.concrete_fields if f.many_to_one and f.name != "actor"]
        if len(keys) != 1:
            raise TypeError(f"{cls.__name__}: name the moved object in subject_field (foreign keys: {keys})")
        return keys[0]

    @classmethod
    def labels(cls) -> Mapping[str, str]:
        """Status code → Chinese label: ``status_labels``, else the moved model's ``status`` choices."""
        if cls.status_labels:
            return cls.status_labels
        subject = cls._meta.get_field(cls.subject_name()).related_model
        return dict(subject._meta.get_field("status").choices or ())  # type: ignore[union-attr,arg-type]

    @property
    def from_label(self) -> str:
        return self.labels().get(self.from_status, self.from_status) if self.from_status else "—"

    @property
    def to_label(self) -> str:
        return self.labels().get(self.to_status, self.to_status)


class OutboxMessage(models.Model):
    """A message that must not be lost (ARCHITECTURE rule 4): written by ``outbox_put`` in the writer's own
    transaction, delivered after commit by ``yiyang.core.outbox.deliver_due`` with retries and exponential
    backoff, and moved to the dead-letter list (死信) after ``OUTBOX_MAX_ATTEMPTS`` failures.

    ``last_error`` holds the exception type and a scrubbed, shortened message, never the payload."""

    class Status(models.TextChoices):
        PENDING = "pending", "待投递"
        SENT = "sent", "已投递"
        DEAD = "dead", "投递失败（死信）"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField("通道", max_length=40, db_index=True)
    payload = models.JSONField(default=dict, blank=True)
    region_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    key = models.CharField("去重键", max_length=200, unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("投递次数", default=0)
    next_attempt_at = models.DateTimeField("下次投递", default=timezone.now)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("投递时间", null=True, blank=True)

    scope_region_field: ClassVar[str] = "region_code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]
        verbose_name = "待投递消息"
        verbose_name_plural = "待投递消息"

    def __str__(self) -> str:
        return f"{self.channel} · {self.get_status_display()}"


class Notification(models.Model):
    """An in-app message for one user (the bell in the header); written by the outbox ``notifications``
    channel, so it appears only once the write that caused it has committed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField("标题", max_length=100)
    body = models.CharField("内容", max_length=500, blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    key = models.CharField(max_length=200, unique=True, editable=False)  # the outbox key: delivered once
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"

    def __str__(self) -> str:
        return self.title


from yiyang.core.policy_models import PolicyValue  # noqa: E402, F401  (own module: policy as data)
