"""探访关爱 API: an elder's risk class with its reasons, visit records, coverage, visit plans."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.core.api import ScopedViewMixin, read_body
from yiyang.core.apischema import errors
from yiyang.core.parsers import SafeJSONParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.core.regioncodes import REGION_CODE_PATTERN, normalize_region_code
from yiyang.core.validators import MONTH_PATTERN
from yiyang.elders.selectors import elder_get
from yiyang.regions.scope import require_scope
from yiyang.visits import selectors, services
from yiyang.visits.api.serializers import (
    PlanReassignSerializer,
    PlanVisitorSerializer,
    RiskSerializer,
    VisitCoverageSerializer,
    VisitCreateSerializer,
    VisitPlanCreateSerializer,
    VisitPlanSerializer,
    VisitSerializer,
)
from yiyang.visits.choices import RiskClass
from yiyang.visits.models import PlanItem, Visit, VisitPlan

READ_ERRORS = errors(401, 403, 404)
COVERAGE_PARAMS = [
    Param.text(
        "region",
        "区划代码（6 位县级及以上，9 位街道乡镇，12 位社区村）",
        max_length=12,
        pattern=REGION_CODE_PATTERN,
        required=True,
        message="应为 2、4、6、9 或 12 位区划代码",
    ),
    Param.text(
        "period",
        "月份 YYYY-MM",
        max_length=7,
        pattern=MONTH_PATTERN,
        required=True,
        message="月份格式应为 YYYY-MM",
    ),
]


def risk_body(risk: selectors.Risk) -> dict[str, Any]:
    rs = risk.rule_set
    return {
        "class": risk.risk_class or None,
        "label": RiskClass(risk.risk_class).label if risk.risk_class else "不分类",
        "reasons": risk.reasons,
        "overridden": risk.overridden,
        "rule_set": {
            "id": str(rs.public_id),
            "version": rs.version,
            "region_code": rs.region_code,
            "name": f"{'默认规则' if not rs.region_code else '本地规则'} 第{rs.version}版",
        }
        if rs is not None
        else None,
    }


class RiskView(ScopedViewMixin):
    # Not a viewset (no ApiScopeCase): its scope is generated from the ObjectGetCase ``elder-risk``.
    scoped: ClassVar[bool] = False
    permission_map: ClassVar[dict[str, str]] = {"get": "visits.view"}

    @extend_schema(
        summary="老人的风险分类（A/B/C）及依据",
        operation_id="elders_risk_retrieve",
        responses={200: RiskSerializer, **READ_ERRORS},
        description="按请求时老人信息库的记录即时计算（规则、告警与紧急呼援、上次探访隐患、人工调整）。",
    )
    def get(self, request: Request, id: Any) -> Response:
        elder = elder_get(user=request.user, public_id=id, perm="visits.view")
        if elder is None:
            raise NotFound()
        return Response(risk_body(selectors.risk_of(elder)))


class CoverageView(ScopedViewMixin):
    scoped: ClassVar[bool] = False  # a region query: generated from the RegionParamCase ``visit-coverage``
    permission_map: ClassVar[dict[str, str]] = {"get": "visits.view"}

    @extend_schema(
        summary="探访覆盖率（区域、月份）",
        operation_id="visits_coverage",
        parameters=openapi(COVERAGE_PARAMS),
        responses={200: VisitCoverageSerializer, **errors(400, 401, 403, 404)},
        description="区域不存在或不在调用者管辖范围内时返回 404。",
    )
    def get(self, request: Request) -> Response:
        q = parse_query(request.query_params, COVERAGE_PARAMS)
        try:
            region = normalize_region_code(q["region"])
        except ValueError:
            raise NotFound() from None
        if not selectors.region_exists(region):
            raise NotFound()
        require_scope(request.user, "visits.view", region)
        total, _ = selectors.coverage(region, q["period"])
        return Response(total.as_dict())


@extend_schema_view(
    list=extend_schema(
        summary="探访记录（管辖范围内）",
        parameters=[OpenApiParameter("elder", OpenApiTypes.UUID, description="老人 id")],
        responses={200: VisitSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(summary="探访记录详情", responses={200: VisitSerializer, **READ_ERRORS}),
)
class VisitViewSet(
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Visit]
):
    serializer_class = VisitSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "visits.view",
        "retrieve": "visits.view",
        "create": "visits.record",
    }

    def get_queryset(self) -> QuerySet[Visit]:
        perm = self.permission_map.get(self.action or "", "visits.view")
        qs = selectors.visit_list(user=self.request.user, perm=perm).prefetch_related("follow_ups")
        if self.action == "list":
            raw = self.request.query_params.get("elder")
            if raw is not None:
                import uuid

                try:
                    qs = qs.filter(elder__public_id=uuid.UUID(raw))
                except ValueError as exc:
                    raise ValidationError({"elder": ["无效的 id"]}) from exc
            qs = qs.order_by("-visited_at", "-pk")
        return qs

    @extend_schema(
        request=VisitCreateSerializer,
        responses={201: VisitSerializer, **errors(400, 401, 403, 404)},
        summary="登记探访记录",
    )
    def create(self, request: Request) -> Response:
        s = VisitCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        elder = elder_get(user=request.user, public_id=data["elder"], perm="visits.record")
        if elder is None:
            raise NotFound("管辖范围内没有这位老人")
        visit = services.visit_record(
            actor=request.user,
            elder=elder,
            method=data["method"],
            visited_at=data["visited_at"],
            seen=data["seen"],
            findings=data.get("findings") or {},
            lat=data.get("lat"),
            lng=data.get("lng"),
            notes=data.get("notes", ""),
            follow_ups=[dict(f) for f in data.get("follow_ups") or []],
        )
        visit = (
            Visit.objects.select_related("elder", "visitor").prefetch_related("follow_ups").get(pk=visit.pk)
        )
        return Response(VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="探访计划（管辖范围内）",
        parameters=[
            OpenApiParameter(
                "period", {"type": "string", "pattern": MONTH_PATTERN}, description="月份 YYYY-MM"
            )
        ],
        responses={200: VisitPlanSerializer(many=True), **errors(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="探访计划详情（含每次应探访）", responses={200: VisitPlanSerializer, **READ_ERRORS}
    ),
)
class VisitPlanViewSet(
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[VisitPlan],
):
    serializer_class = VisitPlanSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "visits.view",
        "retrieve": "visits.view",
        "create": "visits.plan",
        "reassign": "visits.plan",
        "visitors": "visits.plan",
    }

    def get_queryset(self) -> QuerySet[VisitPlan]:
        perm = self.permission_map.get(self.action or "", "visits.view")
        qs = selectors.plan_list(user=self.request.user, perm=perm)
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                Prefetch(
                    "items",
                    queryset=PlanItem.objects.select_related("elder", "visitor").order_by("slot_start", "pk"),
                    to_attr="prefetched_items",
                )
            )
        if self.action == "list":
            period = self.request.query_params.get("period")
            if period is not None:
                import re

                if not re.match(MONTH_PATTERN, period):
                    raise ValidationError({"period": ["月份格式应为 YYYY-MM"]})
                qs = qs.filter(period=period)
            qs = qs.order_by("-period", "region_code", "pk")
        return qs

    @extend_schema(
        request=VisitPlanCreateSerializer,
        responses={201: VisitPlanSerializer, **errors(400, 401, 403, 404)},
        summary="生成（补充）一个社区某月的探访计划",
    )
    def create(self, request: Request) -> Response:
        s = VisitPlanCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        plan = services.plan_generate(
            actor=request.user, region_code=s.validated_data["region"], period=s.validated_data["period"]
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    def _detail(self, obj: VisitPlan, code: int = 200) -> Response:
        plan = (
            VisitPlan.objects.prefetch_related(
                Prefetch(
                    "items",
                    queryset=PlanItem.objects.select_related("elder", "visitor").order_by("slot_start", "pk"),
                    to_attr="prefetched_items",
                )
            )
        ).get(pk=obj.pk)
        return Response(VisitPlanSerializer(plan).data, status=code)

    @extend_schema(
        request=PlanReassignSerializer,
        responses={200: VisitPlanSerializer, **errors(400, 401, 403, 404)},
        summary="改派探访（一次或多次，给本社区另一位探访人，须说明理由）",
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, id: str) -> Response:
        from django.contrib.auth import get_user_model

        plan = self.get_object()
        data = read_body(request, PlanReassignSerializer)
        visitor = get_user_model().objects.filter(public_id=data["visitor"], is_active=True).first()
        services.plan_items_reassign(
            actor=request.user,
            plan=plan,
            item_ids=data["items"],
            visitor=visitor,
            reason=data["reason"],
        )
        return self._detail(plan)

    @extend_schema(
        summary="可改派的探访人及其本月工作量（尚未完成少者在前）",
        responses={200: PlanVisitorSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"])
    def visitors(self, request: Request, id: str) -> Response:
        plan = self.get_object()
        rows = selectors.visitor_choices(services.visitors_of(plan.region_code), plan.period)
        return Response(PlanVisitorSerializer(rows, many=True).data)
