"""Renovation API: programmes and their catalog, the explained eligibility check, applications and their
workflow actions (``/applications/<id>/<action>/``; an illegal move is 409)."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.core.exceptions import SuspiciousOperation
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.core.api import (
    MOVE_ERRORS,
    ActionPermission,
    ScopedViewMixin,
    TransitionActionsMixin,
    move_schema,
    read_body,
)
from yiyang.core.apischema import errors
from yiyang.core.parsers import SafeJSONParser, SafeMultiPartParser
from yiyang.core.queryparams import Param, openapi, parse_query
from yiyang.elders.selectors import elder_get
from yiyang.providers.selectors import organisation_scoped
from yiyang.regions.models import Region
from yiyang.renovation import selectors, services
from yiyang.renovation.api import serializers as s
from yiyang.renovation.choices import ApplicationStatus, PhotoKind
from yiyang.renovation.models import Application, Programme

READ_ERRORS = errors(401, 403, 404)
APPLICATION_FILTERS = [Param.choice("status", sorted(ApplicationStatus.values)), Param.uid("programme")]
INELIGIBLE = OpenApiResponse(
    s.IneligibleSerializer, description="数据有误，或老人不符合补贴条件（含未通过的规则与已享受的补贴）"
)


def _referenced(request: Request, key: str, find: Any) -> Any:
    """The object a body names by id, looked up before the body is validated: an id that names nothing the
    caller may see is 404 whatever else the body holds (the elder outside scope of the contract)."""
    try:
        raw = request.data.get(key) if hasattr(request.data, "get") else None
    except SuspiciousOperation as exc:
        raise ParseError("请求内容过大或字段过多") from exc
    if not isinstance(raw, str):
        return None
    try:
        public_id = uuid.UUID(raw)
    except ValueError:
        return None
    found = find(public_id)
    if found is None:
        raise NotFound()
    return found


class AnyOfPermission(ActionPermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return any(user.has_perm(p) for p in view.action_perms())


def _programme(request: Request, public_id: Any) -> Programme:
    programme = selectors.programme_get(user=request.user, public_id=public_id)
    if programme is None:
        raise NotFound()
    return programme


# --- programmes --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="适老化改造项目（本区域及上级区域的项目，不分页）",
        responses={200: s.ProgrammeSerializer(many=True), **errors(401, 403)},
    ),
    retrieve=extend_schema(
        summary="项目详情（规则、上限、区县任务）", responses={200: s.ProgrammeSerializer, **READ_ERRORS}
    ),
)
class ProgrammeViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Programme],
):
    serializer_class = s.ProgrammeSerializer
    move_subject = "programme"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    pagination_class = None
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "renovation.view",
        "retrieve": "renovation.view",
        "copy": "renovation.programme",
        "activate": "renovation.programme",
        "quota": "renovation.programme",
    }

    def get_queryset(self) -> QuerySet[Programme]:
        from yiyang.core.api import required_perm

        return (
            selectors.programme_list(user=self.request.user, perm=required_perm(self) or "")
            .prefetch_related("quotas__county")
            .select_related("copied_from")
        )

    @extend_schema(
        request=s.ProgrammeCopySerializer,
        responses={201: s.ProgrammeSerializer, **errors(400, 401, 403, 404)},
        summary="复制为新项目（下一年度或同年度新版本，草稿）",
    )
    @action(detail=True, methods=["post"])
    def copy(self, request: Request, id: str) -> Response:
        programme = self.get_object()
        data = read_body(request, s.ProgrammeCopySerializer)
        copy = services.programme_copy(actor=request.user, programme=programme, year=data.get("year"))
        return self.render_moved(copy, 201)

    def render_moved(self, programme: Programme, code: int = 200) -> Response:
        return Response(s.ProgrammeSerializer(self.get_queryset().get(pk=programme.pk)).data, status=code)

    @move_schema(None, "启用草稿项目", s.ProgrammeSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, id: str) -> Response:
        return self.move(services.programme_activate)

    @extend_schema(
        request=s.QuotaInputSerializer,
        responses={200: s.ProgrammeSerializer, **errors(400, 401, 403, 404)},
        summary="设置区县任务数（任务分配表）",
    )
    @action(detail=True, methods=["post"])
    def quota(self, request: Request, id: str) -> Response:
        programme = self.get_object()
        data = read_body(request, s.QuotaInputSerializer)
        county = Region.objects.filter(code=data["county"]).first()
        if county is None:
            raise NotFound()
        services.quota_set(
            actor=request.user, programme=programme, county=county, households=data["households"]
        )
        return self.render_moved(programme)


class CatalogView(APIView):
    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"get": "renovation.view"}

    @extend_schema(
        summary="项目的改造清单（SLH-01…SLH-30，7 项基础类）",
        parameters=[OpenApiParameter("programme", OpenApiTypes.UUID, required=True, description="项目 id")],
        responses={200: s.CatalogItemSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("programme", "")
        field = s.StrictUUIDField()
        try:
            public_id = field.to_internal_value(raw)
        except ValidationError as exc:
            raise ValidationError({"programme": exc.detail}) from exc
        programme = _programme(request, public_id)
        return Response(s.CatalogItemSerializer(selectors.catalog_items(programme), many=True).data)


class EligibilityView(APIView):
    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"post": "renovation.view"}
    parser_classes = [SafeJSONParser]

    @extend_schema(
        summary="资格审核（逐条规则说明；不创建任何记录）",
        request=s.EligibilityInputSerializer,
        responses={200: s.EligibilitySerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        _referenced(request, "programme", lambda pk: selectors.programme_get(user=request.user, public_id=pk))
        _referenced(request, "elder", lambda pk: elder_get(user=request.user, public_id=pk))
        data = read_body(request, s.EligibilityInputSerializer)
        programme = _programme(request, data["programme"])
        elder = elder_get(user=request.user, public_id=data["elder"])
        if elder is None:
            raise NotFound()
        verdict = services.eligibility_verdict(
            programme=programme,
            elder=elder,
            on=data.get("application_date") or timezone.localdate(),
            housing_right=data.get("housing_right"),
            in_demolition_plan=data.get("in_demolition_plan"),
        )
        return Response(verdict.as_dict())


class GrantView(APIView):
    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"post": "renovation.apply"}
    parser_classes = [SafeJSONParser]

    @extend_schema(
        summary="登记他部门的改造补贴（如残联），该老人不再重复补贴",
        request=s.GrantInputSerializer,
        responses={201: s.EarlierGrantSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        _referenced(request, "elder", lambda pk: elder_get(user=request.user, public_id=pk))
        data = read_body(request, s.GrantInputSerializer)
        elder = elder_get(user=request.user, public_id=data["elder"])
        if elder is None:
            raise NotFound()
        grant = services.grant_record(
            actor=request.user,
            elder=elder,
            source=data["source"],
            programme_name=data["programme_name"],
            year=data["year"],
        )
        return Response(
            {
                "kind": "external",
                "id": str(grant.public_id),
                "name": grant.programme_name,
                "year": grant.year,
                "status": "granted",
                "status_label": "已补贴",
                "source": grant.get_source_display(),
            },
            status=201,
        )


# --- applications ------------------------------------------------------------------------------------


def _move_schema(body: Any, summary: str) -> Any:
    return move_schema(body, summary, s.ApplicationDetailSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="适老化改造申请（管辖范围内，或本单位施工/监理的）",
        parameters=openapi(APPLICATION_FILTERS),
        responses={200: s.ApplicationSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="申请详情（方案、照片、验收、拨付、保修、时间线）",
        responses={200: s.ApplicationDetailSerializer, **READ_ERRORS},
    ),
)
class ApplicationViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Application],
):
    permission_classes = [AnyOfPermission]
    serializer_class = s.ApplicationSerializer
    move_subject = "application"
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    parser_classes = [SafeJSONParser]
    permission_map: ClassVar[dict[str, str]] = {
        "list": "renovation.view",
        "retrieve": "renovation.view",
        "create": "renovation.apply",
        "review": "renovation.review",
        "object": "renovation.apply",
        "close_publicity": "renovation.review",
        "approve": "renovation.approve",
        "assess": "renovation.assess",
        "plan": "renovation.assess",
        "sign": "renovation.apply",
        "photo": "renovation.build",
        "start": "renovation.build",
        "complete": "renovation.build",
        "pay": "renovation.approve",
        "withdraw": "renovation.apply",
        "warranty_claim": "renovation.apply",
        "warranty_repair": "renovation.build",
    }
    multi_perms: ClassVar[dict[str, tuple[str, ...]]] = {
        # on-site acceptance: the street, or the supervisor (监理) organisation
        "accept": ("renovation.review", "renovation.supervise"),
        # the street before publicity ends, the district after (the service decides by status)
        "reject": ("renovation.review", "renovation.approve"),
    }

    def action_perms(self) -> tuple[str, ...]:
        name = self.action or ""
        if name in self.multi_perms:
            return self.multi_perms[name]
        perm = self.permission_map.get(name)
        return (perm,) if perm else ()

    def get_queryset(self) -> QuerySet[Application]:
        user = self.request.user
        held = [p for p in self.action_perms() if user.has_perm(p)]
        if not held:
            return Application.objects.none()
        qs = selectors.application_list(user=user, perm=held[0])
        for extra in held[1:]:
            qs = qs | selectors.application_list(user=user, perm=extra)
        if self.action == "list":
            q = parse_query(self.request.query_params, APPLICATION_FILTERS)
            if q["status"] is not None:
                qs = qs.filter(status=q["status"])
            if q["programme"] is not None:
                qs = qs.filter(programme__public_id=q["programme"])
        return qs.distinct()

    def get_serializer_class(self) -> Any:
        return s.ApplicationSerializer if self.action == "list" else s.ApplicationDetailSerializer

    def render_moved(self, application: Application, code: int = 200) -> Response:
        fresh = selectors.application_detail(application)
        return Response(s.ApplicationDetailSerializer(fresh).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render_moved(self.get_object())

    @extend_schema(
        request=s.ApplicationCreateSerializer,
        responses={201: s.ApplicationDetailSerializer, 400: INELIGIBLE, **errors(401, 403, 404)},
        summary="受理申请（不符合条件时 400，列出未通过的规则与已享受的补贴）",
    )
    def create(self, request: Request) -> Response:
        _referenced(request, "programme", lambda pk: selectors.programme_get(user=request.user, public_id=pk))
        _referenced(request, "elder", lambda pk: elder_get(user=request.user, public_id=pk))
        data = read_body(request, s.ApplicationCreateSerializer)
        programme = _programme(request, data["programme"])
        elder = elder_get(user=request.user, public_id=data["elder"])
        if elder is None:
            raise NotFound()
        application = services.application_create(
            actor=request.user,
            programme=programme,
            elder=elder,
            application_date=data.get("application_date") or timezone.localdate(),
            housing_right=data["housing_right"],
            in_demolition_plan=data["in_demolition_plan"],
            applicant=data.get("applicant") or "elder",
            applicant_name=data.get("applicant_name", ""),
        )
        return self.render_moved(application, 201)

    @_move_schema(s.NoteSerializer, "街道初审通过，进入公示")
    @action(detail=True, methods=["post"])
    def review(self, request: Request, id: str) -> Response:
        return self.move(services.application_review, s.NoteSerializer)

    @extend_schema(
        request=s.ObjectionInputSerializer,
        responses={201: s.ApplicationDetailSerializer, **MOVE_ERRORS},
        summary="登记公示异议",
    )
    @action(detail=True, methods=["post"])
    def object(self, request: Request, id: str) -> Response:
        application = self.get_object()
        data = read_body(request, s.ObjectionInputSerializer)
        services.application_object(
            actor=request.user, application=application, text=data["text"], raised_by=data["raised_by"]
        )
        return self.render_moved(application, 201)

    @_move_schema(s.ClosePublicitySerializer, "公示期满（有异议时须填写处理意见）")
    @action(detail=True, methods=["post"], url_path="close-publicity")
    def close_publicity(self, request: Request, id: str) -> Response:
        return self.move(services.application_close_publicity, s.ClosePublicitySerializer)

    @_move_schema(s.ApproveSerializer, "区县审批（任务数内），指定施工与监理单位")
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, id: str) -> Response:
        application = self.get_object()
        data = read_body(request, s.ApproveSerializer)
        orgs = organisation_scoped(user=request.user, perm="providers.view")
        contractor = orgs.filter(public_id=data["contractor"]).first()
        supervisor = orgs.filter(public_id=data["supervisor"]).first()
        if contractor is None or supervisor is None:
            raise ValidationError(
                {"contractor" if contractor is None else "supervisor": ["单位不存在或不在管辖范围内"]}
            )
        return self.render_moved(
            services.application_approve(
                actor=request.user,
                application=application,
                contractor=contractor,
                supervisor=supervisor,
                note=data["note"],
            )
        )

    @_move_schema(s.AssessSerializer, "第三方入户需求评估")
    @action(detail=True, methods=["post"])
    def assess(self, request: Request, id: str) -> Response:
        return self.move(services.application_assess, s.AssessSerializer)

    @_move_schema(s.PlanSerializer, "改造方案（一户一策）：基础类项目须纳入或注明不适用原因")
    @action(detail=True, methods=["post"])
    def plan(self, request: Request, id: str) -> Response:
        return self.move(services.application_plan, s.PlanSerializer)

    @_move_schema(s.RenovationSignSerializer, "老年人或监护人签字确认方案")
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, id: str) -> Response:
        return self.move(services.application_sign, s.RenovationSignSerializer)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "image": {"type": "string", "format": "binary"},
                    "code": {"type": "string", "enum": [f"SLH-{n:02d}" for n in range(1, 31)]},
                    "kind": {"type": "string", "enum": PhotoKind.values},
                },
                "required": ["image", "code", "kind"],
            }
        },
        responses={201: s.ApplicationDetailSerializer, **MOVE_ERRORS},
        summary="上传改造前/改造后/维修照片（每个方案项目）",
    )
    @action(detail=True, methods=["post"], parser_classes=[SafeMultiPartParser])
    def photo(self, request: Request, id: str) -> Response:
        application = self.get_object()
        try:
            form: Any = request.data
            code = form.get("code", "")
            kind = form.get("kind", "")
        except SuspiciousOperation as exc:
            raise ParseError("请求内容过大或字段过多") from exc
        if code not in {f"SLH-{n:02d}" for n in range(1, 31)}:
            raise ValidationError({"code": ["项目代码无效"]})
        if kind not in PhotoKind.values:
            raise ValidationError({"kind": ["照片类型无效"]})
        services.application_add_photo(
            actor=request.user,
            application=application,
            code=code,
            kind=kind,
            upload=request.FILES.get("image"),
        )
        return self.render_moved(application, 201)

    @_move_schema(None, "开工（每个方案项目已有改造前照片）")
    @action(detail=True, methods=["post"])
    def start(self, request: Request, id: str) -> Response:
        return self.move(services.application_start)

    @_move_schema(s.CompleteSerializer, "完工（每个完成项目的实际费用与改造后照片）")
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, id: str) -> Response:
        return self.move(services.application_complete, s.CompleteSerializer)

    @_move_schema(s.AcceptSerializer, "街道与监理实地验收（不合格退回施工）")
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, id: str) -> Response:
        return self.move(services.application_accept, s.AcceptSerializer)

    @_move_schema(s.PaySerializer, "拨付补助：min(实际费用, 上限)，其余由家庭支付")
    @action(detail=True, methods=["post"])
    def pay(self, request: Request, id: str) -> Response:
        return self.move(services.application_pay, s.PaySerializer)

    @_move_schema(s.RenovationReasonSerializer, "不予通过（须填原因）")
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, id: str) -> Response:
        return self.move(services.application_reject, s.RenovationReasonSerializer)

    @_move_schema(s.RenovationReasonSerializer, "撤回申请（开工前，须填原因）")
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id: str) -> Response:
        return self.move(services.application_withdraw, s.RenovationReasonSerializer)

    @extend_schema(
        request=s.ClaimInputSerializer,
        responses={201: s.ApplicationDetailSerializer, **MOVE_ERRORS},
        summary="质保期内报修",
    )
    @action(detail=True, methods=["post"], url_path="warranty-claim")
    def warranty_claim(self, request: Request, id: str) -> Response:
        application = self.get_object()
        data = read_body(request, s.ClaimInputSerializer)
        services.warranty_claim_create(
            actor=request.user, application=application, description=data["description"]
        )
        return self.render_moved(application, 201)

    @_move_schema(s.RepairSerializer, "施工单位完成保修维修")
    @action(detail=True, methods=["post"], url_path="warranty-repair")
    def warranty_repair(self, request: Request, id: str) -> Response:
        application = self.get_object()
        data = read_body(request, s.RepairSerializer)
        claim = application.claims.filter(public_id=data["claim"]).first()
        if claim is None:
            raise NotFound()
        services.warranty_claim_repair(actor=request.user, claim=claim, note=data["note"])
        return self.render_moved(application)
