"""Hotline API: calls, incidents (紧急呼援), work orders (工单) and the 12345 inbound endpoint."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.core.api import ScopedViewMixin, TransitionActionsMixin, move_schema, read_body
from yiyang.core.apischema import errors
from yiyang.core.errors import DomainError
from yiyang.core.parsers import SafeJSONParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.elders.selectors import elder_get
from yiyang.hotline import services
from yiyang.hotline.api.authentication import ApiKeyAuthentication
from yiyang.hotline.api.serializers import (
    CallCreatedSerializer,
    CallCreateSerializer,
    CallSerializer,
    Inbound12345ResultSerializer,
    Inbound12345Serializer,
    IncidentCloseSerializer,
    IncidentCreateSerializer,
    IncidentDetailSerializer,
    IncidentDispatchSerializer,
    IncidentSerializer,
    WorkOrderAssignSerializer,
    WorkOrderDetailSerializer,
    WorkOrderFollowUpSerializer,
    WorkOrderReasonSerializer,
    WorkOrderResolveSerializer,
    WorkOrderSerializer,
    WorkOrderTransferSerializer,
)
from yiyang.hotline.choices import IncidentStatus, WorkOrderStatus
from yiyang.hotline.models import Call, Incident, Integration, WorkOrder
from yiyang.hotline.selectors import call_list, calling_contacts, incident_list, work_order_list

READ_ERRORS = errors(401, 403, 404)
INCIDENT_FILTERS = [Param.uid("elder", "老人 id"), Param.choice("status", sorted(IncidentStatus.values))]
WORK_ORDER_FILTERS = [Param.choice("status", sorted(WorkOrderStatus.values))]
NO_HANDLER = {"handler_kind": "", "handler_name": ""}  # the body may leave the handler out


@extend_schema_view(
    list=extend_schema(
        summary="通话记录（管辖范围内）", responses={200: CallSerializer(many=True), **READ_ERRORS}
    ),
    retrieve=extend_schema(summary="通话详情", responses={200: CallSerializer, **READ_ERRORS}),
)
class CallViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Call]
):
    serializer_class = CallSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "calls.view",
        "retrieve": "calls.view",
        "create": "calls.add",
    }

    def get_queryset(self) -> QuerySet[Call]:
        perm = self.permission_map.get(self.action or "", "calls.view")
        return call_list(user=self.request.user, perm=perm).order_by("-started_at", "-pk")

    @extend_schema(
        request=CallCreateSerializer,
        responses={201: CallCreatedSerializer, **errors(400, 401, 403)},
        summary="登记来电/去电（号码匹配管辖范围内的老人）",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, CallCreateSerializer)
        call, matched = services.call_log(
            actor=request.user,
            direction=data["direction"],
            number=data["number"],
            kind=data["kind"],
            notes=data.get("notes", ""),
            duration_seconds=data.get("duration_seconds"),
            recording_ref=data.get("recording_ref", ""),
        )
        calling = calling_contacts(matched, call.number_hash)
        body = CallCreatedSerializer(
            call, context={"request": request, "matched": matched, "calling": calling}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


def _move_schema(body: Any, summary: str) -> Any:
    return move_schema(body, summary, IncidentDetailSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="紧急呼援事件（管辖范围内）",
        responses={200: IncidentSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=openapi(INCIDENT_FILTERS),
    ),
    retrieve=extend_schema(
        summary="事件详情（含时间线与到达分钟数）", responses={200: IncidentDetailSerializer, **READ_ERRORS}
    ),
)
class IncidentViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Incident],
):
    serializer_class = IncidentSerializer
    move_subject = "incident"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "incidents.view",
        "retrieve": "incidents.view",
        "create": "incidents.open",
        "acknowledge": "incidents.handle",
        "dispatch_responder": "incidents.handle",
        "arrive": "incidents.handle",
        "close": "incidents.handle",
    }

    def get_queryset(self) -> QuerySet[Incident]:
        perm = self.permission_map.get(self.action or "", "incidents.view")
        qs = incident_list(user=self.request.user, perm=perm)
        if self.action == "list":
            q = parse_query(self.request.query_params, INCIDENT_FILTERS)
            if q["status"] is not None:
                qs = qs.filter(status=q["status"])
            if q["elder"] is not None:
                qs = qs.filter(elder__public_id=q["elder"])
            qs = qs.order_by("-opened_at", "-pk")
        return qs

    def get_serializer_class(self) -> Any:
        return IncidentSerializer if self.action == "list" else IncidentDetailSerializer

    def render_moved(self, incident: Incident, code: int = 200) -> Response:
        incident.refresh_from_db()
        return Response(
            IncidentDetailSerializer(incident, context={"request": self.request}).data, status=code
        )

    @extend_schema(
        request=IncidentCreateSerializer,
        responses={
            201: IncidentDetailSerializer,
            200: IncidentDetailSerializer,
            **errors(400, 401, 403, 404),
        },
        summary="发起紧急呼援（同一老人已有未结案事件时并入该事件，返回 200）",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, IncidentCreateSerializer)
        elder = elder_get(user=request.user, public_id=data["elder"], perm="incidents.open")
        if elder is None:
            raise NotFound()
        incident, created = services.incident_open(
            actor=request.user,
            elder=elder,
            kind=data["kind"],
            source=data["source"],
            notes=data.get("notes", ""),
        )
        return self.render_moved(incident, 201 if created else 200)

    @_move_schema(None, "确认（接警）")
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, id: str) -> Response:
        return self.move(services.incident_acknowledge)

    @_move_schema(IncidentDispatchSerializer, "派员（姓名，或服务人员/用户 id）")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_responder(self, request: Request, id: str) -> Response:
        return self.move(services.incident_dispatch, IncidentDispatchSerializer)

    @_move_schema(None, "处置人员到达")
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, id: str) -> Response:
        return self.move(services.incident_arrive)

    @_move_schema(IncidentCloseSerializer, "结案（处置结果）")
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:
        return self.move(services.incident_close, IncidentCloseSerializer)


def _wo_schema(body: Any, summary: str) -> Any:
    return move_schema(body, summary, WorkOrderDetailSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="热线工单（管辖范围内）",
        responses={200: WorkOrderSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=openapi(WORK_ORDER_FILTERS),
    ),
    retrieve=extend_schema(
        summary="工单详情（含时间线）", responses={200: WorkOrderDetailSerializer, **READ_ERRORS}
    ),
)
class WorkOrderViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[WorkOrder],
):
    serializer_class = WorkOrderSerializer
    move_subject = "work_order"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "workorders.view",
        "retrieve": "workorders.view",
        "assign": "workorders.handle",
        "start": "workorders.handle",
        "resolve": "workorders.handle",
        "follow_up": "workorders.handle",
        "transfer": "workorders.handle",
        "rework": "workorders.handle",
        "supervise": "workorders.supervise",
    }

    def get_queryset(self) -> QuerySet[WorkOrder]:
        perm = self.permission_map.get(self.action or "", "workorders.view")
        qs = work_order_list(user=self.request.user, perm=perm)
        if self.action == "list":
            q = parse_query(self.request.query_params, WORK_ORDER_FILTERS)
            if q["status"] is not None:
                qs = qs.filter(status=q["status"])
            qs = qs.order_by("-created_at", "-pk")
        return qs

    def get_serializer_class(self) -> Any:
        return WorkOrderSerializer if self.action == "list" else WorkOrderDetailSerializer

    def render_moved(self, work_order: WorkOrder, code: int = 200) -> Response:
        work_order.refresh_from_db()
        return Response(
            WorkOrderDetailSerializer(work_order, context={"request": self.request}).data, status=code
        )

    @_wo_schema(WorkOrderAssignSerializer, "派单（受理后，派给部门/街道/社区/服务机构/上门服务）")
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_assign, WorkOrderAssignSerializer, defaults=NO_HANDLER)

    @_wo_schema(None, "开始处置")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_start)

    @_wo_schema(WorkOrderResolveSerializer, "办结（办理结果回复 12345）")
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_resolve, WorkOrderResolveSerializer, defaults={"result": ""})

    @_wo_schema(WorkOrderFollowUpSerializer, "回访（满意度）")
    @action(detail=True, methods=["post"], url_path="follow-up", url_name="follow-up")
    def follow_up(self, request: Request, id: str) -> Response:
        return self.move(
            services.work_order_follow_up, WorkOrderFollowUpSerializer, defaults={"satisfaction": ""}
        )

    @_wo_schema(WorkOrderTransferSerializer, "转办（另一承办方，附原因）")
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_transfer, WorkOrderTransferSerializer, defaults=NO_HANDLER)

    @_wo_schema(WorkOrderReasonSerializer, "退回重办")
    @action(detail=True, methods=["post"])
    def rework(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_rework, WorkOrderReasonSerializer)

    @_wo_schema(WorkOrderReasonSerializer, "督办")
    @action(detail=True, methods=["post"])
    def supervise(self, request: Request, id: str) -> Response:
        return self.move(services.work_order_supervise, WorkOrderReasonSerializer)


class IsIntegration(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.user, Integration)


class Inbound12345View(APIView):
    """12345 转办: the city hotline posts a work order with its API key."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsIntegration]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        request=Inbound12345Serializer,
        responses={
            201: Inbound12345ResultSerializer,
            200: Inbound12345ResultSerializer,
            **errors(400, 401),
        },
        summary="接收 12345 转办工单（按 external_id 幂等：重复提交返回 200 与同一 id）",
        operation_id="hotline_12345_work_orders_create",
    )
    def post(self, request: Request) -> Response:
        data = read_body(request, Inbound12345Serializer)
        integration = request.user
        try:
            work_order, created = services.work_order_receive_12345(
                integration=integration,  # type: ignore[arg-type]
                external_id=data["external_id"],
                title=data["title"],
                content=data["content"],
                caller_phone=data.get("caller_phone", ""),
                region_code=data["region_code"],
                deadline=data.get("deadline"),
            )
        except DomainError as exc:
            if exc.code == "authentication_failed":
                from rest_framework.exceptions import AuthenticationFailed

                raise AuthenticationFailed(exc.message) from exc
            raise
        body = {
            "id": work_order.public_id,
            "status": work_order.status,
            "external_id": work_order.external_id,
        }
        return Response(
            Inbound12345ResultSerializer(body).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
