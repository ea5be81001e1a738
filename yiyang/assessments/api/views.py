from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.accounts.models import User
from yiyang.assessments import selectors, services
from yiyang.assessments.api import serializers as s
from yiyang.assessments.models import Assessment, AssessmentAgency, ExternalAssessmentResult, Status
from yiyang.assessments.scoring import STANDARDS, ScoringError, score
from yiyang.core.api import ScopedViewMixin
from yiyang.core.apischema import ErrorSerializer
from yiyang.core.errors import missing_reference
from yiyang.core.parsers import SafeJSONParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.elders.selectors import elder_get
from yiyang.regions.models import Region

UUID_RE = r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"

E400 = OpenApiResponse(ErrorSerializer, description="数据有误：errors 指明字段/项目代码与允许值")
E401 = OpenApiResponse(ErrorSerializer, description="未登录")
E403 = OpenApiResponse(ErrorSerializer, description="无权限")
E404 = OpenApiResponse(ErrorSerializer, description="不存在或不在管辖范围内")
E409 = OpenApiResponse(
    ErrorSerializer, description="当前状态不允许（illegal_transition / concurrent_update）"
)
ERRORS = {400: E400, 401: E401, 403: E403, 404: E404}
ACTION_ERRORS = {**ERRORS, 409: E409}


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return dict(ser.validated_data)


def _elder(user: Any, public_id: Any, perm: str) -> Any:
    elder = elder_get(user=user, public_id=public_id, perm=perm)
    if elder is None:
        raise missing_reference("elder", "未找到该老人，或不在您的管辖范围内")
    return elder


