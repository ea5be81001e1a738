"""The benefits API (/api/v1/benefits/…, /api/v1/elders/<id>/benefits/): views parse, call one service or
selector, and render; scope is the selectors' and services' business."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from yiyang.benefits import selectors, services
from yiyang.benefits.api.serializers import (
    ElderBenefitsSerializer,
    EnrolmentApplySerializer,
    EnrolmentConfirmSerializer,
    EnrolmentRejectSerializer,
    EnrolmentSerializer,
    PaymentLineReturnSerializer,
    PaymentRunCreateSerializer,
    PaymentRunDetailSerializer,
    PaymentRunSerializer,
    ProgrammeSerializer,
)
from yiyang.benefits.models import Enrolment, PaymentRun, Programme
from yiyang.core.api import (
    ActionPermission,
    ScopedViewMixin,
    TransitionActionsMixin,
    move_schema,
    read_body,
    required_perm,
)
from yiyang.core.apischema import errors
from yiyang.core.parsers import SafeJSONParser
from yiyang.elders.selectors import elder_get

READ_ERRORS = errors(401, 403, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ProgrammeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Programme]):
    """Programmes are published policy (city-wide data, not region-scoped rows)."""

    serializer_class = ProgrammeSerializer
    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"list": "benefits.view"}
    pagination_class = None
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Programme]:
        return selectors.programme_list()

    @extend_schema(
        responses={200: ProgrammeSerializer(many=True), **errors(401, 403)},
        summary="津贴补贴项目（含年龄档次）",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class EnrolmentViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[Enrolment],
):
    serializer_class = EnrolmentSerializer
    move_subject = "enrolment"
    parser_classes = [SafeJSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "benefits.view",
        "retrieve": "benefits.view",
        "create": "benefits.confirm",
        "confirm": "benefits.confirm",
        "reject": "benefits.confirm",
    }

    def get_queryset(self) -> QuerySet[Enrolment]:
        return selectors.enrolment_list(user=self.request.user, perm=required_perm(self) or "")

    @extend_schema(
        request=EnrolmentApplySerializer,
        responses={201: EnrolmentSerializer, **WRITE_ERRORS},
        summary="申请津贴补贴（需证明材料的项目），待街道审核",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, EnrolmentApplySerializer)
        elder = elder_get(user=request.user, public_id=data["elder"], perm="benefits.confirm")
        if elder is None:
            raise NotFound("老人不存在或不在管辖范围内")
        enrolment = services.enrolment_apply(
            actor=request.user, elder=elder, programme_code=data["programme"], note=data["note"]
        )
        return self.render_moved(enrolment, 201)

    def render_moved(self, enrolment: Enrolment, code: int = 200) -> Response:
        return Response(EnrolmentSerializer(enrolment).data, status=code)

    @move_schema(EnrolmentConfirmSerializer, "街道确认（一键）", EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, id: str) -> Response:
        return self.move(services.enrolment_confirm, EnrolmentConfirmSerializer)

    @move_schema(EnrolmentRejectSerializer, "不予认定（须填原因）", EnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, id: str) -> Response:
        return self.move(services.enrolment_reject, EnrolmentRejectSerializer)


class PaymentRunViewSet(
    ScopedViewMixin,
    TransitionActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[PaymentRun],
):
    serializer_class = PaymentRunSerializer
    move_subject = "run"
    parser_classes = [SafeJSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "benefits.view",
        "retrieve": "benefits.view",
        "create": "benefits.run",
        "approve": "benefits.approve",
        "mark_paid": "benefits.approve",
        "return_line": "benefits.approve",
        "bank_xlsx": "benefits.bank_file",
        "bank_csv": "benefits.bank_file",
    }

    def get_queryset(self) -> QuerySet[PaymentRun]:
        return selectors.run_list(user=self.request.user, perm=required_perm(self) or "")

    def get_serializer_class(self) -> Any:
        return PaymentRunSerializer if self.action == "list" else PaymentRunDetailSerializer

    def render_moved(self, run: PaymentRun, code: int = 200) -> Response:
        fresh = selectors.run_list(user=self.request.user, perm="benefits.view").get(pk=run.pk)
        lines = selectors.run_lines(user=self.request.user, run=fresh)
        return Response(PaymentRunDetailSerializer(fresh, context={"lines": lines}).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.render_moved(self.get_object())

    @extend_schema(
        request=PaymentRunCreateSerializer,
        responses={
            201: PaymentRunDetailSerializer,
            200: OpenApiResponse(PaymentRunDetailSerializer, description="已生成过，返回同一发放名单"),
            **WRITE_ERRORS,
        },
        summary="生成某项目某县（区）某月的发放名单（重复请求返回同一名单）",
    )
    def create(self, request: Request) -> Response:
        data = read_body(request, PaymentRunCreateSerializer)
        run, created = services.payment_run_create(
            actor=request.user,
            programme_code=data["programme"],
            region_code=data["region_code"],
            month=data["month"],
        )
        return self.render_moved(run, 201 if created else 200)

    @move_schema(None, "复核（须另一名工作人员）", PaymentRunDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, id: str) -> Response:
        return self.move(services.payment_run_approve)

    @move_schema(None, "银行已发放", PaymentRunDetailSerializer)
    @action(detail=True, methods=["post"], url_path="mark-paid")
    def mark_paid(self, request: Request, id: str) -> Response:
        return self.move(services.payment_run_mark_paid)

    @extend_schema(
        request=PaymentLineReturnSerializer,
        responses={200: PaymentRunDetailSerializer, **WRITE_ERRORS},
        summary="标记一笔被银行退回",
    )
    @action(detail=True, methods=["post"], url_path="return-line")
    def return_line(self, request: Request, id: str) -> Response:
        run = self.get_object()
        data = read_body(request, PaymentLineReturnSerializer)
        line = selectors.line_get(user=request.user, public_id=data["line"], perm="benefits.approve")
        if line is None or line.run_id != run.pk:
            raise NotFound("该明细不存在或不属于此名单")
        services.payment_line_return(actor=request.user, line=line, reason=data["reason"])
        return self.render_moved(run)

    def _file(self, fmt: str) -> HttpResponse:
        run = self.get_object()
        body = services.payment_run_bank_file(actor=self.request.user, run=run, fmt=fmt)
        ctype = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=ctype)
        response["Content-Disposition"] = (
            f'attachment; filename="bank-{run.programme_code}-{run.month}.{fmt}"'
        )
        return response

    @extend_schema(
        responses={(200, XLSX): OpenApiTypes.BINARY, **WRITE_ERRORS},
        summary="银行代发文件 .xlsx（含完整身份证号，留痕）",
    )
    @action(detail=True, methods=["get"], url_path="bank-file-xlsx")
    def bank_xlsx(self, request: Request, id: str) -> HttpResponse:
        return self._file("xlsx")

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **WRITE_ERRORS},
        summary="银行代发文件 .csv（含完整身份证号，留痕）",
    )
    @action(detail=True, methods=["get"], url_path="bank-file-csv")
    def bank_csv(self, request: Request, id: str) -> HttpResponse:
        return self._file("csv")


class ElderBenefitsView(APIView):
    """An elder's enrolments and payments; the elder must be in the user's scope (else 404)."""

    permission_classes = [ActionPermission]
    permission_map: ClassVar[dict[str, str]] = {"get": "benefits.view"}

    @extend_schema(
        responses={200: ElderBenefitsSerializer, **READ_ERRORS},
        summary="老人的津贴补贴（享受情况与发放记录）",
    )
    def get(self, request: Request, id: str) -> Response:
        elder = elder_get(user=request.user, public_id=id, perm="benefits.view")
        if elder is None:
            raise NotFound("老人不存在或不在管辖范围内")
        return Response(ElderBenefitsSerializer(selectors.elder_benefits(elder=elder)).data)
