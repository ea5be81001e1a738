"""Orders API: creation, the transition actions, candidates and dispatch, flags; settlements."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.core.api import (
    MOVE_ERRORS,
    ActionPermission,
    ScopedViewMixin,
    TransitionActionsMixin,
    move_schema,
    read_body,
)
from yiyang.core.apischema import errors
from yiyang.core.errors import missing_reference
from yiyang.core.parsers import SafeJSONParser, SafeMultiPartParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.dispatch.matching import dispatch_organisations, order_candidates
from yiyang.elders.selectors import elder_get, elder_quick_search, id_tail
from yiyang.orders import complaints, ordering, services
from yiyang.orders.api.serializers import (
    BulkDispatchResultSerializer,
    BulkDispatchSerializer,
    CandidateSerializer,
    CartPlacedSerializer,
    CartPlaceSerializer,
    CartQuoteSerializer,
    CheckInSerializer,
    CheckOutSerializer,
    ComplaintCreateSerializer,
    ComplaintResolveSerializer,
    ComplaintSerializer,
    ConfirmSerializer,
    DispatchSerializer,
    ElderSearchQuerySerializer,
    ElderSearchResultSerializer,
    FlagResolveSerializer,
    OrderCreateSerializer,
    OrderDetailSerializer,
    OrderSerializer,
    QuoteSerializer,
    RateSerializer,
    ReasonSerializer,
    SettlementCreateSerializer,
    SettlementDetailSerializer,
    SettlementReverseSerializer,
    SettlementSerializer,
    order_detail_answer,
)
from yiyang.orders.choices import ComplaintCategory, ComplaintStatus, OrderStatus
from yiyang.orders.dispatching import order_auto_dispatch, orders_auto_dispatch
from yiyang.orders.models import Complaint, Order, Settlement
from yiyang.orders.selectors import (
    complaint_list,
    order_answer_parts,
    order_detail_queryset,
    order_list,
    order_transition_queryset,
    overdue_q,
    settlement_list,
)
from yiyang.orders.settlement import settlement_generate, settlement_reverse, settlement_xlsx
from yiyang.orders.transitions import DISPATCHABLE
from yiyang.providers.selectors import organisation_scoped, service_item_get, staff_get

READ_ERRORS = errors(401, 403, 404)


# Lifecycle moves (and the dispatch): the order is loaded without prefetches and the answer is built
# from the object the move already holds (see ``OrderViewSet.render_moved``, decision 0019).
LIGHT_TRANSITIONS = frozenset(
    {"dispatch_order", "accept", "decline", "check_in", "check_out", "confirm", "rate", "cancel"}
)
# Actions answered by ``order_detail_answer`` (the moves, and the creation: a new order is in hand).
FAST_ANSWERS = LIGHT_TRANSITIONS | {"create"}


ORDER_LIST_PARAMS = [
    Param.choice("status", OrderStatus.values),
    Param.flag("flagged", "true：仅有未核查异常的"),
]
COMPLAINT_LIST_PARAMS = [
    Param.choice("status", ComplaintStatus.values),
    Param.choice("category", ComplaintCategory.values),
    Param.flag("overdue", "true：仅超过办结时限未办结的；false：仅未超时的"),
]


class AnyOfPermission(ActionPermission):
    """Like ActionPermission, but an action may name several permissions (any one suffices)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return any(user.has_perm(p) for p in view.action_perms())


