"""Response shapes of the coverage API (for the OpenAPI schema; the view builds plain dicts)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class UncoveredCommunitySerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="社区（村）的 12 位统计用区划代码")
    name = serializers.CharField(help_text="社区（村）名称")
    town = serializers.CharField(help_text="所属街道（乡镇）名称")
    elders = serializers.IntegerField(help_text="在册老年人数")
    covered = serializers.IntegerField(help_text="步行距离内有社区养老服务设施的老年人数")
    uncovered = serializers.IntegerField(help_text="不在步行距离内（含住址未定位）的老年人数")
    share = serializers.FloatField(help_text="覆盖比例（0–1，四位小数）")


class CoverageSerializer(serializers.Serializer[Any]):
    elders = serializers.IntegerField(help_text="区域内在册老年人数")
    covered = serializers.IntegerField(help_text="步行距离内有社区养老服务设施的老年人数")
    share = serializers.FloatField(allow_null=True, help_text="覆盖比例（0–1，四位小数）；无老年人时为 null")
    uncovered_communities = UncoveredCommunitySerializer(many=True)
