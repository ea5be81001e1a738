from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ValidationError

from yiyang.core.api import ScopedViewMixin
from yiyang.core.regioncodes import normalize_region_code
from yiyang.regions.api.serializers import RegionSerializer
from yiyang.regions.models import Region
from yiyang.regions.selectors import region_list


@extend_schema_view(
    list=extend_schema(
        summary="行政区划列表（管辖范围内）",
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.STR, description="上级区划代码（6/9/12 位），返回其下级"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=[c for c, _ in Region.Level.choices]),
            OpenApiParameter("q", OpenApiTypes.STR, description="按名称包含查找"),
        ],
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
        params = self.request.query_params
        parent = params.get("parent") or None
        try:
            qs = region_list(user=self.request.user, parent=parent)
        except ValueError as exc:
            raise ValidationError({"parent": [str(exc)]}) from exc
        if params.get("level"):
            qs = qs.filter(level=params["level"])
        if params.get("q"):
            qs = qs.filter(name__contains=params["q"][:50])
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
