"""The elder register (老年人信息库). ID numbers, phones and addresses are encrypted at rest; a keyed
blind index serves exact lookup; masked copies serve lists without decrypting."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from yiyang.core.identifiers import age_on
from yiyang.core.models import TransitionEvent
from yiyang.elders.choices import Category, DisabilityCertificate, ElderStatus, LivingSituation, Relation, Sex
from yiyang.regions.scope import ScopedManager


class Elder(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("姓名", max_length=50, db_index=True)
    # Resident ID (GB 11643): encrypted, blind-indexed (unique: one record per person), masked copy.
    id_number_enc = models.TextField(editable=False)
    # Unique and indexed through Meta (a field-level unique/db_index would add an unused LIKE-pattern
    # copy of the index on PostgreSQL, which only slows imports: hashes are matched exactly).
    id_number_hash = models.CharField(max_length=32, editable=False)
    id_number_masked = models.CharField("身份证号", max_length=18, editable=False)
    birth_date = models.DateField("出生日期")  # indexed with region (Meta.indexes)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    phone_enc = models.TextField(blank=True, editable=False)
    phone_hash = models.CharField(max_length=32, blank=True, editable=False)
    phone_tail_hash = models.CharField(max_length=32, blank=True, editable=False)
    phone_masked = models.CharField("电话", max_length=20, blank=True, editable=False)
    # Residence (常住) is the scoping region; household registration (户籍) may differ.
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        db_index=False,  # served by elder_region_name (prefix LIKE and equality) and elder_region_status
        related_name="+",
        verbose_name="常住地（社区/村）",
    )
    hukou_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        db_index=False,  # never searched alone; fewer indexes keep bulk imports fast
        null=True,
        blank=True,
        related_name="+",
        verbose_name="户籍地",
    )
    address_enc = models.TextField(blank=True, editable=False)
    address_masked = models.CharField("住址", max_length=40, blank=True, editable=False)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    living_situation = models.CharField(
        "居住情况",
        max_length=20,
        choices=LivingSituation.choices,
        default=LivingSituation.UNKNOWN,
    )
    status = models.CharField("状态", max_length=20, choices=ElderStatus.choices, default=ElderStatus.ACTIVE)
    status_date = models.DateField("状态变更日期", null=True, blank=True)
    # Current capability (filled by assessments through elders.services.elder_set_capability).
    capability_standard = models.CharField("评估标准", max_length=20, blank=True)
    capability_level = models.PositiveSmallIntegerField("能力等级", null=True, blank=True, db_index=True)
    capability_label = models.CharField("能力等级名称", max_length=40, blank=True)
    capability_assessed_on = models.DateField("评估日期", null=True, blank=True)
    capability_valid_until = models.DateField("评估有效期至", null=True, blank=True)
    disabled_moderate_plus = models.BooleanField("中度以上失能", default=False, db_index=True)
    notes = models.TextField("备注", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        verbose_name = "老年人"
        verbose_name_plural = "老年人"
        # The register's search (docs/decisions/0004-capped-counts.md): the scope is a prefix LIKE on the
        # region code, so the region column leads with the pattern operator class (PostgreSQL; SQLite ignores
        # opclasses). The extra columns let the capped count run as an index-only scan.
        constraints = [models.UniqueConstraint(fields=["id_number_hash"], name="elder_id_number_hash_uniq")]
        indexes = [
            models.Index(fields=["phone_hash"], name="elder_phone_hash"),
            models.Index(fields=["phone_tail_hash"], name="elder_phone_tail_hash"),
            models.Index(fields=["status"], name="elder_status"),
            models.Index(fields=["region", "status"], name="elder_region_status"),
            models.Index(fields=["birth_date", "region"], name="elder_birth_region"),
            # scope alone, name contains (filter on the index tuple), category semi-join (needs id)
            models.Index(
                fields=["region", "name", "id"],
                name="elder_region_name",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
            # living situation within the scope, with the age band
            models.Index(
                fields=["living_situation", "region", "birth_date"],
                name="elder_living_region_birth",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"],
            ),
        ]
        # PostgreSQL only, in migration 0004: a pg_trgm GIN index on name for "name contains" of
        # three characters or more (shorter patterns have no trigram; they use elder_region_name).

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_own_q(cls, user: Any, perm: str) -> Q | None:
        """A family member sees the elders they are linked to as a contact with a login."""
        if user.has_own_scope(perm):
            return Q(pk__in=ElderContact.objects.filter(user=user).values("elder_id"))
        return None

    def age(self, on: date | None = None) -> int:
        return age_on(self.birth_date, on or timezone.localdate())

    @property
    def is_active(self) -> bool:
        return self.status == ElderStatus.ACTIVE


class ElderCategory(models.Model):
    """A category held over a period (特困, 低保, 残疾 with certificate class and grade…). 高龄 is derived
    from the birth date, never stored."""

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="categories")
    category = models.CharField("类别", max_length=40, choices=Category.choices)  # see Meta.indexes
    valid_from = models.DateField("起始日期", null=True, blank=True)
    valid_to = models.DateField("截止日期", null=True, blank=True)
    disability_certificate = models.CharField(
        "残疾人证", max_length=10, choices=DisabilityCertificate.choices, blank=True
    )
    disability_kind = models.CharField("残疾类别", max_length=20, blank=True)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "老年人类别"
        verbose_name_plural = "老年人类别"
        # category filter: an index-only scan yields the elders holding a category valid today
        indexes = [
            models.Index(
                fields=["category", "elder", "valid_from", "valid_to"], name="eldercategory_cat_elder_valid"
            )
        ]

    def __str__(self) -> str:
        return self.get_category_display()

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class ElderContact(models.Model):
    """A family member or other contact; may hold a family login (``user``) to see this elder."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("关系", max_length=20, choices=Relation.choices, default=Relation.OTHER)
    phone_enc = models.TextField(blank=True, editable=False)
    # Blind index of the digits (same key as Elder.phone_hash), so the hotline recognises a relative calling.
    phone_hash = models.CharField(max_length=32, blank=True, editable=False)
    phone_masked = models.CharField("电话", max_length=20, blank=True, editable=False)
    is_emergency = models.BooleanField("紧急联系人", default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="elder_links",
        verbose_name="家属登录账户",
    )

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"
        indexes = [models.Index(fields=["phone_hash"], name="eldercontact_phone_hash")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_relation_display()}）"


