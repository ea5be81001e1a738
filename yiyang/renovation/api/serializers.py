"""Renovation API serializers: strict (a string is a string, a boolean a boolean), every field described
for the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yiyang.core.apifields import (
    StrictBooleanField,
    StrictCharField,
    StrictDateField,
    StrictIntegerField,
    StrictUUIDField,
)
from yiyang.core.validators import NameValidator, TextValidator
from yiyang.renovation.choices import (
    ITEM_CODE_CHOICES,
    SIGN_RELATION_CHOICES,
    Applicant,
    ApplicationStatus,
    CatalogCategory,
    ClaimStatus,
    Feb29Rule,
    GrantSource,
    PhotoKind,
    ProgrammeStatus,
    RuleCode,
)
from yiyang.renovation.models import (
    Application,
    ApplicationEvent,
    CatalogItem,
    Objection,
    Photo,
    PlanItem,
    Programme,
    Quota,
    WarrantyClaim,
)

MAX_FEN = 100_000_000  # 1,000,000 yuan: far above any household's renovation


# --- programmes and catalog ----------------------------------------------------------------------------


class CatalogItemSerializer(serializers.ModelSerializer[CatalogItem]):
    category = serializers.ChoiceField(choices=CatalogCategory.choices, help_text="类别代码 C1–C7")
    category_label = serializers.CharField(source="get_category_display")

    class Meta:
        model = CatalogItem
        fields = [
            "seq",
            "code",
            "category",
            "category_label",
            "name",
            "content",
            "basic",
            "reference_price_fen",
        ]


class QuotaSerializer(serializers.ModelSerializer[Quota]):
    county_code = serializers.CharField(source="county_id")
    county_name = serializers.CharField(source="county.name")

    class Meta:
        model = Quota
        fields = ["county_code", "county_name", "households"]


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=ProgrammeStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    region_name = serializers.CharField(source="region.name")
    feb29_rule = serializers.ChoiceField(choices=Feb29Rule.choices)
    target_categories = serializers.ListField(child=serializers.CharField(), help_text="对象类别代码")
    accepted_levels = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="各评估标准中认定为失能的等级（特困六项 4 项以上不能完成始终认定）",
    )
    quotas = QuotaSerializer(many=True, read_only=True)
    copied_from = serializers.UUIDField(source="copied_from.public_id", allow_null=True, default=None)

    class Meta:
        model = Programme
        fields = [
            "id",
            "year",
            "version",
            "name",
            "status",
            "status_label",
            "region_code",
            "region_name",
            "cap_fen",
            "publicity_days",
            "warranty_years",
            "age_threshold",
            "feb29_rule",
            "target_categories",
            "accepted_levels",
            "quotas",
            "copied_from",
        ]


class ProgrammeCopySerializer(serializers.Serializer[Any]):
    year = StrictIntegerField(
        min_value=2000, max_value=2100, required=False, help_text="新项目年度；缺省为同一年度的新版本"
    )


class QuotaInputSerializer(serializers.Serializer[Any]):
    county = StrictCharField(min_length=12, max_length=12, help_text="区县的 12 位区划代码")
    households = StrictIntegerField(min_value=0, max_value=1_000_000)


# --- eligibility -----------------------------------------------------------------------------------------


class EligibilityInputSerializer(serializers.Serializer[Any]):
    programme = StrictUUIDField(help_text="项目 id")
    elder = StrictUUIDField(help_text="老人 id")
    application_date = StrictDateField(
        required=False, help_text="申请日期（计算年龄、类别与评估有效期）；缺省为今天"
    )
    housing_right = StrictBooleanField(
        required=False, help_text="对住房拥有产权或长期使用权；未提供视为未确认"
    )
    in_demolition_plan = StrictBooleanField(
        required=False, help_text="住房列入征收、拆迁计划；未提供视为未确认"
    )


class RuleSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=RuleCode.choices)
    passed = serializers.BooleanField()
    reason = serializers.CharField()


class EarlierGrantSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[("application", "本平台申请"), ("external", "他部门补贴")])
    id = serializers.CharField()
    name = serializers.CharField(help_text="项目名称")
    year = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source


class EligibilitySerializer(serializers.Serializer[Any]):
    eligible = serializers.BooleanField()
    rules = RuleSerializer(many=True)
    earlier_grant = EarlierGrantSerializer(allow_null=True)


class IneligibleSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    rules = RuleSerializer(many=True, required=False)
    earlier_grant = EarlierGrantSerializer(allow_null=True, required=False)


# --- applications ----------------------------------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer[Any]):
    programme = StrictUUIDField()
    elder = StrictUUIDField()
    application_date = StrictDateField(required=False, help_text="缺省为今天")
    housing_right = StrictBooleanField()
    in_demolition_plan = StrictBooleanField()
    applicant = serializers.ChoiceField(choices=Applicant.choices, required=False, default=Applicant.ELDER)
    applicant_name = StrictCharField(
        max_length=50,
        required=False,
        allow_blank=True,
        default="",
        validators=[NameValidator("申请人姓名", 50)],
    )


class RenovationRefSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class ProgrammeRefSerializer(RenovationRefSerializer):
    year = serializers.IntegerField()
    cap_fen = serializers.IntegerField()


class PhotoSerializer(serializers.ModelSerializer[Photo]):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=PhotoKind.choices)
    url = serializers.CharField(help_text="照片地址（按管辖范围提供）")
    thumbnail_url = serializers.CharField(help_text="缩略图地址")

    class Meta:
        model = Photo
        fields = [
            "id",
            "kind",
            "url",
            "thumbnail_url",
            "taken_at",
            "lat",
            "lng",
            "uploaded_by",
            "uploaded_at",
        ]


class PlanItemSerializer(serializers.ModelSerializer[PlanItem]):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    category = serializers.ChoiceField(source="item.category", choices=CatalogCategory.choices)
    basic = serializers.BooleanField(source="item.basic")
    photos = PhotoSerializer(many=True)

    class Meta:
        model = PlanItem
        fields = [
            "code",
            "name",
            "category",
            "basic",
            "included",
            "quantity",
            "unit_price_fen",
            "not_applicable_reason",
            "done",
            "actual_cost_fen",
            "work_note",
            "photos",
        ]


class ObjectionSerializer(serializers.ModelSerializer[Objection]):
    class Meta:
        model = Objection
        fields = ["text", "raised_by", "raised_at", "ruling"]


class ClaimSerializer(serializers.ModelSerializer[WarrantyClaim]):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=ClaimStatus.choices)

    class Meta:
        model = WarrantyClaim
        fields = ["id", "description", "status", "reported_on", "repaired_on", "repair_note"]


class RenovationEventSerializer(serializers.ModelSerializer[ApplicationEvent]):
    old = serializers.CharField(source="from_status")
    new = serializers.CharField(source="to_status")
    old_label = serializers.CharField(source="from_label")
    new_label = serializers.CharField(source="to_label")
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = ApplicationEvent
        fields = ["old", "new", "old_label", "new_label", "actor", "reason", "at"]


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    id = serializers.UUIDField(source="public_id")
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField(source="get_status_display")
    programme = ProgrammeRefSerializer()
    elder = RenovationRefSerializer()
    applicant = serializers.ChoiceField(choices=Applicant.choices)

    class Meta:
        model = Application
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "programme",
            "elder",
            "region_code",
            "application_date",
            "applicant",
            "applicant_name",
            "actual_cost_fen",
            "subsidy_fen",
            "household_fen",
            "created_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    eligibility = EligibilitySerializer()
    contractor = RenovationRefSerializer(allow_null=True)
    supervisor = RenovationRefSerializer(allow_null=True)
    plan = PlanItemSerializer(source="plan_items", many=True)
    objections = ObjectionSerializer(many=True)
    claims = ClaimSerializer(many=True)
    timeline = RenovationEventSerializer(source="events", many=True)
    signed_relation = serializers.CharField()

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "housing_right",
            "in_demolition_plan",
            "eligibility",
            "publicity_from",
            "publicity_until",
            "contractor",
            "supervisor",
            "assessment_note",
            "assessor_name",
            "assessed_on",
            "plan",
            "signed_by",
            "signed_relation",
            "signed_on",
            "started_on",
            "completed_on",
            "accepted_on",
            "acceptance_note",
            "street_inspector",
            "supervisor_inspector",
            "paid_on",
            "payment_ref",
            "warranty_until",
            "closing_reason",
            "objections",
            "claims",
            "timeline",
        ]


# --- action bodies ---------------------------------------------------------------------------------------


def _text(label: str, n: int, *, required: bool = True, multiline: bool = True) -> Any:
    if required:
        return StrictCharField(max_length=n, min_length=1, validators=[TextValidator(label, n, multiline)])
    return StrictCharField(
        max_length=n,
        required=False,
        allow_blank=True,
        default="",
        validators=[TextValidator(label, n, multiline)],
    )


def _name(label: str) -> Any:
    return StrictCharField(max_length=50, min_length=1, validators=[NameValidator(label, 50)])


class NoteSerializer(serializers.Serializer[Any]):
    note = _text("意见", 300, required=False)


class RenovationReasonSerializer(serializers.Serializer[Any]):
    reason = _text("原因", 300)


class ObjectionInputSerializer(serializers.Serializer[Any]):
    text = _text("异议内容", 500)
    raised_by = StrictCharField(
        max_length=50, required=False, allow_blank=True, default="", validators=[NameValidator("异议人", 50)]
    )


class ClosePublicitySerializer(serializers.Serializer[Any]):
    ruling = _text("异议处理意见", 300, required=False)


class ApproveSerializer(serializers.Serializer[Any]):
    contractor = StrictUUIDField(help_text="施工单位（服务机构）id")
    supervisor = StrictUUIDField(help_text="监理单位（服务机构）id")
    note = _text("审批意见", 300, required=False)


class AssessSerializer(serializers.Serializer[Any]):
    note = _text("评估记录", 1000)
    assessor_name = _name("评估人员")
    assessed_on = StrictDateField(required=False)


class PlanLineSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=ITEM_CODE_CHOICES)
    included = StrictBooleanField(required=False, default=True)
    quantity = StrictIntegerField(min_value=0, max_value=99, required=False, default=1)
    unit_price_fen = StrictIntegerField(
        min_value=0, max_value=MAX_FEN, required=False, help_text="缺省为参考价"
    )
    not_applicable_reason = _text("不适用原因", 200, required=False)


class PlanSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(child=PlanLineSerializer(), min_length=1, max_length=30)


class RenovationSignSerializer(serializers.Serializer[Any]):
    signed_by = _name("签字人")
    relation = serializers.ChoiceField(choices=SIGN_RELATION_CHOICES)


class DoneLineSerializer(serializers.Serializer[Any]):
    code = serializers.ChoiceField(choices=ITEM_CODE_CHOICES)
    done = StrictBooleanField(required=False, default=True)
    actual_cost_fen = StrictIntegerField(
        min_value=0, max_value=MAX_FEN, required=False, help_text="缺省为方案金额"
    )
    work_note = _text("施工记录", 300, required=False)


class CompleteSerializer(serializers.Serializer[Any]):
    items = serializers.ListField(child=DoneLineSerializer(), min_length=1, max_length=30)


class AcceptSerializer(serializers.Serializer[Any]):
    passed = StrictBooleanField()
    note = _text("验收意见", 500)
    street_inspector = _name("街道验收人")
    supervisor_inspector = _name("监理验收人")


class PaySerializer(serializers.Serializer[Any]):
    payment_ref = _text("拨付凭证号", 50, required=False, multiline=False)


class ClaimInputSerializer(serializers.Serializer[Any]):
    description = _text("报修内容", 500)


class RepairSerializer(serializers.Serializer[Any]):
    claim = StrictUUIDField()
    note = _text("维修记录", 500)


class GrantInputSerializer(serializers.Serializer[Any]):
    elder = StrictUUIDField()
    source = serializers.ChoiceField(choices=GrantSource.choices)  # type: ignore[assignment]
    programme_name = _text("项目名称", 100, multiline=False)
    year = StrictIntegerField(min_value=2000, max_value=2100)
