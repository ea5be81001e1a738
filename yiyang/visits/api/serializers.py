"""Serializers of the 探访关爱 API (strict: every code its enum, every text its length)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yiyang.core.apifields import StrictBooleanField, StrictCharField, StrictUUIDField
from yiyang.core.validators import MONTH_PATTERN
from yiyang.visits.choices import FollowUpKind, Method, PlanItemStatus, RiskClass
from yiyang.visits.models import PlanItem, Visit, VisitPlan


class ReasonSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField(help_text="规则编号（A1、raise.alarm、override、none.age…）")
    message = serializers.CharField(help_text="依据（中文）")


class RuleSetRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    region_code = serializers.CharField(help_text="适用区域代码（空：默认规则）")
    name = serializers.CharField()


class RiskSerializer(serializers.Serializer[Any]):
    # "class" is a Python keyword: declared through the fields dict below.
    reasons = ReasonSerializer(many=True)
    overridden = serializers.BooleanField()
    rule_set = RuleSetRefSerializer(allow_null=True)
    label = serializers.CharField(help_text="分类名称")  # type: ignore[assignment]


RiskSerializer._declared_fields["class"] = serializers.ChoiceField(
    choices=RiskClass.choices, allow_null=True, help_text="A、B、C 或 null（不分类）"
)


class FollowUpInSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=FollowUpKind.choices)
    service_item = serializers.UUIDField(required=False, help_text="服务项目 id（kind=order）")
    scheduled_start = serializers.DateTimeField(required=False, help_text="预约上门时间（kind=order）")
    title = serializers.CharField(required=False, max_length=100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    housing_right = StrictBooleanField(
        required=False, help_text="有房屋产权或使用权（kind=renovation，必填）"
    )
    in_demolition_plan = StrictBooleanField(required=False, help_text="在拆迁计划内（kind=renovation，必填）")


class VisitCreateSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField(help_text="老人 id")
    method = serializers.ChoiceField(choices=Method.choices)
    visited_at = serializers.DateTimeField()
    seen = serializers.BooleanField(help_text="是否见到（联系上）老人；false 记为未探到，不计入完成")
    findings = serializers.DictField(
        required=False,
        help_text="探访情况：health、mood、food、medicine、devices、needs…；hazards 为安全隐患列表"
        "（gas、wiring、stairs、fire、other）",
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=500)
    follow_ups = FollowUpInSerializer(many=True, required=False)


class FollowUpSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    target = serializers.UUIDField(source="target_id")
    label = serializers.CharField()  # type: ignore[assignment]


class VisitSerializer(serializers.ModelSerializer[Visit]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    visitor = serializers.SerializerMethodField()
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "elder",
            "elder_name",
            "method",
            "method_label",
            "visited_at",
            "seen",
            "findings",
            "hazards",
            "hazard_open",
            "lat",
            "lng",
            "distance_m",
            "notes",
            "visitor",
            "follow_ups",
            "created_at",
        ]
        read_only_fields = fields

    def get_visitor(self, obj: Visit) -> str:
        return (obj.visitor.display_name if obj.visitor else "") or ""


class VisitCoverageSerializer(serializers.Serializer[Any]):
    due = serializers.IntegerField(help_text="应探访次数（本月已到期的探访窗口）")
    done = serializers.IntegerField(help_text="已完成（窗口内见到老人）")
    overdue = serializers.IntegerField(help_text="已逾期（窗口已过未见到老人）")
    rate = serializers.FloatField(allow_null=True, help_text="探访率 = done / due；无应探访时为 null")


class PlanItemSerializer(serializers.ModelSerializer[PlanItem]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    visitor = serializers.SerializerMethodField()
    visitor_id = serializers.UUIDField(
        source="visitor.public_id", read_only=True, allow_null=True, help_text="探访人 id（改派时用）"
    )
    status = serializers.ChoiceField(choices=PlanItemStatus.choices, read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "elder",
            "elder_name",
            "risk_class",
            "slot_start",
            "slot_end",
            "visitor",
            "visitor_id",
            "status",
        ]
        read_only_fields = fields

    def get_visitor(self, obj: PlanItem) -> str:
        return (obj.visitor.display_name if obj.visitor else "") or ""


class VisitPlanSerializer(serializers.ModelSerializer[VisitPlan]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    region = serializers.CharField(source="region_code", read_only=True)
    items = serializers.SerializerMethodField()

    class Meta:
        model = VisitPlan
        fields = ["id", "region", "period", "generated_at", "items"]
        read_only_fields = fields

    def get_items(self, obj: VisitPlan) -> list[dict[str, Any]]:
        items = getattr(obj, "prefetched_items", None)
        if items is None:
            return []
        return list(PlanItemSerializer(items, many=True).data)


class VisitPlanCreateSerializer(serializers.Serializer[Any]):
    region = serializers.RegexField(r"^[0-9]{12}$", help_text="社区（村）区划代码")
    period = serializers.RegexField(MONTH_PATTERN, help_text="月份 YYYY-MM")


class PlanReassignSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(
        child=StrictUUIDField(),
        min_length=1,
        max_length=500,
        help_text="要改派的应探访 id（本计划中尚未完成的）",
    )
    visitor = StrictUUIDField(help_text="新探访人 id（见 visitors/：本社区的网格员、社区工作者或志愿者）")
    reason = StrictCharField(max_length=200, text="line", help_text="改派理由")


class PlanVisitorSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="user.public_id", help_text="探访人 id")
    name = serializers.CharField(help_text="姓名")
    due = serializers.IntegerField(help_text="本月尚未完成的应探访（所有计划）")
    total = serializers.IntegerField(help_text="本月应探访合计（所有计划）")