def _transition_schema(body: Any, summary: str) -> Any:
    return move_schema(body, summary, OrderDetailSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="服务工单（管辖范围内）",
        responses={200: OrderSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=[
            *openapi(ORDER_LIST_PARAMS),
        ],
    ),
    retrieve=extend_schema(
        summary="工单详情（含时间线与异常标记）", responses={200: OrderDetailSerializer, **READ_ERRORS}
    ),
)
class OrderViewSet(  # ScopedViewMixin's declared attributes (as in audit/regions)
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Order],
):
    permission_classes = [AnyOfPermission]
    serializer_class = OrderSerializer
    move_subject = "order"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "orders.view",
        "retrieve": "orders.view",
        "create": "orders.add",
        "candidates": "orders.dispatch",
        "dispatch_order": "orders.dispatch",
        "auto_dispatch": "orders.dispatch",
        "bulk_auto_dispatch": "orders.dispatch",
        "accept": "orders.serve",
        "decline": "orders.serve",
        "check_in": "orders.serve",
        "check_out": "orders.serve",
        "photo": "orders.serve",
        "rate": "orders.confirm",
        "cancel": "orders.add",
        "resolve_flag": "orders.supervise",
        "complain": "orders.complain",
        "elder_search": "orders.order_for",
        "quote": "orders.add",
        "cart": "orders.add",
    }
    # Confirmation: the family on their page, or the caregiver's phone with the elder's code.
    multi_perms: ClassVar[dict[str, tuple[str, ...]]] = {
        "confirm": ("orders.confirm", "orders.serve"),
        # A new confirmation code: the family, or a dispatcher who reads it to the elder.
        "confirmation_code": ("orders.confirm", "orders.dispatch"),
    }

    def action_perms(self) -> tuple[str, ...]:
        action_name = self.action or ""
        if action_name in self.multi_perms:
            return self.multi_perms[action_name]
        perm = self.permission_map.get(action_name)
        return (perm,) if perm else ()

    def get_queryset(self) -> QuerySet[Order]:
        user = self.request.user
        perms = self.action_perms()
        held = [p for p in perms if user.has_perm(p)]
        if not held:
            return Order.objects.none()
        if self.action == "list":
            build = order_list
        elif self.action in LIGHT_TRANSITIONS:
            build = order_transition_queryset
        else:
            build = order_detail_queryset
        qs = build(user=user, perm=held[0])
        for extra in held[1:]:
            qs = qs | build(user=user, perm=extra)
        return self._list_filters(qs)

    def _list_filters(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        if self.action == "list":
            p = parse_query(self.request.query_params, ORDER_LIST_PARAMS)
            if p["status"]:
                queryset = queryset.filter(status=p["status"])
            if p["flagged"]:
                queryset = queryset.filter(flags__status="open")
            queryset = queryset.order_by("-scheduled_start", "-pk")
        return queryset

    def get_serializer_class(self) -> Any:
        return OrderSerializer if self.action == "list" else OrderDetailSerializer

    def _order(self) -> Order:
        return self.get_object()

    def render_moved(self, order: Order, code: int = 200) -> Response:
        if self.action in FAST_ANSWERS:
            # The order object already carries the moved status, timestamps and related rows; the
            # timeline, flags, photos and complaints are read in one query after the move and the answer
            # is built from plain values (the same as ``OrderDetailSerializer`` gives, decision 0019).
            user = self.request.user
            parts = order_answer_parts(order, user=user)
            return Response(order_detail_answer(order, parts, user), status=code)
        fresh = order_detail_queryset(user=self.request.user, perm="orders.view").filter(pk=order.pk).first()
        return Response(
            OrderDetailSerializer(fresh or order, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        request=OrderCreateSerializer,
        responses={201: OrderDetailSerializer, **errors(400, 401, 403)},
        summary="下单（热线/社区/家属/照护计划）",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, OrderCreateSerializer)
        elder = elder_get(user=request.user, public_id=data["elder"], perm="elders.view")
        if elder is None:
            raise missing_reference("elder", "老人不存在或不在管辖范围内")
        item = service_item_get(public_id=data["service_item"])
        if item is None:
            raise missing_reference("service_item", "服务项目不存在")
        order = services.order_create(
            actor=request.user,
            elder=elder,
            service_item=item,
            scheduled_start=data["scheduled_start"],
            channel=data.get("channel", ""),
            note=data.get("note", ""),
        )
        return self.render_moved(order, 201)

    # --- 点菜式下单 -------------------------------------------------------------------------------------

    @extend_schema(
        summary="查找可下单的老人（姓名、电话后 4 位、11 位电话或 18 位身份证号；最多 20 位）",
        parameters=[ElderSearchQuerySerializer],
        responses={200: ElderSearchResultSerializer, **errors(400, 401, 403)},
    )
    @action(detail=False, methods=["get"], url_path="elder-search", pagination_class=None)
    def elder_search(self, request: Request) -> Response:
        params = ElderSearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data["q"]
        search, found = elder_quick_search(user=request.user, q=q, perm="orders.add")
        today = timezone.localdate()
        hits = [
            {
                "id": e.public_id,
                "name": e.name,
                "age": e.age(today),
                "sex": e.get_sex_display(),
                "community": e.region.name,
                "id_tail": id_tail(e),
                "phone_masked": e.phone_masked,
            }
            for e in found
        ]
        return Response(ElderSearchResultSerializer({"kind": search.kind, "results": hits}).data)

    def _cart_elder(self) -> Any:
        """The elder named by the body, looked up first: one the caller cannot order for is a 404 whatever
        else the body holds (a malformed id is left to the serializer's 400)."""
        try:
            raw = self.request.data.get("elder") if isinstance(self.request.data, dict) else None
        except SuspiciousOperation as exc:
            raise ParseError("请求内容过大或字段过多") from exc
        try:
            public_id = uuid.UUID(str(raw)) if isinstance(raw, str) else None
        except ValueError:
            public_id = None
        if public_id is None:
            return None
        elder = elder_get(user=self.request.user, public_id=public_id, perm="orders.add")
        if elder is None:
            raise NotFound()
        return elder

    def _cart(self, data: dict[str, Any], elder: Any) -> tuple[Any, list[ordering.CartLine]]:
        if elder is None:  # the serializer has already refused a malformed id
            raise NotFound()
        lines = []
        for n, line in enumerate(data["lines"]):
            item = service_item_get(public_id=line["service_item"])
            if item is None:
                raise ValidationError({"lines": [f"第 {n + 1} 项：服务项目不存在"]})
            lines.append(ordering.CartLine(item=item, quantity=line["quantity"]))
        return elder, lines

    @extend_schema(
        request=CartQuoteSerializer,
        responses={200: QuoteSerializer, **errors(400, 401, 403, 404)},
        summary="购物车试算：每项与合计的价格、政府补贴、个人自付和当月剩余补贴额度（不下单）",
    )
    @action(detail=False, methods=["post"])
    def quote(self, request: Request) -> Response:
        elder = self._cart_elder()
        data = read_body(request, CartQuoteSerializer)
        elder, lines = self._cart(data, elder)
        result = ordering.cart_quote(elder=elder, lines=lines, scheduled_start=data["scheduled_start"])
        return Response(QuoteSerializer(result.as_dict()).data)

    @extend_schema(
        request=CartPlaceSerializer,
        responses={201: CartPlacedSerializer, **errors(400, 401, 403, 404)},
        summary="点菜式下单：一次下多项服务（每次上门一张工单，同批编号相同）",
    )
    @action(detail=False, methods=["post"])
    def cart(self, request: Request) -> Response:
        elder = self._cart_elder()
        data = read_body(request, CartPlaceSerializer)
        elder, lines = self._cart(data, elder)
        batch, orders = ordering.cart_place(
            actor=request.user,
            elder=elder,
            lines=lines,
            scheduled_start=data["scheduled_start"],
            channel=data.get("channel", ""),
            note=data.get("note", ""),
        )
        return Response(
            CartPlacedSerializer({"batch": batch, "orders": orders}, context={"request": request}).data,
            status=201,
        )

    @extend_schema(
        responses={200: CandidateSerializer(many=True), **READ_ERRORS},
        summary="候选服务人员（距离、负荷、技能、证书、工作时间，及可派/不可派原因）",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request: Request, id: str) -> Response:
        order = self._order()
        found = order_candidates(order=order, organisations=dispatch_organisations(request.user))
        return Response([c.as_dict() for c in found])

    @_transition_schema(DispatchSerializer, "人工派单（并发时仅一人成功，其余 409）")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_order(self, request: Request, id: str) -> Response:
        order = self._order()
        data = read_body(request, DispatchSerializer)
        staff = staff_get(public_id=data["caregiver"])
        orgs = dispatch_organisations(request.user)
        if staff is None or (orgs is not None and staff.organisation not in orgs):
            raise services.unknown_caregiver()
        return self.render_moved(services.order_dispatch(order=order, caregiver=staff, actor=request.user))

    @_transition_schema(None, "自动派单（最近的合格空闲服务人员）")
    @action(detail=True, methods=["post"], url_path="auto-dispatch")
    def auto_dispatch(self, request: Request, id: str) -> Response:
        order = self._order()
        services.require_transition(order, OrderStatus.DISPATCHED)
        order_auto_dispatch(order=order, actor=request.user)
        return self.render_moved(order)

    @extend_schema(
        request=BulkDispatchSerializer,
        responses={200: BulkDispatchResultSerializer, **errors(400, 401, 403)},
        summary="批量自动派单",
        operation_id="orders_auto_dispatch_bulk",
    )
    @action(detail=False, methods=["post"], url_path="auto-dispatch")
    def bulk_auto_dispatch(self, request: Request) -> Response:
        data = read_body(request, BulkDispatchSerializer)
        qs = Order.objects.restrict(request.user, "orders.dispatch").filter(status__in=DISPATCHABLE)
        if data.get("orders"):
            qs = qs.filter(public_id__in=data["orders"])
        orders = list(qs.select_related("elder", "service_item")[:5000])
        return Response(orders_auto_dispatch(orders=orders, actor=request.user))

    @_transition_schema(None, "服务人员接单")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, id: str) -> Response:
        return self.move(services.order_accept)

    @_transition_schema(ReasonSerializer, "服务人员拒单（退回重派）")
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, id: str) -> Response:
        return self.move(services.order_decline, ReasonSerializer)

    @_transition_schema(CheckInSerializer, "上门签到（记录定位与距老人住址的距离）")
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, id: str) -> Response:
        return self.move(services.order_check_in, CheckInSerializer)

    @_transition_schema(CheckOutSerializer, "服务完成签退（完成事项、服务记录）")
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request: Request, id: str) -> Response:
        return self.move(services.order_check_out, CheckOutSerializer)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"image": {"type": "string", "format": "binary"}},
                "required": ["image"],
            }
        },
        responses={200: OrderDetailSerializer, **MOVE_ERRORS},
        summary="上传服务照片",
    )
    @action(detail=True, methods=["post"], parser_classes=[SafeMultiPartParser])
    def photo(self, request: Request, id: str) -> Response:
        order = self._order()
        services.order_add_photo(order=order, actor=request.user, upload=request.FILES.get("image"))
        return self.render_moved(order)

    @_transition_schema(ConfirmSerializer, "服务确认（家属，或服务人员手机上输入老人读出的确认码）")
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, id: str) -> Response:
        return self.move(services.order_confirm, ConfirmSerializer)

    @_transition_schema(None, "重新生成老人确认码（家属或调度员；原确认码作废，输错次数清零）")
    @action(detail=True, methods=["post"], url_path="confirmation-code")
    def confirmation_code(self, request: Request, id: str) -> Response:
        return self.move(services.order_confirmation_code_renew)

    @_transition_schema(RateSerializer, "服务评价（1–5 分）")
    @action(detail=True, methods=["post"])
    def rate(self, request: Request, id: str) -> Response:
        return self.move(services.order_rate, RateSerializer)

    @_transition_schema(ReasonSerializer, "取消工单")
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, id: str) -> Response:
        return self.move(services.order_cancel, ReasonSerializer)

    @_transition_schema(FlagResolveSerializer, "核查异常标记（放行或驳回，须填理由）")
    @action(detail=True, methods=["post"], url_path="resolve-flag")
    def resolve_flag(self, request: Request, id: str) -> Response:
        order = self._order()
        data = read_body(request, FlagResolveSerializer)
        flag = order.flags.filter(code=data["code"]).first()
        if flag is None:
            raise ValidationError({"code": ["该工单没有此异常标记"]})
        services.flag_resolve(flag=flag, actor=request.user, decision=data["decision"], reason=data["reason"])
        return self.render_moved(order)

    @extend_schema(
        request=ComplaintCreateSerializer,
        responses={201: ComplaintSerializer, **MOVE_ERRORS},
        summary="投诉该工单（已派单后的任一状态，含已结算、已取消）",
    )
    @action(detail=True, methods=["post"])
    def complain(self, request: Request, id: str) -> Response:
        order = self._order()
        data = read_body(request, ComplaintCreateSerializer)
        complaint = complaints.complaint_raise(
            order=order,
            actor=request.user,
            category=data["category"],
            description=data["description"],
            channel=data.get("channel", ""),
        )
        return Response(ComplaintSerializer(complaint, context={"request": request}).data, status=201)


