from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.core.apifields import PhoneField, RegionCodeField, ResidentIdField
from yiyang.core.validators import NameValidator, TextValidator
from yiyang.elders.choices import (
    Category,
    DisabilityCertificate,
    ElderStatus,
    LivingSituation,
    Relation,
)
from yiyang.elders.identity import birthplace_warnings
from yiyang.elders.models import Elder, ElderCategory, ElderContact, ElderStatusChange
from yiyang.elders.selectors import elder_capability
from yiyang.elders.services import REVEALABLE


class WarningSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


class CategorySerializer(serializers.ModelSerializer[ElderCategory]):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    in_effect = serializers.SerializerMethodField()

    class Meta:
        model = ElderCategory
        fields = [
            "category",
            "category_label",
            "valid_from",
            "valid_to",
            "disability_certificate",
            "disability_kind",
            "disability_grade",
            "note",
            "in_effect",
        ]

    def get_in_effect(self, obj: ElderCategory) -> bool:
        return obj.is_valid_on()


class ContactSerializer(serializers.ModelSerializer[ElderContact]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = ElderContact
        fields = ["id", "name", "relation", "phone", "is_emergency", "has_login"]

    def get_has_login(self, obj: ElderContact) -> bool:
        return obj.user_id is not None


class CapabilitySerializer(serializers.Serializer[Any]):
    standard = serializers.CharField()
    level = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()  # type: ignore[assignment]
    assessed_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    moderate_plus = serializers.BooleanField()


class ElderSerializer(serializers.ModelSerializer[Elder]):
    """An elder as the API shows it: identifiers masked, 高龄 and age derived, birthplace warnings."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    phone = serializers.CharField(source="phone_masked", read_only=True)
    address = serializers.CharField(source="address_masked", read_only=True)
    region_code = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    hukou_region_code = serializers.CharField(source="hukou_region_id", read_only=True, allow_null=True)
    age = serializers.SerializerMethodField()
    is_advanced_age = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    categories = CategorySerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)
    capability = serializers.SerializerMethodField()

    class Meta:
        model = Elder
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "age",
            "is_advanced_age",
            "phone",
            "address",
            "region_code",
            "region_name",
            "hukou_region_code",
            "lat",
            "lng",
            "living_situation",
            "status",
            "status_date",
            "categories",
            "contacts",
            "capability",
            "notes",
            "warnings",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_age(self, obj: Elder) -> int:
        return obj.age()

    def get_is_advanced_age(self, obj: Elder) -> bool:
        return obj.age() >= 80

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, obj: Elder) -> list[dict[str, str]]:
        given = getattr(obj, "_warnings", None)
        if given is None:
            code = obj.id_number_masked[:6]
            cache = self.context.get("birthplace_cache")
            given = cache[code] if cache is not None and code in cache else birthplace_warnings(code)
        return [{"code": w.code, "message": w.message} for w in given]

    @extend_schema_field(CapabilitySerializer)
    def get_capability(self, obj: Elder) -> dict[str, Any]:
        return dict(elder_capability(obj))


class ElderListSerializer(ElderSerializer):
    class Meta(ElderSerializer.Meta):
        fields = [f for f in ElderSerializer.Meta.fields if f != "contacts"]
        read_only_fields = fields


class CategoryInputSerializer(serializers.Serializer[Any]):
    category = serializers.ChoiceField(choices=Category.choices)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_to = serializers.DateField(required=False, allow_null=True)
    disability_certificate = serializers.ChoiceField(
        choices=DisabilityCertificate.choices, required=False, allow_blank=True
    )
    disability_kind = serializers.CharField(required=False, allow_blank=True, max_length=20)
    disability_grade = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": list(Category.values)},
            {
                "type": "object",
                "required": ["category"],
                "properties": {
                    "category": {"type": "string", "enum": list(Category.values)},
                    "valid_from": {"type": "string", "format": "date", "nullable": True},
                    "valid_to": {"type": "string", "format": "date", "nullable": True},
                    "disability_certificate": {"type": "string", "enum": [*DisabilityCertificate.values, ""]},
                    "disability_kind": {"type": "string", "maxLength": 20},
                    "disability_grade": {"type": "integer", "minimum": 1, "maximum": 4, "nullable": True},
                    "note": {"type": "string", "maxLength": 200},
                },
            },
        ]
    }
)
class CategoryItemField(serializers.Field):
    """A category given as its plain code or as an object with validity and disability details."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            data = {"category": data}
        if not isinstance(data, dict):
            raise serializers.ValidationError("类别应为代码字符串或对象")
        inner = CategoryInputSerializer(data=data)
        inner.is_valid(raise_exception=True)
        return dict(inner.validated_data)

    def to_representation(self, value: Any) -> Any:
        return value


class ContactInputSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, validators=[NameValidator("联系人姓名")])
    relation = serializers.ChoiceField(choices=Relation.choices, required=False)
    phone = PhoneField(required=False, allow_blank=True)
    is_emergency = serializers.BooleanField(required=False)


class ElderWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=50, validators=[NameValidator("姓名")])
    id_number = ResidentIdField(help_text="身份证号码（GB 11643：18 位，末位校验码可为 X；或旧版 15 位）")
    phone = PhoneField(required=False, allow_blank=True)
    region_code = RegionCodeField()
    hukou_region_code = RegionCodeField(required=False, allow_blank=True, allow_null=True)
    address = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[TextValidator("居住地址", 200, False)]
    )
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    living_situation = serializers.ChoiceField(choices=LivingSituation.choices, required=False)
    categories = serializers.ListField(child=CategoryItemField(), required=False, max_length=20)
    contacts = ContactInputSerializer(many=True, required=False)
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, validators=[TextValidator("备注", 2000)]
    )


class ElderCreatedSerializer(ElderSerializer):
    pass


class RevealInputSerializer(serializers.Serializer[Any]):
    field = serializers.ChoiceField(choices=sorted(REVEALABLE))


class RevealOutputSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    value = serializers.CharField()


class StatusInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ElderStatus.choices)
    date = serializers.DateField(required=False)
    reason = serializers.CharField(max_length=200)

    def validate_date(self, value: Any) -> Any:
        if value and value > timezone.localdate():
            raise serializers.ValidationError("生效日期不能晚于今天")
        return value


class StatusChangeSerializer(serializers.ModelSerializer[ElderStatusChange]):
    old_status = serializers.CharField(source="from_status", read_only=True)
    new_status = serializers.CharField(source="to_status", read_only=True)
    old_status_label = serializers.CharField(source="from_label", read_only=True)
    new_status_label = serializers.CharField(source="to_label", read_only=True)
    actor = serializers.CharField(source="actor_name", read_only=True)
    effects = serializers.JSONField(source="data", read_only=True)

    class Meta:
        model = ElderStatusChange
        fields = [
            "old_status",
            "new_status",
            "old_status_label",
            "new_status_label",
            "effective_date",
            "reason",
            "actor",
            "at",
            "effects",
        ]
