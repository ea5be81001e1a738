"""Devices API: the register, alarms, and the vendors' signed webhook."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound, ParseError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.core.api import ScopedViewMixin, TransitionActionsMixin, move_schema, read_body
from yiyang.core.apischema import ErrorSerializer, errors
from yiyang.core.pagination import PlainListForOneElder, plain_list_autoschema, plain_or_paginated_schema
from yiyang.core.parsers import SafeJSONParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.devices import services
from yiyang.devices.api.serializers import (
    AlarmCloseSerializer,
    AlarmSerializer,
    DeviceCreateSerializer,
    DeviceSerializer,
    IngestResultSerializer,
)
from yiyang.devices.choices import AlarmKind, AlarmStatus, DeviceType, EventType
from yiyang.devices.models import Alarm, Device
from yiyang.devices.selectors import alarm_list, device_list, vendor_by_code
from yiyang.elders.selectors import elder_get

READ_ERRORS = errors(401, 403, 404)


PAGE_PARAMS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="页码（不带 elder 时分页）"),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": 200}, description="每页条数（1–200）"
    ),
]
ELDER = Param.uid("elder", "老人 id")
DEVICE_FILTERS = [ELDER, Param.choice("type", sorted(DeviceType.values), "设备类型")]
ALARM_FILTERS = [
    ELDER,
    Param.choice("status", sorted(AlarmStatus.values)),
    Param.choice("kind", sorted(AlarmKind.values)),
]


@extend_schema_view(
    list=extend_schema(
        summary="智能设备（管辖范围内）",
        operation_id="devices_list",
        responses={200: plain_or_paginated_schema("Device"), **errors(400, 401, 403, 404)},
        description="带 elder 时返回该老人的全部设备（数组）；不带时分页。",
        parameters=[
            ELDER.openapi(),
            *PAGE_PARAMS,
            *openapi(DEVICE_FILTERS[1:]),
        ],
    ),
    retrieve=extend_schema(summary="设备详情", responses={200: DeviceSerializer, **READ_ERRORS}),
)
class DeviceViewSet(
    PlainListForOneElder,
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Device],
):
    serializer_class = DeviceSerializer
    schema = plain_list_autoschema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "devices.view",
        "retrieve": "devices.view",
        "create": "devices.manage",
    }

    def get_queryset(self) -> QuerySet[Device]:
        perm = self.permission_map.get(self.action or "", "devices.view")
        qs = device_list(user=self.request.user, perm=perm)
        if self.action == "list":
            q = parse_query(self.request.query_params, DEVICE_FILTERS)
            if q["elder"] is not None:
                qs = qs.filter(elder__public_id=q["elder"])
            if q["type"] is not None:
                qs = qs.filter(type=q["type"])
            qs = qs.order_by("type", "serial", "pk")
        return qs

    @extend_schema(
        request=DeviceCreateSerializer,
        responses={201: DeviceSerializer, **errors(400, 401, 403, 404, 409)},
        summary="登记设备（县级管理员）",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, DeviceCreateSerializer)
        elder = elder_get(user=request.user, public_id=data["elder"], perm="devices.manage")
        if elder is None:
            raise NotFound("管辖范围内没有这位老人")
        vendor = vendor_by_code(data["vendor"])
        if vendor is None or not elder.region_id.startswith(vendor.region_code[:4]):
            raise NotFound("没有这个设备厂商")
        device = services.device_register(
            actor=request.user,
            vendor=vendor,
            serial=data["serial"],
            type=data["type"],
            elder=elder,
            installed_on=data.get("installed_on"),
            installed_by=data.get("installed_by", ""),
        )
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="设备告警（管辖范围内）",
        operation_id="alarms_list",
        responses={200: plain_or_paginated_schema("Alarm"), **errors(400, 401, 403, 404)},
        description="带 elder 时返回该老人的全部告警（数组）；不带时分页。",
        parameters=[
            ELDER.openapi(),
            *PAGE_PARAMS,
            *openapi(ALARM_FILTERS[1:]),
        ],
    ),
    retrieve=extend_schema(summary="告警详情", responses={200: AlarmSerializer, **READ_ERRORS}),
)
class AlarmViewSet(
    PlainListForOneElder,
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Alarm],
):
    serializer_class = AlarmSerializer
    move_subject = "alarm"
    schema = plain_list_autoschema()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "alarms.view",
        "retrieve": "alarms.view",
        "acknowledge": "alarms.handle",
        "close": "alarms.handle",
    }

    def get_queryset(self) -> QuerySet[Alarm]:
        perm = self.permission_map.get(self.action or "", "alarms.view")
        qs = alarm_list(user=self.request.user, perm=perm)
        if self.action == "list":
            q = parse_query(self.request.query_params, ALARM_FILTERS)
            if q["elder"] is not None:
                qs = qs.filter(elder__public_id=q["elder"])
            if q["status"] is not None:
                qs = qs.filter(status=q["status"])
            if q["kind"] is not None:
                qs = qs.filter(kind=q["kind"])
            qs = qs.order_by("-raised_at", "-pk")
        return qs

    def render_moved(self, alarm: Alarm, code: int = 200) -> Response:
        alarm.refresh_from_db()
        return Response(AlarmSerializer(alarm).data, status=code)

    @move_schema(None, "确认告警", AlarmSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, id: str) -> Response:
        return self.move(services.alarm_acknowledge)

    @move_schema(AlarmCloseSerializer, "处置完毕或误报", AlarmSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, id: str) -> Response:
        return self.move(services.alarm_close, AlarmCloseSerializer)


_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["event_id", "serial", "type", "ts"],
    "properties": {
        "event_id": {"type": "string", "minLength": 1, "maxLength": 100},
        "serial": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
        "type": {"type": "string", "enum": list(EventType.values)},
        "ts": {"type": "string", "format": "date-time", "description": "ISO 8601，带时区偏移"},
        "value": {"description": "读数；表计为累计值", "nullable": True},
        "lat": {"type": "number", "minimum": -90, "maximum": 90, "nullable": True},
        "lng": {"type": "number", "minimum": -180, "maximum": 180, "nullable": True},
    },
}


class DeviceEventWebhookView(APIView):
    """Vendors post events here, signed with their webhook secret over the raw body."""

    authentication_classes = []  # the signature authenticates
    permission_classes = [AllowAny]
    parser_classes = [SafeJSONParser]
    throttle_classes = []

    def get_authenticate_header(self, request: Request) -> str:
        return 'Signature realm="device-events", header="X-Yiyang-Signature"'

    @extend_schema(
        summary="设备事件推送（厂商签名；一个事件或至多 1000 个事件的数组）",
        operation_id="device_events_create",
        auth=[],
        parameters=[
            OpenApiParameter(
                "X-Yiyang-Vendor",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="厂商代码",
            ),
            OpenApiParameter(
                "X-Yiyang-Signature",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256=<原始请求体以厂商推送密钥计算的 HMAC-SHA256 十六进制>",
            ),
        ],
        request={
            "application/json": {
                "oneOf": [
                    _EVENT_SCHEMA,
                    {"type": "array", "items": _EVENT_SCHEMA, "minItems": 1, "maxItems": 1000},
                ]
            }
        },
        responses={
            202: IngestResultSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="JSON 有误或缺少字段（指明字段），本次请求不存储任何事件"
            ),
            401: OpenApiResponse(ErrorSerializer, description="厂商未知或签名不符"),
        },
    )
    def post(self, request: Request) -> Response:
        raw = request.body
        vendor = vendor_by_code(request.headers.get("X-Yiyang-Vendor", "").strip())
        if vendor is None or not services.signature_ok(
            vendor, raw, request.headers.get("X-Yiyang-Signature", "")
        ):
            raise AuthenticationFailed("厂商未知或签名不符")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError("请求体不是有效的 JSON") from exc
        events = body if isinstance(body, list) else [body]
        accepted, duplicates, _ = services.events_ingest(vendor=vendor, events=events, channel="webhook")
        return Response(
            IngestResultSerializer({"accepted": accepted, "duplicates": duplicates}).data,
            status=status.HTTP_202_ACCEPTED,
        )
