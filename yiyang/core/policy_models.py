"""Policy as data: one versioned, region-level value per rule threshold (see ``yiyang.core.policy``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class PolicyValue(models.Model):
    """One version of one threshold for one region. Rows are never edited: a change is a new version
    (a later ``valid_from``) and the selector picks the finest region, then the latest valid version.
    ``region_code`` is a 12-digit region code (a city by default, a county overriding it) or empty for
    the platform default seeded from the standards."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField("参数", max_length=60, db_index=True)
    region_code = models.CharField("适用区域代码", max_length=12, blank=True, db_index=True)
    value = models.DecimalField("数值", max_digits=12, decimal_places=2)
    unit = models.CharField("单位", max_length=20)
    valid_from = models.DateField("生效日期")
    valid_to = models.DateField("失效日期", null=True, blank=True)
    source = models.TextField("依据（标准或文件）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "政策参数"
        verbose_name_plural = "政策参数"
        ordering = ["key", "region_code", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["key", "region_code", "valid_from"], name="policy_key_region_from")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="policy_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}@{self.region_code or '默认'} = {self.value} {self.unit}"
