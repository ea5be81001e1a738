"""Providers API (scoped) and the service catalog (city-wide data)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.core.api import ScopedViewMixin, required_perm
from yiyang.core.apischema import errors
from yiyang.providers.choices import CareHomeGrade, OrgType
from yiyang.providers.models import Certificate, Organisation, ServiceItem, Staff
from yiyang.providers.selectors import organisation_list, service_item_list, staff_list
from yiyang.providers.services import organisation_create


class CertificateSerializer(serializers.ModelSerializer[Certificate]):
    class Meta:
        model = Certificate
        fields = ["name", "level", "number", "valid_from", "valid_until"]


class StaffSerializer(serializers.ModelSerializer[Staff]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    certificates = CertificateSerializer(many=True, read_only=True)
    work_start = serializers.SerializerMethodField(help_text="HH:MM（当地时间）")
    work_end = serializers.SerializerMethodField(help_text="HH:MM（当地时间）")

    class Meta:
        model = Staff
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "skills",
            "certificates",
            "liability_insurance_until",
            "employment_status",
            "work_start",
            "work_end",
            "work_days",
            "max_daily_orders",
        ]

    def get_work_start(self, obj: Staff) -> str:
        return obj.work_start.strftime("%H:%M")

    def get_work_end(self, obj: Staff) -> str:
        return obj.work_end.strftime("%H:%M")


class OrganisationSerializer(serializers.ModelSerializer[Organisation]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    org_type_label = serializers.CharField(source="get_org_type_display", read_only=True)
    grade_label = serializers.CharField(source="get_grade_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    regions_served = serializers.SerializerMethodField()
    staff_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "uscc",
            "org_type",
            "org_type_label",
            "region",
            "regions_served",
            "grade",
            "grade_label",
            "phone",
            "address",
            "is_active",
            "staff_count",
        ]

    def get_regions_served(self, obj: Organisation) -> list[str]:
        return [r.code for r in obj.regions_served.all()]


class OrganisationCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    uscc = serializers.CharField(max_length=30)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    region = serializers.RegexField(r"^\d{12}$", help_text="登记所在地 12 位区划代码")
    regions_served = serializers.ListField(
        child=serializers.RegexField(r"^\d{12}$"), required=False, max_length=200
    )
    grade = serializers.ChoiceField(
        choices=CareHomeGrade.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="GB/T 37276 养老机构等级：1–5 即一级至五级",
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_view(
    list=extend_schema(
        summary="服务机构（管辖范围内）",
        responses={200: OrganisationSerializer(many=True), **errors(401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="服务机构详情", responses={200: OrganisationSerializer, **errors(401, 403, 404)}
    ),
)
class OrganisationViewSet(  # ScopedViewMixin's declared attributes (as in audit/regions)
    ScopedViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Organisation]
):
    serializer_class = OrganisationSerializer
    parser_classes = [JSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "providers.view",
        "retrieve": "providers.view",
        "staff": "providers.view",
        "create": "providers.register",
    }

    def get_queryset(self) -> QuerySet[Organisation]:
        return organisation_list(user=self.request.user, perm=required_perm(self) or "")

    @extend_schema(
        request=OrganisationCreateSerializer,
        responses={201: OrganisationSerializer, **errors(400, 401, 403, 409)},
        summary="登记服务机构（统一社会信用代码按 GB 32100 校验）",
    )
    def create(self, request: Request) -> Response:
        s = OrganisationCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        org = organisation_create(
            actor=request.user,
            name=data["name"],
            uscc=data["uscc"],
            org_type=data["org_type"],
            region=data["region"],
            regions_served=list(data.get("regions_served") or [data["region"]]),
            grade=data["grade"],
            phone=data["phone"],
            address=data["address"],
        )
        return Response(OrganisationSerializer(self.get_queryset().get(pk=org.pk)).data, status=201)

    @extend_schema(
        responses={200: StaffSerializer(many=True), **errors(401, 403, 404)}, summary="机构服务人员"
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def staff(self, request: Request, id: str) -> Response:
        org = self.get_object()
        rows = staff_list(user=request.user, perm="providers.view").filter(organisation=org)
        return Response(StaffSerializer(rows, many=True).data)


class ServiceItemSerializer(serializers.ModelSerializer[ServiceItem]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "code",
            "name",
            "category",
            "category_label",
            "unit",
            "standard_minutes",
            "price_fen",
            "skills_required",
            "description",
        ]


class CatalogReader(permissions.BasePermission):
    """The catalog is public to everyone who orders, serves or manages services."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and (user.has_perm("orders.view") or user.has_perm("providers.view"))
        )


@extend_schema_view(
    list=extend_schema(
        summary="服务目录", responses={200: ServiceItemSerializer(many=True), **errors(401, 403, 404)}
    ),
    retrieve=extend_schema(
        summary="服务项目", responses={200: ServiceItemSerializer, **errors(401, 403, 404)}
    ),
)
class ServiceItemViewSet(viewsets.ReadOnlyModelViewSet[ServiceItem]):
    serializer_class = ServiceItemSerializer
    permission_classes = [CatalogReader]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ServiceItem]:
        return service_item_list()
