"""The coverage API: the 15-minute service circle of one region (issue 17 contract)."""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.core.api import ActionPermission
from yiyang.core.apischema import errors
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.core.regioncodes import REGION_CODE_PATTERN
from yiyang.planning import selectors as sel
from yiyang.planning.api.serializers import CoverageSerializer

PARAMS = [
    Param.text(
        "region",
        "区域代码（6 位县级及以上，9 位街道乡镇，12 位社区村）",
        max_length=12,
        pattern=REGION_CODE_PATTERN,
        required=True,
        message="应为 2、4、6、9 或 12 位区划代码",
    ),
    Param.integer(
        "distance_m", "步行距离（米，100–5000；缺省取该区域的政策值，默认 1000）", minimum=100, maximum=5000
    ),
]


class CoverageView(APIView):
    """``GET /api/v1/coverage/?region=<code>&distance_m=1000``. Not a viewset: its 401/403/404/200 come
    from the ``RegionParamCase`` in ``yiyang/planning/tests/scope_cases.py``."""

    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"get": sel.VIEW}

    @extend_schema(
        summary="15 分钟服务圈覆盖情况",
        operation_id="coverage_retrieve",
        parameters=openapi(PARAMS),
        responses={200: CoverageSerializer, **errors(400, 401, 403, 404)},
        description=(
            "区域内在册老年人中，住址在步行距离内有社区养老服务设施（区域性综合体、日间照料中心、社区养老服务站、"
            "老年食堂）的人数与比例，以及有未覆盖老年人的社区（村），未覆盖人数多的在前。住址未定位的老年人计入 "
            "elders，不计入 covered。区域不在调用者管辖范围内时返回 404。"
        ),
    )
    def get(self, request: Request) -> Response:
        q = parse_query(request.query_params, PARAMS)
        region = sel.region_get(user=request.user, code=q["region"])
        if region is None:
            raise NotFound()
        distance = q["distance_m"] or sel.walk_distance(region.code)
        report = sel.coverage_report(user=request.user, region=region, distance_m=distance)
        body: dict[str, Any] = {
            "elders": report.elders,
            "covered": report.covered,
            "share": report.share,
            "uncovered_communities": report.uncovered_communities(),
        }
        return Response(body)
