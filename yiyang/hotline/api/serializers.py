"""Strict serializers of the hotline API: every string has its length, every code its enum."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.core.apifields import StrictCharField, StrictRegexField
from yiyang.core.identifiers import mask_name
from yiyang.core.validators import TextValidator
from yiyang.hotline.choices import (
    CallDirection,
    CallKind,
    HandlerKind,
    IncidentKind,
    IncidentOutcome,
    IncidentSource,
    Satisfaction,
)
from yiyang.hotline.models import Call, Incident, IncidentEvent, WorkOrder, WorkOrderEvent


def _aware(value: Any) -> Any:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


class ElderRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.SerializerMethodField(help_text="姓名（脱敏）")

    def get_name(self, obj: Any) -> str:
        return mask_name(obj.name)


class TimelineSerializer(serializers.Serializer[Any]):
    old = serializers.CharField(source="from_status")
    new = serializers.CharField(source="to_status")
    old_label = serializers.CharField(source="from_label")
    new_label = serializers.CharField(source="to_label")
    actor = serializers.CharField(source="actor_name")
    reason = serializers.CharField()
    details = serializers.DictField(source="data")
    at = serializers.DateTimeField()


# --- calls ------------------------------------------------------------------------------------------------

PHONE = r"^[0-9+][0-9-]{2,19}$"


class CallCreateSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=CallDirection.choices)
    number = StrictRegexField(PHONE, max_length=20, help_text="来电或去电号码（3–20 位数字）")
    kind = serializers.ChoiceField(choices=CallKind.choices)
    notes = StrictCharField(
        text="multiline",
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("记录", 1000)],
    )
    duration_seconds = serializers.IntegerField(min_value=0, max_value=86400, required=False, allow_null=True)
    recording_ref = StrictCharField(text="line", max_length=200, required=False, allow_blank=True, default="")


class CallSerializer(serializers.ModelSerializer[Call]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    number = serializers.CharField(source="number_masked", read_only=True, help_text="号码（脱敏）")
    direction_label = serializers.CharField(source="get_direction_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    elder = ElderRefSerializer(read_only=True, allow_null=True)
    operator = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "direction",
            "direction_label",
            "kind",
            "kind_label",
            "number",
            "elder",
            "operator",
            "notes",
            "started_at",
            "duration_seconds",
            "recording_ref",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_operator(self, obj: Call) -> str | None:
        return (obj.operator.display_name or obj.operator.username) if obj.operator else None


class CallingContactSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField(source="elder.public_id", help_text="该联系人所属老人的 id")
    name = serializers.SerializerMethodField(help_text="联系人姓名（脱敏）")
    relation = serializers.CharField(help_text="与老人关系代码")
    relation_label = serializers.CharField(source="get_relation_display", help_text="与老人关系")

    def get_name(self, obj: Any) -> str:
        return mask_name(obj.name)


class CallCreatedSerializer(CallSerializer):
    matched_elders = serializers.SerializerMethodField(
        help_text="号码匹配到的管辖范围内老人（id 与脱敏姓名）：老人本人的电话或其联系人（家属）的电话"
    )
    calling_contacts = serializers.SerializerMethodField(
        help_text="来电号码是哪些老人的联系人（家属来电）：老人 id、脱敏姓名与关系；老人本人来电时为空"
    )

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "matched_elders", "calling_contacts"]

    @extend_schema_field(CallingContactSerializer(many=True))
    def get_calling_contacts(self, obj: Call) -> list[dict[str, Any]]:
        return list(CallingContactSerializer(self.context.get("calling", []), many=True).data)

    @extend_schema_field(ElderRefSerializer(many=True))
    def get_matched_elders(self, obj: Call) -> list[dict[str, Any]]:
        return list(ElderRefSerializer(self.context.get("matched", []), many=True).data)


# --- incidents --------------------------------------------------------------------------------------------


class IncidentCreateSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    source = serializers.ChoiceField(choices=IncidentSource.choices)  # type: ignore[assignment]
    notes = StrictCharField(
        text="multiline",
        max_length=1000,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("情况说明", 1000)],
    )


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    elder = ElderRefSerializer(read_only=True)
    responder = serializers.CharField(source="responder_name", read_only=True)
    outcome = serializers.CharField(
        read_only=True, help_text="false_alarm / handled_at_home / hospital / other；未结案为空"
    )
    arrival_minutes = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="发起到到达的分钟数"
    )
    overrun = serializers.BooleanField(read_only=True, help_text="到达超过本区域的到达时限")

    class Meta:
        model = Incident
        fields = [
            "id",
            "status",
            "status_label",
            "kind",
            "kind_label",
            "source",
            "source_label",
            "elder",
            "opened_at",
            "acknowledged_at",
            "dispatched_at",
            "arrived_at",
            "closed_at",
            "responder",
            "outcome",
            "arrival_minutes",
            "arrival_target_minutes",
            "overrun",
            "escalation_level",
        ]


class IncidentEventSerializer(TimelineSerializer):
    pass


class IncidentDetailSerializer(IncidentSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "notes", "timeline"]

    @extend_schema_field(IncidentEventSerializer(many=True))
    def get_timeline(self, obj: Incident) -> list[dict[str, Any]]:
        rows = IncidentEvent.objects.filter(incident=obj).order_by("at", "pk")
        return list(IncidentEventSerializer(rows, many=True).data)


class IncidentDispatchSerializer(serializers.Serializer[Any]):
    responder = StrictCharField(
        text="line",
        max_length=100,
        help_text="处置人员：姓名，或服务人员 / 用户的 id",
        validators=[TextValidator("处置人员", 100, False)],
    )


class IncidentCloseSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=IncidentOutcome.choices)
    notes = StrictCharField(
        text="line",
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("结案说明", 300)],
    )


# --- work orders ------------------------------------------------------------------------------------------


class WorkOrderSerializer(serializers.ModelSerializer[WorkOrder]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    caller_phone = serializers.CharField(
        source="caller_phone_masked", read_only=True, help_text="来电号码（脱敏）"
    )
    handler_kind = serializers.CharField(read_only=True)
    satisfaction = serializers.CharField(read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "status",
            "status_label",
            "source",
            "source_label",
            "external_id",
            "title",
            "caller_phone",
            "region_code",
            "deadline",
            "handler_kind",
            "handler_name",
            "supervised_count",
            "satisfaction",
            "created_at",
        ]


class WorkOrderEventSerializer(TimelineSerializer):
    pass


class WorkOrderDetailSerializer(WorkOrderSerializer):
    timeline = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = [
            *WorkOrderSerializer.Meta.fields,
            "content",
            "result",
            "resolved_at",
            "closed_at",
            "timeline",
        ]

    @extend_schema_field(WorkOrderEventSerializer(many=True))
    def get_timeline(self, obj: WorkOrder) -> list[dict[str, Any]]:
        rows = WorkOrderEvent.objects.filter(work_order=obj).order_by("at", "pk")
        return list(WorkOrderEventSerializer(rows, many=True).data)


class WorkOrderAssignSerializer(serializers.Serializer[Any]):
    handler_kind = serializers.ChoiceField(
        choices=HandlerKind.choices, required=False, help_text="缺省：按工单所在区划（社区或街道）"
    )
    handler_name = StrictCharField(
        text="line",
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="缺省：工单所在社区（街道）的名称",
        validators=[TextValidator("承办方", 100, False)],
    )


class WorkOrderTransferSerializer(WorkOrderAssignSerializer):
    reason = StrictCharField(text="line", max_length=300, validators=[TextValidator("转办原因", 300)])


class WorkOrderResolveSerializer(serializers.Serializer[Any]):
    result = StrictCharField(
        text="multiline",
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="办理结果（回复 12345）；缺省为「已办结」",
        validators=[TextValidator("办理结果", 2000)],
    )


class WorkOrderFollowUpSerializer(serializers.Serializer[Any]):
    satisfaction = serializers.ChoiceField(
        choices=Satisfaction.choices, required=False, help_text="来电人满意度；缺省为未记录"
    )
    notes = StrictCharField(
        text="line",
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("回访记录", 300)],
    )


class WorkOrderReasonSerializer(serializers.Serializer[Any]):
    reason = StrictCharField(text="line", max_length=300, validators=[TextValidator("原因", 300)])


class Inbound12345Serializer(serializers.Serializer[Any]):
    external_id = StrictRegexField(
        r"^[A-Za-z0-9._:\-]{1,64}$", max_length=64, help_text="12345 热线的工单编号（幂等键）"
    )
    title = StrictCharField(text="line", max_length=200, validators=[TextValidator("标题", 200, False)])
    content = StrictCharField(text="multiline", max_length=4000, validators=[TextValidator("诉求内容", 4000)])
    caller_phone = StrictRegexField(
        r"^([0-9+][0-9-]{2,19})?$", max_length=20, required=False, allow_blank=True, default=""
    )
    region_code = StrictRegexField(r"^[0-9]{12}$", max_length=12, help_text="12 位统计用区划代码")
    deadline = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_deadline(self, value: Any) -> Any:
        return _aware(value)


class Inbound12345ResultSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    status = serializers.CharField()
    external_id = serializers.CharField()
