from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models

from yiyang.audit.events import label
from yiyang.regions.scope import ScopedManager


class AuditEvent(models.Model):
    """Who did what to which object, when, in which region. Written by services in the same transaction
    as the change. Carries no personal data: object ids are UUIDs, ``data`` holds field names and codes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_username = models.CharField("操作人", max_length=150, blank=True, db_index=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="区域",
    )
    event = models.CharField("事件", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象", max_length=64, blank=True, db_index=True)
    summary = models.CharField("摘要", max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        indexes = [models.Index(fields=["region", "-at"], name="audit_region_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.event}"

    @property
    def event_label(self) -> str:
        return label(self.event)
