from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models

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