def _users(ids: list[Any]) -> list[User]:
    found = {u.public_id: u for u in User.objects.filter(public_id__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise missing_reference("assessors", f"未找到用户：{', '.join(missing)}")
    return [found[i] for i in ids]


LIST_PARAMS = [
    Param.flag("mine", "仅指派给我的"),
    Param.choice("status", Status.values),
    Param.uid("elder", "老人 id"),
]
DIFF_PARAMS = [Param.uid("against", "对比的评估 id；缺省为该老人上一次已完成评估")]
RECOGNIZED_PARAMS = [
    Param.uid("elder", required=True),
    Param.text("programme", "如 subsidy.care / beds.admission", required=True, max_length=50),
]
EXTERNAL_PARAMS = [Param.uid("elder")]


@extend_schema_view(
    list=extend_schema(
        summary="能力评估列表（管辖范围内）",
        parameters=openapi(LIST_PARAMS),
        responses={200: s.AssessmentListSerializer(many=True), 400: E400, 401: E401, 403: E403, 404: E404},
    ),
    retrieve=extend_schema(summary="单个能力评估", responses={200: s.AssessmentSerializer, **ERRORS}),
)
class AssessmentViewSet(  # ScopedViewMixin typing, as in audit/regions
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Assessment]
):
    queryset = Assessment.objects.all()
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    filter_backends: list[Any] = []
    permission_map = {
        "list": "assessments.view",
        "retrieve": "assessments.view",
        "create": "assessments.request",
        "score": "assessments.score",
        "assign": "assessments.assign",
        "answers": "assessments.perform",
        "record": "assessments.perform",
        "sign": "assessments.perform",
        "submit": "assessments.perform",
        "complete": "assessments.perform",
        "reopen": "assessments.perform",
        "cancel": "assessments.request",
        "diff": "assessments.view",
        "recognized": "assessments.view",
    }

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return s.AssessmentListSerializer if self.action == "list" else s.AssessmentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        perm = self.permission_map.get(self.action or "", "assessments.view")
        if self.action == "list":
            p = parse_query(self.request.query_params, LIST_PARAMS)
            elder = None
            if p["elder"]:
                elder = elder_get(user=self.request.user, public_id=p["elder"], perm="assessments.view")
                if elder is None:
                    return Assessment.objects.none()
            return selectors.assessment_list(
                user=self.request.user, mine=bool(p["mine"]), status=p["status"], elder=elder
            )
        return (
            Assessment.objects.restrict(self.request.user, perm)
            .select_related("elder", "elder__region", "agency")
            .prefetch_related("assessors", "signatures", "events__actor")
        )

    def _detail(self, assessment: Assessment, code: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=assessment.pk)
        return Response(s.AssessmentSerializer(fresh).data, status=code)

    @extend_schema(
        summary="申请能力评估",
        request=s.AssessmentCreateSerializer,
        responses={201: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = _valid(s.AssessmentCreateSerializer, request.data)
        elder = _elder(request.user, data["elder"], "assessments.request")
        assessment = services.assessment_request(
            elder=elder,
            reason=data["reason"],
            standard=data.get("standard"),
            note=data["note"],
            home_visit=data["home_visit"],
            actor=request.user,
        )
        return self._detail(assessment, 201)

    @extend_schema(
        summary="评估计分（不保存）",
        description=s.SCORE_DESCRIPTION,
        request={"application/json": s.SCORE_REQUEST_SCHEMA},
        responses={200: s.ScoreResultSerializer, 400: E400, 401: E401, 403: E403},
    )
    # answers, flags and options are objects: only a JSON body can carry them (no form/multipart variant).
    @action(detail=False, methods=["post"], parser_classes=[SafeJSONParser])
    def score(self, request: Request) -> Response:
        data = request.data
        if not isinstance(data, Mapping):
            raise ValidationError(
                {"non_field_errors": ["请求体应为 JSON 对象 {standard, answers, flags, options}"]}
            )
        standard = data.get("standard")
        if standard is None:
            raise ValidationError({"standard": [f"必填（允许：{', '.join(STANDARDS)}）"]})
        try:
            result = score(
                standard if isinstance(standard, str) else repr(standard),
                data.get("answers", {}),
                data.get("flags"),
                data.get("options"),
            )
        except ScoringError as exc:
            raise ValidationError(exc.errors) from exc
        body = result.to_dict()
        if result.standard != "mzt039":
            # The contract: ``grades`` are MZ/T 039's four dimension grades, null for the other standards.
            body["grades"] = None
        return Response(body)

    @extend_schema(
        summary="指派评估机构与评估员",
        request=s.AssignSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = _valid(s.AssignSerializer, request.data)
        agency = AssessmentAgency.objects.filter(public_id=data["agency"]).first()
        if agency is None:
            raise missing_reference("agency", "未找到该评估机构")
        services.assessment_assign(
            assessment=assessment, agency=agency, assessors=_users(data["assessors"]), actor=request.user
        )
        return self._detail(assessment)

    @extend_schema(
        summary="保存评估项目分值（可部分保存）",
        request=s.AnswersSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def answers(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        raw = request.data.get("answers") if isinstance(request.data, Mapping) else None
        if not isinstance(raw, Mapping):
            raise ValidationError({"answers": ["answers 应为“项目代码 → 分值”的对象"]})
        services.assessment_save_answers(assessment=assessment, answers=raw, actor=request.user)
        return self._detail(assessment)

    @extend_schema(
        summary="保存健康信息、疾病诊断、风险事件与信息提供者",
        request=s.RecordSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = _valid(s.RecordSerializer, request.data)
        services.assessment_save_record(assessment=assessment, actor=request.user, **data)
        return self._detail(assessment)

    @extend_schema(
        summary="签名（评估员本人 / 信息提供者）",
        request=s.SignSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = _valid(s.SignSerializer, request.data)
        services.assessment_sign(assessment=assessment, actor=request.user, **data)
        return self._detail(assessment)

    @extend_schema(
        summary="提交评估：服务器计算全部得分与等级（忽略客户端提交的任何总分）",
        request=s.SubmitSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = _valid(s.SubmitSerializer, request.data)
        services.assessment_submit(
            assessment=assessment, actor=request.user, assessed_on=data.get("assessed_on")
        )
        return self._detail(assessment)

    @extend_schema(
        summary="确认完成：更新老人能力等级与失能状态",
        request=None,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        services.assessment_complete(assessment=assessment, actor=request.user)
        return self._detail(assessment)

    @extend_schema(
        summary="退回修改（已提交 → 评估中）",
        request=None,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        services.assessment_reopen(assessment=assessment, actor=request.user)
        return self._detail(assessment)

    @extend_schema(
        summary="取消评估",
        request=s.CancelSerializer,
        responses={200: s.AssessmentSerializer, **ACTION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        data = _valid(s.CancelSerializer, request.data)
        services.assessment_cancel(assessment=assessment, reason=data["reason"], actor=request.user)
        return self._detail(assessment)

    @extend_schema(
        summary="与另一次评估的差异（逐项、小计、等级）",
        parameters=openapi(DIFF_PARAMS),
        responses={200: s.DiffSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, id: str) -> Response:
        assessment = self.get_object()
        against = parse_query(request.query_params, DIFF_PARAMS)["against"]
        qs = (
            self.get_queryset()
            .filter(elder=assessment.elder, status=Status.COMPLETED)
            .exclude(pk=assessment.pk)
        )
        if against:
            other = qs.filter(public_id=against).first()
        else:
            if assessment.assessed_on is not None:
                qs = qs.filter(assessed_on__lte=assessment.assessed_on)
            other = qs.order_by("-assessed_on", "-completed_at").first()
        if other is None:
            raise NotFound("没有可对比的评估")
        return Response(selectors.assessment_diff(other, assessment))

    @extend_schema(
        summary="某业务认可的老人能力等级（互认）",
        parameters=openapi(RECOGNIZED_PARAMS),
        responses={200: s.RecognizedLevelSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def recognized(self, request: Request) -> Response:
        p = parse_query(request.query_params, RECOGNIZED_PARAMS)
        elder = elder_get(user=request.user, public_id=p["elder"], perm="assessments.view")
        if elder is None:
            raise NotFound()
        found = selectors.recognized_level(elder, p["programme"])
        if found is None:
            raise NotFound("没有该业务认可的有效评估结果")
        return Response(found)


@extend_schema_view(
    list=extend_schema(
        summary="评估机构", responses={200: s.AgencySerializer(many=True), 401: E401, 403: E403, 404: E404}
    ),
    retrieve=extend_schema(summary="单个评估机构", responses={200: s.AgencySerializer, **ERRORS}),
    create=extend_schema(
        summary="登记评估机构",
        request=s.AgencyCreateSerializer,
        responses={201: s.AgencySerializer, 409: E409, **ERRORS},
    ),
)
class AssessmentAgencyViewSet(  # ScopedViewMixin typing, as in audit/regions
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[AssessmentAgency],
):
    queryset = AssessmentAgency.objects.select_related("region").prefetch_related("assessors")
    serializer_class = s.AgencySerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    filter_backends: list[Any] = []
    permission_map = {
        "list": "assessments.view",
        "retrieve": "assessments.view",
        "create": "assessments.assign",
    }

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.AgencyCreateSerializer, request.data)
        code = data["region"]
        region = Region.objects.filter(code=code.ljust(12, "0") if len(code) in (6, 9) else code).first()
        if region is None:
            raise missing_reference("region", "未找到该区划代码")
        agency = services.agency_create(
            name=data["name"],
            uscc=data["uscc"],
            region=region,
            assessors=_users(data["assessors"]),
            actor=request.user,
        )
        return Response(s.AgencySerializer(agency).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="他部门评估结果",
        parameters=openapi(EXTERNAL_PARAMS),
        responses={200: s.ExternalResultSerializer(many=True), 400: E400, 401: E401, 403: E403, 404: E404},
    ),
    retrieve=extend_schema(
        summary="单个他部门评估结果", responses={200: s.ExternalResultSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="录入他部门评估结果（互认）",
        request=s.ExternalResultCreateSerializer,
        responses={201: s.ExternalResultSerializer, **ERRORS},
    ),
)
class ExternalResultViewSet(  # ScopedViewMixin typing, as in audit/regions
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ExternalAssessmentResult],
):
    queryset = ExternalAssessmentResult.objects.select_related("elder")
    serializer_class = s.ExternalResultSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_RE
    filter_backends: list[Any] = []
    permission_map = {
        "list": "assessments.view",
        "retrieve": "assessments.view",
        "create": "assessments.record_external",
    }

    def get_queryset(self) -> QuerySet[ExternalAssessmentResult]:
        qs = super().get_queryset()
        elder = (
            parse_query(self.request.query_params, EXTERNAL_PARAMS)["elder"]
            if self.action == "list"
            else None
        )
        if elder:
            qs = qs.filter(elder__public_id=elder)
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _valid(s.ExternalResultCreateSerializer, request.data)
        elder = _elder(request.user, data.pop("elder"), "assessments.record_external")
        result = services.external_result_record(elder=elder, actor=request.user, **data)
        return Response(s.ExternalResultSerializer(result).data, status=status.HTTP_201_CREATED)
