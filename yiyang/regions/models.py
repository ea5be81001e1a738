from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.db import models
from django.utils import timezone

from yiyang.core.regioncodes import short_code
from yiyang.regions.scope import ScopedManager


class Region(models.Model):
    """A node of 省-市-县-乡镇(街道)-村(社区), keyed by its 12-digit statistical code.

    County and above carry their GB/T 2260 six-digit code in the first six digits; codes are revoked over
    time, so each row has a validity period and is never deleted.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地级"
        COUNTY = "county", "县级"
        TOWN = "town", "乡镇(街道)"
        VILLAGE = "village", "村(社区)"

    code = models.CharField("统计用区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100, db_index=True)
    level = models.CharField("层级", max_length=10, choices=Level.choices, db_index=True)
    kind = models.CharField(
        "类型", max_length=20, blank=True, help_text="如 地级市、市辖区、县、街道、镇、社区、村"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )
    urban_rural_code = models.CharField("城乡分类代码", max_length=3, blank=True)
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_to = models.DateField("撤销日期", null=True, blank=True)
    source = models.CharField("数据来源", max_length=40, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)

    scope_region_field: ClassVar[str] = "code"
    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self) -> str:
        return self.name

    @property
    def gb_code(self) -> str:
        """The code used in the API and on screen: the GB/T 2260 six digits for a county and above,
        the full 12-digit statistical code for a street/town or community/village."""
        return self.code[:6] if self.level in {"province", "city", "county"} else self.code

    @property
    def short_code(self) -> str:
        """The shortest published form: 6 digits to county, 9 for a town, 12 for a village."""
        return short_code(self.code)

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day < self.valid_to
        )
