"""Serializers of the benefits API: strict inputs (unknown fields refused, months ``YYYY-MM``) and fully
described outputs, so the OpenAPI schema drives the fuzzing."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from yiyang.benefits.choices import (
    EnrolmentSource,
    EnrolmentStatus,
    LineKind,
    LineStatus,
    PaymentMode,
    ProgrammeKind,
    RunStatus,
)
from yiyang.benefits.models import Band, Enrolment, PaymentLine, PaymentRun, Programme
from yiyang.core.validators import MONTH_PATTERN, TextValidator, validate_month

CODE_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
COUNTY_PATTERN = r"^[0-9]{6}000000$"


class StrictInputSerializer(serializers.Serializer[Any]):
    """Refuses fields it does not know (a typo is an error, not silently ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({k: ["未知字段"] for k in unknown})
        return super().to_internal_value(data)


class StrictInputExtension(OpenApiSerializerExtension):
    """The schema says what the serializer enforces: no properties beyond the declared ones."""

    target_class = StrictInputSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


def month_field(**kwargs: Any) -> serializers.RegexField:
    return serializers.RegexField(MONTH_PATTERN, help_text="YYYY-MM", validators=[validate_month], **kwargs)


class ProgrammeBandSerializer(serializers.ModelSerializer[Band]):
    class Meta:
        model = Band
        fields = ["age_min", "age_max", "monthly_fen"]


@extend_schema_serializer(component_name="BenefitProgramme")
class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    kind = serializers.ChoiceField(choices=ProgrammeKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    payment_mode = serializers.ChoiceField(choices=PaymentMode.choices, read_only=True)
    valid_to = serializers.CharField(read_only=True, allow_blank=True)
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    bands = ProgrammeBandSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "kind_label",
            "region_code",
            "region_name",
            "version",
            "valid_from",
            "valid_to",
            "first_month",
            "payment_mode",
            "automatic",
            "requires_confirmation",
            "min_age",
            "categories",
            "min_capability_level",
            "carry_over",
            "bands",
        ]
        read_only_fields = fields


class EligibilityRuleSerializer(serializers.Serializer[Any]):
    rule = serializers.CharField()
    ok = serializers.BooleanField()
    detail = serializers.CharField()


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    programme = serializers.CharField(source="programme_code", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    source = serializers.ChoiceField(choices=EnrolmentSource.choices, read_only=True)  # type: ignore[assignment]
    to_month = serializers.CharField(read_only=True, allow_blank=True)
    explanation = EligibilityRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "elder",
            "elder_name",
            "programme",
            "programme_name",
            "status",
            "status_label",
            "source",
            "from_month",
            "to_month",
            "explanation",
        ]
        read_only_fields = fields


class ElderEnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    programme = serializers.CharField(source="programme_code", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    status = serializers.ChoiceField(choices=EnrolmentStatus.choices, read_only=True)
    to_month = serializers.CharField(read_only=True, allow_blank=True)
    explanation = EligibilityRuleSerializer(many=True, read_only=True)

    class Meta:
        model = Enrolment
        fields = ["programme", "programme_name", "status", "from_month", "to_month", "explanation"]
        read_only_fields = fields


class ElderPaymentSerializer(serializers.ModelSerializer[PaymentLine]):
    programme = serializers.CharField(source="programme_code", read_only=True)
    kind = serializers.ChoiceField(choices=LineKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=LineStatus.choices, read_only=True)
    run = serializers.UUIDField(source="run.public_id", read_only=True)

    class Meta:
        model = PaymentLine
        fields = ["programme", "month", "amount_fen", "kind", "status", "run"]
        read_only_fields = fields


class ElderBenefitsSerializer(serializers.Serializer[Any]):
    enrolments = ElderEnrolmentSerializer(many=True, read_only=True)
    payments = ElderPaymentSerializer(many=True, read_only=True)


class PaymentLineSerializer(serializers.ModelSerializer[PaymentLine]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    id_number_masked = serializers.CharField(source="elder.id_number_masked", read_only=True)
    kind = serializers.ChoiceField(choices=LineKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=LineStatus.choices, read_only=True)

    class Meta:
        model = PaymentLine
        fields = [
            "id",
            "elder",
            "elder_name",
            "id_number_masked",
            "month",
            "amount_fen",
            "kind",
            "band",
            "status",
            "reason",
        ]
        read_only_fields = fields


class PaymentRunSerializer(serializers.ModelSerializer[PaymentRun]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    programme = serializers.CharField(source="programme_code", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    status = serializers.ChoiceField(choices=RunStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    created_by = serializers.CharField(
        source="created_by.display_name", read_only=True, allow_null=True, default=None
    )
    approved_by = serializers.CharField(
        source="approved_by.display_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PaymentRun
        fields = [
            "id",
            "programme",
            "programme_name",
            "region_code",
            "month",
            "status",
            "status_label",
            "total_fen",
            "created_by",
            "approved_by",
            "created_at",
        ]
        read_only_fields = fields


class PaymentRunDetailSerializer(PaymentRunSerializer):
    lines = serializers.SerializerMethodField()

    class Meta(PaymentRunSerializer.Meta):
        fields = [*PaymentRunSerializer.Meta.fields, "lines"]
        read_only_fields = fields

    @extend_schema_field(PaymentLineSerializer(many=True))
    def get_lines(self, run: PaymentRun) -> list[dict[str, Any]]:
        lines = self.context.get("lines")
        rows = lines if lines is not None else run.lines.select_related("elder").order_by("pk")
        return PaymentLineSerializer(rows, many=True).data  # type: ignore[return-value]


class PaymentRunCreateSerializer(StrictInputSerializer):
    programme = serializers.RegexField(CODE_PATTERN, help_text="补贴编码，如 age_allowance")
    region_code = serializers.RegexField(COUNTY_PATTERN, help_text="县（区）12 位区划代码")
    month = month_field()


class PaymentLineReturnSerializer(StrictInputSerializer):
    line = serializers.UUIDField()
    reason = serializers.CharField(
        max_length=200, help_text="退回原因", validators=[TextValidator("原因", 200, False)]
    )


class EnrolmentConfirmSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator("说明", 300, False)],
    )


class EnrolmentRejectSerializer(StrictInputSerializer):
    reason = serializers.CharField(
        max_length=300, help_text="原因", validators=[TextValidator("原因", 300, False)]
    )


class EnrolmentApplySerializer(StrictInputSerializer):
    elder = serializers.UUIDField()
    programme = serializers.RegexField(CODE_PATTERN)
    note = serializers.CharField(
        max_length=200,
        help_text="证明材料说明",
        validators=[TextValidator("证明材料说明", 200, False)],
    )
