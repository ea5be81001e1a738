from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from yiyang.audit.models import AuditEvent
from yiyang.audit.selectors import audit_event_list
from yiyang.core.api import ScopedViewMixin


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    event_label = serializers.CharField(read_only=True)
    region_code = serializers.CharField(source="region_id", read_only=True, allow_null=True)
    region_name = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_username",
            "event",
            "event_label",
            "object_type",
            "object_id",
            "region_code",
            "region_name",
            "summary",
            "data",
        ]

    def get_region_name(self, obj: AuditEvent) -> str:
        return obj.region.name if obj.region else ""


def _when(value: str | None, name: str) -> Any:
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({name: ["时间格式应为 ISO 8601，例如 2026-11-23T08:00:00+08:00"]})
    if not 1900 <= parsed.year <= 2200:
        raise ValidationError({name: ["时间应在 1900 年至 2200 年之间"]})
    return parsed


@extend_schema_view(
    list=extend_schema(
        summary="审计事件（管辖范围内）",
        parameters=[
            OpenApiParameter("actor", OpenApiTypes.STR, description="操作人用户名"),
            OpenApiParameter(
                "event", OpenApiTypes.STR, description="事件类型，如 auth.login；以 . 结尾按前缀"
            ),
            OpenApiParameter("object_type", OpenApiTypes.STR),
            OpenApiParameter("object_id", OpenApiTypes.STR),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
        ],
    ),
    retrieve=extend_schema(summary="单个审计事件"),
)
class AuditEventViewSet(ScopedViewMixin, viewsets.ReadOnlyModelViewSet[AuditEvent]):
    serializer_class = AuditEventSerializer
    permission_map = {"*": "audit.view"}
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[AuditEvent]:
        p = self.request.query_params
        return audit_event_list(
            user=self.request.user,
            actor=p.get("actor"),
            event=p.get("event"),
            object_type=p.get("object_type"),
            object_id=p.get("object_id"),
            since=_when(p.get("since"), "since"),
            until=_when(p.get("until"), "until"),
        )