class ElderStatusChange(TransitionEvent):
    """Elder timeline (active → moved out / deceased, and corrections); ``data`` holds what the status
    handlers stopped (e.g. orders cancelled)."""

    elder = models.ForeignKey(Elder, on_delete=models.CASCADE, related_name="status_changes")
    effective_date = models.DateField("生效日期")

    @property
    def effects_text(self) -> str:
        from yiyang.core.hooks import effects_text

        return effects_text(self.data)

    class Meta(TransitionEvent.Meta):
        ordering = ["-at", "-pk"]
        verbose_name = "状态变更"
        verbose_name_plural = "状态变更"


class ImportJob(models.Model):
    """One upload of the register (page or ``manage.py import_elders``): progress counters for the progress
    bar and the report of bad rows (row, column, reason — never the submitted values)."""

    class Mode(models.TextChoices):
        GOOD_ROWS = "good-rows", "导入正确的行（跳过有误的行）"
        ALL_OR_NOTHING = "all-or-nothing", "全部正确才导入（有误则不写入任何行）"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "有误未导入"
        FAILED = "failed", "失败"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, null=True, related_name="+", verbose_name="导入区域"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField("文件名", max_length=200)
    mode = models.CharField("模式", max_length=20, choices=Mode.choices, default=Mode.GOOD_ROWS)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField("总行数", default=0)
    processed = models.PositiveIntegerField("已处理", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    failed = models.PositiveIntegerField("有误", default=0)
    warned = models.PositiveIntegerField("提示", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    message = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope_region_field: ClassVar[str] = "region__code"
    objects = ScopedManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status in {self.Status.DONE, self.Status.REJECTED}:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}
