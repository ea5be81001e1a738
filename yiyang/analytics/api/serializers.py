from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yiyang.analytics.choices import Source, Status


class KpiValueSerializer(serializers.Serializer[dict[str, Any]]):
    """One KPI of a region for a year (read-only)."""

    code = serializers.CharField(help_text="指标代码")
    name = serializers.CharField(help_text="指标名称")
    unit = serializers.CharField(help_text="单位")
    value = serializers.FloatField(allow_null=True, help_text="值；数据不存在时为 null（status 为 no_data）")
    target = serializers.FloatField(allow_null=True, help_text="目标值；未设目标时为 null")
    status = serializers.ChoiceField(
        choices=Status.choices, help_text="on_track / at_risk / behind / no_data"
    )
    as_of = serializers.DateField(help_text="统计截至日期")
    target_year = serializers.IntegerField(allow_null=True, help_text="所用目标值的年份")
    demo_target = serializers.BooleanField(help_text="演示目标（取自其他城市规划，仅供演示）")
    value_source = serializers.ChoiceField(
        choices=Source.choices, help_text="computed 平台计算 / entered 部门填报"
    )
    reason = serializers.CharField(allow_blank=True, help_text="无数据或无法评价的原因")
