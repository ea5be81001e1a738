from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.core.api import ScopedViewMixin
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.core.regioncodes import REGION_CODE_PATTERN
from yiyang.elders.api.serializers import (
    ElderListSerializer,
    ElderSerializer,
    ElderWriteSerializer,
    RevealInputSerializer,
    RevealOutputSerializer,
    StatusInputSerializer,
)
from yiyang.elders.choices import Category, ElderStatus, LivingSituation
from yiyang.elders.identity import birthplace_warnings_bulk
from yiyang.elders.models import Elder, ElderCategory
from yiyang.elders.selectors import ADVANCED_AGE, ORDERINGS, ElderFilters
from yiyang.elders.services import (
    elder_change_status,
    elder_create,
    elder_reveal,
    elder_update,
)

ERRORS = {
    400: OpenApiResponse(description="数据有误（errors 标出字段与原因）"),
    401: OpenApiResponse(description="未登录"),
    403: OpenApiResponse(description="无权限"),
    404: OpenApiResponse(description="不存在或不在管辖范围内"),
}
CONFLICT = {409: OpenApiResponse(description="冲突：已登记（duplicate）或状态不允许（illegal_transition）")}

# The list's query parameters, stated with the bounds ElderFilters (shared with the register page)
# applies; parse_query refuses what the schema does not allow (an empty enum value included).
LIST_PARAMS = [
    Param.text("q", "姓名包含", max_length=50),
    Param.text("id_number", "身份证号（精确匹配，经盲索引）", max_length=18),
    Param.text("phone_tail", "电话后 4 位", pattern=r"^[0-9]{4}$", max_length=4),
    Param.choice("category", [*Category.values, ADVANCED_AGE], "类别；advanced_age 为高龄（80 岁以上）"),
    Param.choice("living_situation", LivingSituation.values, "居住情况"),
    Param.integer("age_min", maximum=200),
    Param.integer("age_max", maximum=200),
    Param.integer("capability_level", "能力等级", maximum=200),
    Param.text("region", "区划代码（含下级）", pattern=REGION_CODE_PATTERN, max_length=12),
    Param.choice("status", ElderStatus.values),
    Param.choice(
        "ordering",
        [f"{sign}{name}" for name in sorted(ORDERINGS) for sign in ("", "-")],
        "排序（前加 - 为倒序）",
    ),
]
FILTER_PARAMS = openapi(LIST_PARAMS)


def _write_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "region_code" in out:
        out["region"] = out.pop("region_code")
    if "hukou_region_code" in out:
        out["hukou_region"] = out.pop("hukou_region_code") or None
    for key in ("phone", "address", "notes"):
        if key in out and out[key] is None:
            out[key] = ""
    return out


@extend_schema_view(
    list=extend_schema(
        summary="老年人名册（管辖范围内）",
        parameters=FILTER_PARAMS,
        responses={200: ElderListSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="老年人详情", responses={200: ElderSerializer, **ERRORS}),
)
class ElderViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Elder]
):
    queryset = Elder.objects.all()
    serializer_class = ElderSerializer
    permission_map = {
        "list": "elders.view",
        "retrieve": "elders.view",
        "create": "elders.add",
        "partial_update": "elders.change",
        "reveal": "elders.reveal",
        "status": "elders.status",
    }
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list[Any] = []

    def base_queryset(self) -> QuerySet[Elder]:
        today = timezone.localdate()
        qs = Elder.objects.select_related("region").prefetch_related(
            Prefetch("categories", queryset=ElderCategory.objects.order_by("category"))
        )
        if self.action == "retrieve" or self.action in {"status", "partial_update", "create"}:
            qs = qs.prefetch_related("contacts")
        if self.action == "list":
            parse_query(self.request.query_params, LIST_PARAMS)
            filters = ElderFilters.from_params(self.request.query_params)
            if filters.errors:
                raise ValidationError(filters.errors)
            return filters.apply(qs, today)
        return qs

    def get_serializer_class(self) -> Any:
        return ElderListSerializer if self.action == "list" else ElderSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        cache = birthplace_warnings_bulk({e.id_number_masked[:6] for e in rows}) if rows else {}
        serializer = ElderListSerializer(
            rows, many=True, context={**self.get_serializer_context(), "birthplace_cache": cache}
        )
        return self.get_paginated_response(serializer.data) if page is not None else Response(serializer.data)

    def _fresh(self, elder: Elder, **extra: Any) -> dict[str, Any]:
        obj = self.base_queryset().prefetch_related("contacts").get(pk=elder.pk)
        for key, value in extra.items():
            setattr(obj, key, value)
        return dict(ElderSerializer(obj, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="登记老年人",
        request=ElderWriteSerializer,
        responses={201: ElderSerializer, **ERRORS, **CONFLICT},
    )
    def create(self, request: Request) -> Response:
        body = ElderWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        elder, warnings = elder_create(actor=request.user, **_write_kwargs(dict(body.validated_data)))
        return Response(self._fresh(elder, _warnings=warnings), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改老年人信息（改常住地即转移）",
        request=ElderWriteSerializer(partial=True),
        responses={200: ElderSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request: Request, id: str | None = None) -> Response:
        elder = self.get_object()
        body = ElderWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        elder = elder_update(actor=request.user, elder=elder, **_write_kwargs(dict(body.validated_data)))
        return Response(self._fresh(elder))

    @extend_schema(
        summary="查看完整身份证号/电话/住址（留痕）",
        request=RevealInputSerializer,
        responses={200: RevealOutputSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reveal(self, request: Request, id: str | None = None) -> Response:
        elder = self.get_object()
        body = RevealInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        field_name = body.validated_data["field"]
        value = elder_reveal(actor=request.user, elder=elder, field_name=field_name)
        return Response({"field": field_name, "value": value})

    @extend_schema(
        summary="变更状态：迁出 / 死亡 / 恢复在册",
        request=StatusInputSerializer,
        responses={200: ElderSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def status(self, request: Request, id: str | None = None) -> Response:
        elder = self.get_object()
        body = StatusInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        elder = elder_change_status(
            actor=request.user,
            elder=elder,
            status=data["status"],
            effective_date=data.get("date") or timezone.localdate(),
            reason=data["reason"],
        )
        return Response(self._fresh(elder))
