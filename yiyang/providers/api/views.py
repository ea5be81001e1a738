"""Providers API (scoped) and the service catalog (city-wide data)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from yiyang.core.api import ScopedViewMixin, required_perm
from yiyang.core.apifields import PhoneField, UsccField
from yiyang.core.apischema import errors
from yiyang.core.errors import missing_reference
from yiyang.core.parsers import SafeJSONParser
from yiyang.providers.choices import CareHomeGrade, OrgType
from yiyang.providers.models import Certificate, Organisation, ServiceItem, ServicePriceOverride, Staff
from yiyang.providers.selectors import organisation_list, service_item_get, service_item_list, staff_list
from yiyang.providers.services import organisation_create, service_price_override_set
from yiyang.regions.models import Region


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
    uscc = UsccField(help_text="统一社会信用代码（GB 32100：18 位，末位为校验码）")
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
    phone = PhoneField(required=False, allow_blank=True, default="")
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
    parser_classes = [SafeJSONParser]
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


# A county code: 2 province digits (not 00), 2 prefecture digits, 2 county digits (not 00), then nothing
# or six zeros (the 12-digit form).
COUNTY_CODE_PATTERN = r"^(0[1-9]|[1-9][0-9])[0-9]{2}(0[1-9]|[1-9][0-9])(000000)?$"


class PriceOverrideSerializer(serializers.ModelSerializer[ServicePriceOverride]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    service_item = serializers.UUIDField(source="service_item.public_id", read_only=True)
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    guide_price_fen = serializers.IntegerField(source="service_item.price_fen", read_only=True)
    county = serializers.CharField(source="region_code", read_only=True)

    class Meta:
        model = ServicePriceOverride
        fields = [
            "id",
            "service_item",
            "service_item_name",
            "county",
            "price_fen",
            "guide_price_fen",
            "updated_at",
        ]


class PriceOverrideSetSerializer(serializers.Serializer[Any]):
    service_item = serializers.UUIDField(help_text="服务项目 id（市级须已允许区县定价，否则 409）")
    county = serializers.RegexField(COUNTY_CODE_PATTERN, help_text="区县代码（6 或 12 位）")
    price_fen = serializers.IntegerField(min_value=0, max_value=100_000_000, help_text="本区县价格（分）")


@extend_schema_view(
    list=extend_schema(
        summary="区县服务价格（管辖范围内）",
        responses={200: PriceOverrideSerializer(many=True), **errors(401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="单个区县服务价格", responses={200: PriceOverrideSerializer, **errors(401, 403, 404)}
    ),
    destroy=extend_schema(
        summary="取消本区县价格（恢复市级指导价）",
        responses={204: None, **errors(401, 403, 404, 409)},
    ),
)
class PriceOverrideViewSet(  # ScopedViewMixin's declared attributes (as in audit/regions)
    ScopedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[ServicePriceOverride],
):
    """A county's own prices for catalog items where the city allows them; orders in that county are
    priced with them. Writes go through ``service_price_override_set`` (``providers.price``)."""

    queryset = ServicePriceOverride.objects.select_related("service_item")
    serializer_class = PriceOverrideSerializer
    parser_classes = [SafeJSONParser]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_backends: list[Any] = []
    permission_map: ClassVar[dict[str, str]] = {
        "list": "providers.view",
        "retrieve": "providers.view",
        "create": "providers.price",
        "destroy": "providers.price",
    }

    @extend_schema(
        request=PriceOverrideSetSerializer,
        responses={
            200: PriceOverrideSerializer,
            201: PriceOverrideSerializer,
            **errors(400, 401, 403, 404, 409),
        },
        summary="设定本区县价格（已有则更新：200；新设：201）",
    )
    def create(self, request: Request) -> Response:
        s = PriceOverrideSetSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        item = service_item_get(public_id=data["service_item"])
        if item is None or not item.is_active:
            raise missing_reference("service_item", "服务项目不存在或已停用")
        code = data["county"].ljust(12, "0")
        county = Region.objects.filter(code=code, level=Region.Level.COUNTY).first()
        if county is None:
            raise missing_reference("county", "未找到该区县")
        existed = ServicePriceOverride.objects.filter(service_item=item, region_code=code).exists()
        row = service_price_override_set(
            actor=request.user, item=item, region=county, price_fen=data["price_fen"]
        )
        assert row is not None
        fresh = self.get_queryset().get(pk=row.pk)
        return Response(PriceOverrideSerializer(fresh).data, status=200 if existed else 201)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        service_price_override_set(
            actor=request.user, item=row.service_item, region=row.region_code, price_fen=None
        )
        return Response(status=204)
