from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from yiyang.audit.models import AuditEvent
from yiyang.audit.selectors import audit_event_list
from yiyang.core.api import ScopedViewMixin
from yiyang.core.queryparams import Param, openapi, parse_query


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


LIST_PARAMS = [
    Param.text("actor", "操作人用户名", max_length=150),
    Param.text("event", "事件类型，如 auth.login；以 . 结尾按前缀"),
    Param.text("object_type"),
    Param.text("object_id"),
    Param.when("since", "起（含）"),
    Param.when("until", "止（不含）"),
]


@extend_schema_view(
    list=extend_schema(
        summary="审计事件（管辖范围内）",
        parameters=openapi(LIST_PARAMS),
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
        p = parse_query(self.request.query_params, LIST_PARAMS) if self.action == "list" else {}
        return audit_event_list(user=self.request.user, **p)
