from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from yiyang.core.api import ScopedViewMixin
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.core.regioncodes import REGION_CODE_PATTERN, normalize_region_code
from yiyang.regions.api.serializers import RegionSerializer
from yiyang.regions.models import Region
from yiyang.regions.selectors import region_list

LIST_PARAMS = [
    Param.text(
        "parent", "上级区划代码（2/4/6/9/12 位），返回其下级", pattern=REGION_CODE_PATTERN, max_length=12
    ),
    Param.choice("level", [c for c, _ in Region.Level.choices]),
    Param.text("q", "按名称包含查找", max_length=50),
]


@extend_schema_view(
    list=extend_schema(
        summary="行政区划列表（管辖范围内）",
        parameters=openapi(LIST_PARAMS),
    ),
    retrieve=extend_schema(summary="单个行政区划（管辖范围外为 404）"),
)
class RegionViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet[Region]):
    serializer_class = RegionSerializer
    permission_map = {"*": "regions.view"}
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2,12}"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Region]:
        if self.action != "list":
            return region_list(user=self.request.user)
        params = parse_query(self.request.query_params, LIST_PARAMS)
        qs = region_list(user=self.request.user, parent=params["parent"])
        if params["level"]:
            qs = qs.filter(level=params["level"])
        if params["q"]:
            qs = qs.filter(name__contains=params["q"])
        return qs

    def get_object(self) -> Region:
        try:
            code = normalize_region_code(self.kwargs["code"])
        except ValueError as exc:
            raise NotFound() from exc
        obj = region_list(user=self.request.user).filter(code=code).first()
        if obj is None:
            raise NotFound()
        return obj
