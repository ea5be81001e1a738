from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.core.validators import (
    MONTH_PATTERN,
    TextValidator,
    validate_month,
    validate_scheduled,
    validate_service_time,
)
from yiyang.orders.choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    FlagCode,
    OrderableChannel,
)
from yiyang.orders.models import Complaint, Order, OrderEvent, OrderFlag, Settlement, SettlementLine


class RefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class ItemRefSerializer(RefSerializer):
    code = serializers.CharField()
    standard_minutes = serializers.IntegerField()


class FlagSerializer(serializers.ModelSerializer[OrderFlag]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = OrderFlag
        fields = ["id", "code", "message", "status", "raised_at", "resolved_at", "resolution_reason"]


class EventSerializer(serializers.ModelSerializer[OrderEvent]):
    old = serializers.CharField(source="from_status")
    new = serializers.CharField(source="to_status")
    old_label = serializers.CharField(source="from_label", read_only=True)
    new_label = serializers.CharField(source="to_label", read_only=True)
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = OrderEvent
        fields = ["old", "new", "old_label", "new_label", "actor", "reason", "data", "at"]


class OrderSerializer(serializers.ModelSerializer[Order]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    elder = RefSerializer(read_only=True)
    service_item = ItemRefSerializer(read_only=True)
    provider = RefSerializer(read_only=True, allow_null=True)
    caregiver = RefSerializer(read_only=True, allow_null=True)
    flags = FlagSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "status",
            "status_label",
            "channel",
            "elder",
            "service_item",
            "provider",
            "caregiver",
            "scheduled_start",
            "price_fen",
            "flags",
            "escalated_at",
            "created_at",
        ]


class ComplaintRefSerializer(serializers.ModelSerializer[Complaint]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "category", "status", "outcome"]


class OrderDetailSerializer(OrderSerializer):
    timeline = EventSerializer(many=True, read_only=True)
    confirmation_code = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    complaints = serializers.SerializerMethodField()

    class Meta(OrderSerializer.Meta):
        fields = [
            *OrderSerializer.Meta.fields,
            "note",
            "dispatched_at",
            "accepted_at",
            "checked_in_at",
            "check_in_distance_m",
            "checked_out_at",
            "check_out_distance_m",
            "items_done",
            "service_notes",
            "confirmed_at",
            "confirmed_via",
            "rating",
            "rating_comment",
            "timeline",
            "confirmation_code",
            "photos",
            "complaints",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_confirmation_code(self, obj: Order) -> str | None:
        """Shown to the family and to dispatchers (who read it to the elder); never to the caregiver."""
        return obj.confirmation_code if shows_confirmation_code(self.context["request"].user) else None

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_photos(self, obj: Order) -> list[str]:
        return [p.url for p in obj.photos.all()]

    @extend_schema_field(ComplaintRefSerializer(many=True))
    def get_complaints(self, obj: Order) -> list[dict[str, Any]]:
        """The complaints about this order the caller may see (``complaints.view``; none for a caregiver)."""
        from yiyang.orders.selectors import order_complaints

        found = order_complaints(order=obj, user=self.context["request"].user)
        return list(ComplaintRefSerializer(found, many=True).data)


def shows_confirmation_code(user: Any) -> bool:
    """The family and dispatchers (who read it to the elder) see the confirmation code; nobody else."""
    roles = user.roles()
    return "family" in roles or (user.has_perm("orders.dispatch") and "provider_admin" not in roles)


# One DRF field instance per representation: the same formatting ``OrderDetailSerializer`` applies
# (the current time zone, the API's datetime format).
_DATETIME = serializers.DateTimeField()


def _when(value: Any) -> Any:
    return None if value is None else _DATETIME.to_representation(value)


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": str(obj.public_id), "name": str(obj.name)}


def order_detail_answer(order: Order, parts: dict[str, list[dict[str, Any]]], user: Any) -> dict[str, Any]:
    """The answer of an order action, built from the moved order (with its elder, item, provider and
    caregiver loaded) and ``parts`` (``yiyang.orders.selectors.order_answer_parts``, read after the move):
    exactly what ``OrderDetailSerializer`` gives for the order (a test holds them equal), without
    building the serializer tree for every request."""
    from yiyang.orders.photos import photo_url_for

    item = order.service_item
    labels = OrderEvent.labels()
    return {
        "id": str(order.public_id),
        "status": str(order.status),
        "status_label": str(order.get_status_display()),
        "channel": str(order.channel),
        "elder": _ref(order.elder),
        "service_item": {
            "id": str(item.public_id),
            "name": str(item.name),
            "code": str(item.code),
            "standard_minutes": int(item.standard_minutes),
        },
        "provider": _ref(order.provider),
        "caregiver": _ref(order.caregiver),
        "scheduled_start": _when(order.scheduled_start),
        "price_fen": int(order.price_fen),
        "flags": [
            {
                "id": str(f["public_id"]),
                "code": f["code"],
                "message": str(f["message"]),
                "status": f["status"],
                "raised_at": _when(f["raised_at"]),
                "resolved_at": _when(f["resolved_at"]),
                "resolution_reason": str(f["resolution_reason"]),
            }
            for f in parts["flags"]
        ],
        "escalated_at": _when(order.escalated_at),
        "created_at": _when(order.created_at),
        "note": str(order.note),
        "dispatched_at": _when(order.dispatched_at),
        "accepted_at": _when(order.accepted_at),
        "checked_in_at": _when(order.checked_in_at),
        "check_in_distance_m": order.check_in_distance_m,
        "checked_out_at": _when(order.checked_out_at),
        "check_out_distance_m": order.check_out_distance_m,
        "items_done": order.items_done,
        "service_notes": str(order.service_notes),
        "confirmed_at": _when(order.confirmed_at),
        "confirmed_via": str(order.confirmed_via),
        "rating": order.rating,
        "rating_comment": str(order.rating_comment),
        "timeline": [
            {
                "old": str(e["from_status"]),
                "new": str(e["to_status"]),
                "old_label": labels.get(e["from_status"], e["from_status"]) if e["from_status"] else "—",
                "new_label": labels.get(e["to_status"], e["to_status"]),
                "actor": str(e["actor_name"]),
                "reason": str(e["reason"]),
                "data": e["data"],
                "at": _when(e["at"]),
            }
            for e in parts["timeline"]
        ],
        "confirmation_code": order.confirmation_code if shows_confirmation_code(user) else None,
        "photos": [photo_url_for(order.public_id, str(p["image"])) for p in parts["photos"]],
        "complaints": [
            {
                "id": str(c["public_id"]),
                "category": c["category"],
                "status": c["status"],
                "outcome": c["outcome"],
            }
            for c in parts["complaints"]
        ],
    }


class OrderCreateSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    service_item = serializers.UUIDField()
    scheduled_start = serializers.DateTimeField(validators=[validate_scheduled])
    channel = serializers.ChoiceField(
        choices=OrderableChannel.choices,
        required=False,
        help_text="下单渠道；缺省按下单人的角色（家属 family、话务员 hotline、调度员 dispatcher、社区/街道 community、"
        "民政管理员 web）；家属只能 family",
    )
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, validators=[TextValidator("备注", 300)]
    )

    def validate_scheduled_start(self, value: Any) -> Any:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class DispatchSerializer(serializers.Serializer[Any]):
    caregiver = serializers.UUIDField()


class StrictCharField(serializers.CharField):
    """A string, as the schema says: a number or a boolean is refused instead of turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class ReasonSerializer(serializers.Serializer[Any]):
    reason = StrictCharField(max_length=300, validators=[TextValidator("原因", 300)])


class CheckInSerializer(serializers.Serializer[Any]):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    at = serializers.DateTimeField(
        required=False,
        help_text="手机记录的签到时间（离线补传，最多 7 天前，不得晚于当前时间）；缺省为服务器接收时间",
        validators=[validate_service_time],
    )


class CheckOutSerializer(serializers.Serializer[Any]):
    lat = serializers.FloatField(
        min_value=-90,
        max_value=90,
        required=False,
        help_text="签退时手机定位（与老人住址比对，过远标记异常）",
    )
    lng = serializers.FloatField(min_value=-180, max_value=180, required=False)
    items_done = serializers.ListField(
        child=serializers.CharField(max_length=100, validators=[TextValidator("服务事项", 100, False)]),
        max_length=50,
    )
    notes = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("服务记录", 2000)],
    )
    at = serializers.DateTimeField(
        required=False,
        help_text="手机记录的签退时间（离线补传，最多 7 天前，不得晚于当前时间）；缺省为服务器接收时间",
        validators=[validate_service_time],
    )


class ConfirmSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        default="",
        help_text="服务人员手机上确认时，老人读出的 6 位确认码",
    )


class RateSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", validators=[TextValidator("评价", 300)]
    )


class FlagResolveSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=FlagCode.choices)
    decision = serializers.ChoiceField(
        choices=[("clear", "核实无误，放行结算"), ("reject", "驳回，不予结算")]
    )
    reason = serializers.CharField(max_length=300, validators=[TextValidator("原因", 300)])


class CandidateSerializer(serializers.Serializer[Any]):
    caregiver = serializers.UUIDField()
    name = serializers.CharField()
    provider = serializers.CharField()
    distance_m = serializers.IntegerField(allow_null=True)
    load = serializers.IntegerField()
    skills = serializers.ListField(child=serializers.CharField())
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    lat = serializers.FloatField(allow_null=True)
    lng = serializers.FloatField(allow_null=True)


class BulkDispatchSerializer(serializers.Serializer[Any]):
    orders = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        max_length=5000,
        help_text="要自动派单的工单；缺省为管辖范围内全部待派单工单",
    )


class BulkDispatchResultSerializer(serializers.Serializer[Any]):
    dispatched = serializers.ListField(child=serializers.UUIDField())
    unassigned = serializers.ListField(child=serializers.UUIDField())
    conflicts = serializers.ListField(child=serializers.UUIDField())
    total_distance_m = serializers.IntegerField()


class SettlementLineSerializer(serializers.ModelSerializer[SettlementLine]):
    order = serializers.UUIDField(source="order.public_id")
    elder = serializers.CharField(source="order.elder.name")
    service_item = serializers.CharField(source="order.service_item.name")

    class Meta:
        model = SettlementLine
        fields = [
            "order",
            "elder",
            "service_item",
            "kind",
            "amount_fen",
            "government_fen",
            "elder_fen",
            "government_bp",
            "quota_used",
            "categories",
            "reason",
            "created_at",
        ]


class SettlementSerializer(serializers.ModelSerializer[Settlement]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = RefSerializer(read_only=True)

    class Meta:
        model = Settlement
        fields = ["id", "provider", "month", "total_fen", "government_fen", "elder_fen", "created_at"]


class SettlementDetailSerializer(SettlementSerializer):
    lines = SettlementLineSerializer(many=True, read_only=True)
    quotas_used = serializers.SerializerMethodField()

    class Meta(SettlementSerializer.Meta):
        fields = [*SettlementSerializer.Meta.fields, "lines", "quotas_used"]

    def get_quotas_used(self, obj: Settlement) -> int:
        return sum(1 for line in obj.lines.all() if line.quota_used and line.kind == "charge")


class SettlementCreateSerializer(serializers.Serializer[Any]):
    provider = serializers.UUIDField()
    month = serializers.RegexField(
        MONTH_PATTERN, help_text="YYYY-MM（2000–2100 年）", validators=[validate_month]
    )


class SettlementReverseSerializer(serializers.Serializer[Any]):
    order = serializers.UUIDField()
    reason = serializers.CharField(max_length=300, validators=[TextValidator("原因", 300)])


class ComplaintOrderSerializer(serializers.ModelSerializer[Order]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.CharField(source="elder.name")
    service_item = serializers.CharField(source="service_item.name")
    provider = serializers.CharField(source="provider.name", allow_null=True, default=None)

    class Meta:
        model = Order
        fields = ["id", "status", "elder", "service_item", "provider", "scheduled_start"]


class ComplaintSerializer(serializers.ModelSerializer[Complaint]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    order = ComplaintOrderSerializer(read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    raised_by = serializers.SerializerMethodField()
    handler = serializers.CharField(source="handler_name", read_only=True)
    overdue = serializers.BooleanField(source="is_overdue", read_only=True)
    can_reopen = serializers.BooleanField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "order",
            "category",
            "category_label",
            "channel",
            "channel_label",
            "description",
            "status",
            "status_label",
            "outcome",
            "resolution",
            "raised_by",
            "handler",
            "reopen_count",
            "reopen_reason",
            "can_reopen",
            "created_at",
            "handling_at",
            "resolved_at",
            "reopened_at",
            "sla_due_at",
            "overdue",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_raised_by(self, obj: Complaint) -> str | None:
        """Who registered the complaint; withheld from the provider complained about."""
        request = self.context.get("request")
        if request is not None and "provider_admin" in request.user.roles():
            return None
        return obj.raised_by_name


class ComplaintCreateSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=ComplaintCategory.choices)
    description = serializers.CharField(max_length=1000, validators=[TextValidator("投诉内容", 1000)])
    channel = serializers.ChoiceField(
        choices=ComplaintChannel.choices,
        required=False,
        help_text="缺省：家属账户为 family，社区/街道工作者为 community，其余为 hotline",
    )


class ComplaintResolveSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=ComplaintOutcome.choices)
    resolution = serializers.CharField(max_length=1000, validators=[TextValidator("处理结果", 1000)])


# --- 点菜式下单 (cart) and the elder search ------------------------------------------------------------


class ElderSearchQuerySerializer(serializers.Serializer[Any]):
    q = StrictCharField(
        min_length=1, max_length=50, help_text="姓名（部分）、电话后 4 位、11 位电话或 18 位身份证号"
    )


class ElderHitSerializer(serializers.Serializer[Any]):
    """One elder found by the order search: masked facts that tell same-name elders apart."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    age = serializers.IntegerField()
    sex = serializers.CharField()
    community = serializers.CharField()
    id_tail = serializers.CharField(help_text="脱敏身份证号的后 4 位")
    phone_masked = serializers.CharField()


class ElderSearchResultSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=[
            ("id_number", "身份证号"),
            ("phone_tail", "电话后 4 位"),
            ("phone", "电话号码"),
            ("name", "姓名"),
            ("", "无"),
        ],
        help_text="按什么查找（由输入判断）",
    )
    results = ElderHitSerializer(many=True)


