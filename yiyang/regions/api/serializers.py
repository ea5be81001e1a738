from __future__ import annotations

from rest_framework import serializers

from yiyang.regions.models import Region


class RegionSerializer(serializers.ModelSerializer[Region]):
    code = serializers.CharField(
        source="gb_code", read_only=True, help_text="6 位（县级及以上）、9 位（乡镇）或 12 位（村/社区）代码"
    )
    code12 = serializers.CharField(source="code", read_only=True, help_text="12 位统计用区划代码")
    parent_code = serializers.CharField(source="parent_id", read_only=True, allow_null=True)
    has_children = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Region
        fields = [
            "code",
            "code12",
            "name",
            "level",
            "kind",
            "parent_code",
            "valid_from",
            "valid_to",
            "has_children",
        ]
