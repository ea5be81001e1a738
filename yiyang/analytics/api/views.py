"""``GET /api/v1/kpis/?region=<code>&year=YYYY``: every KPI of a region against its target."""

from __future__ import annotations

from typing import ClassVar

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.analytics import selectors
from yiyang.analytics.api.serializers import KpiValueSerializer
from yiyang.core.api import ActionPermission
from yiyang.core.apischema import errors
from yiyang.core.errors import OutOfScope
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.core.regioncodes import REGION_CODE_PATTERN

PARAMS = [
    Param.text(
        "region",
        "区划代码（6、9 或 12 位）；缺省为本人管辖的最高一级区域",
        pattern=REGION_CODE_PATTERN,
        max_length=12,
    ),
    Param.integer("year", "目标年份；缺省为今年（往年取该年最后一期月度快照）", minimum=2000, maximum=2100),
]


class KpiListView(APIView):
    """The KPIs of one region in the caller's scope (a region outside it answers 404)."""

    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"get": "kpis.view"}

    @extend_schema(
        summary="区域统计监测指标（值、目标与进度状态）",
        parameters=openapi(PARAMS),
        responses={200: KpiValueSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        params = parse_query(request.query_params, PARAMS)
        year = params.get("year") or timezone.localdate().year
        region = (
            selectors.region_for(request.user, params["region"])
            if params.get("region")
            else selectors.home_region(request.user)
        )
        if region is None:
            raise OutOfScope("区域不存在或不在您的管辖范围内")
        values = selectors.live_values(region, year)
        return Response([KpiValueSerializer(v.as_api()).data for v in values])