@extend_schema_view(
    list=extend_schema(
        summary="服务投诉（管辖范围内）",
        responses={200: ComplaintSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=[
            *openapi(COMPLAINT_LIST_PARAMS),
        ],
    ),
    retrieve=extend_schema(summary="投诉详情", responses={200: ComplaintSerializer, **READ_ERRORS}),
)
class ComplaintViewSet(  # ScopedViewMixin's declared attributes (as in audit/regions)
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Complaint],
):
    serializer_class = ComplaintSerializer
    move_subject = "complaint"
    parser_classes = [SafeJSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "complaints.view",
        "retrieve": "complaints.view",
        "handle": "complaints.handle",
        "resolve": "complaints.handle",
        # The complainant's side (family, hotline, community) disputes a dismissal.
        "reopen": "orders.complain",
    }

    def get_queryset(self) -> QuerySet[Complaint]:
        from yiyang.core.api import required_perm

        qs = complaint_list(user=self.request.user, perm=required_perm(self) or "")
        if self.action == "list":
            p = parse_query(self.request.query_params, COMPLAINT_LIST_PARAMS)
            if p["status"]:
                qs = qs.filter(status=p["status"])
            if p["category"]:
                qs = qs.filter(category=p["category"])
            if p["overdue"] is True:
                qs = qs.filter(overdue_q())
            elif p["overdue"] is False:
                qs = qs.exclude(overdue_q())
        return qs

    def render_moved(self, complaint: Complaint, code: int = 200) -> Response:
        fresh = complaint_list(user=self.request.user, perm="complaints.view").filter(pk=complaint.pk).first()
        return Response(
            ComplaintSerializer(fresh or complaint, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=None, responses={200: ComplaintSerializer, **MOVE_ERRORS}, summary="受理投诉")
    @action(detail=True, methods=["post"])
    def handle(self, request: Request, id: str) -> Response:
        return self.move(complaints.complaint_handle)

    @extend_schema(
        request=ComplaintResolveSerializer,
        responses={200: ComplaintSerializer, **MOVE_ERRORS},
        summary="办结投诉（属实/不属实，须填办理结果；属实则该工单不予结算或冲正）",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, id: str) -> Response:
        return self.move(complaints.complaint_resolve, ComplaintResolveSerializer)

    @extend_schema(
        request=ReasonSerializer,
        responses={200: ComplaintSerializer, **MOVE_ERRORS},
        summary="投诉人不满意，重新处理（不属实的办结结论可重开一次）",
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, id: str) -> Response:
        return self.move(complaints.complaint_reopen, ReasonSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="结算单（政府购买服务支付清单）",
        responses={200: SettlementSerializer(many=True), **errors(401, 403, 404)},
    ),
    retrieve=extend_schema(summary="结算单明细", responses={200: SettlementDetailSerializer, **READ_ERRORS}),
)
class SettlementViewSet(  # ScopedViewMixin's declared attributes (as in audit/regions)
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Settlement]
):
    serializer_class = SettlementSerializer
    parser_classes = [SafeJSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "settlements.view",
        "retrieve": "settlements.view",
        "export": "settlements.view",
        "create": "settlements.manage",
        "reverse": "settlements.manage",
    }

    def get_queryset(self) -> QuerySet[Settlement]:
        from yiyang.core.api import required_perm

        qs = settlement_list(user=self.request.user, perm=required_perm(self) or "")
        if self.action != "list":
            qs = qs.prefetch_related("lines__order__elder", "lines__order__service_item")
        return qs

    def get_serializer_class(self) -> Any:
        return SettlementSerializer if self.action == "list" else SettlementDetailSerializer

    def _detail(self, settlement: Settlement, code: int) -> Response:
        fresh = self.get_queryset().get(pk=settlement.pk)
        return Response(SettlementDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=SettlementCreateSerializer,
        responses={
            201: SettlementDetailSerializer,
            200: OpenApiResponse(SettlementDetailSerializer, description="已生成过，返回同一结算单"),
            **errors(400, 401, 403),
        },
        summary="生成某服务机构某月的结算单（重复请求返回同一结算单）",
    )
    def create(self, request: Request) -> Response:
        s = SettlementCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        provider = (
            organisation_scoped(user=request.user, perm="settlements.manage")
            .filter(public_id=s.validated_data["provider"])
            .first()
        )
        if provider is None:
            raise missing_reference("provider", "服务机构不存在或不在管辖范围内")
        settlement, created = settlement_generate(
            provider=provider, month=s.validated_data["month"], actor=request.user
        )
        return self._detail(settlement, 201 if created else 200)

    @extend_schema(
        request=SettlementReverseSerializer,
        responses={200: SettlementDetailSerializer, **MOVE_ERRORS},
        summary="冲正一条结算明细",
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, id: str) -> Response:
        settlement = self.get_object()
        s = SettlementReverseSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        order = Order.objects.filter(public_id=s.validated_data["order"]).first()
        if order is None:
            raise ValidationError({"order": ["工单不存在"]})
        settlement_reverse(
            settlement=settlement, order=order, actor=request.user, reason=s.validated_data["reason"]
        )
        return self._detail(settlement, 200)

    @extend_schema(
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            **READ_ERRORS,
        },
        summary="导出结算单 .xlsx",
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, id: str) -> HttpResponse:
        settlement = self.get_object()
        response = HttpResponse(
            settlement_xlsx(settlement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="settlement-{settlement.month}.xlsx"'
        return response