class CartLineSerializer(serializers.Serializer[Any]):
    service_item = serializers.UUIDField()
    quantity = serializers.IntegerField(
        min_value=1, max_value=10, help_text="上门次数（依次排在预约时间之后）"
    )


class CartQuoteSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    lines = serializers.ListField(child=CartLineSerializer(), min_length=1, max_length=10)
    scheduled_start = serializers.DateTimeField(validators=[validate_scheduled], help_text="第一次上门时间")

    def validate_scheduled_start(self, value: Any) -> Any:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class CartPlaceSerializer(CartQuoteSerializer):
    channel = serializers.ChoiceField(
        choices=OrderableChannel.choices,
        required=False,
        help_text="下单渠道；缺省按下单人的角色（同单个下单）",
    )
    note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", validators=[TextValidator("备注", 300)]
    )


class QuoteVisitSerializer(serializers.Serializer[Any]):
    start = serializers.DateTimeField()
    price_fen = serializers.IntegerField()
    government_fen = serializers.IntegerField()
    elder_fen = serializers.IntegerField()
    within_quota = serializers.BooleanField()


class QuoteLineSerializer(serializers.Serializer[Any]):
    service_item = serializers.UUIDField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price_fen = serializers.IntegerField()
    price_fen = serializers.IntegerField()
    government_fen = serializers.IntegerField()
    elder_fen = serializers.IntegerField()
    visits = QuoteVisitSerializer(many=True)


class QuoteSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    month = serializers.CharField()
    quota = serializers.IntegerField(help_text="当月补贴服务次数")
    quota_used = serializers.IntegerField(help_text="下单前已用（含已预约未结算的）")
    quota_left = serializers.IntegerField()
    quota_left_after = serializers.IntegerField(help_text="本次下单后剩余")
    price_fen = serializers.IntegerField()
    government_fen = serializers.IntegerField()
    elder_fen = serializers.IntegerField()
    lines = QuoteLineSerializer(many=True)


class CartPlacedSerializer(serializers.Serializer[Any]):
    batch = serializers.UUIDField()
    orders = OrderSerializer(many=True)
