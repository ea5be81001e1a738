"""Serializers of the assessment API. The score request's description is generated from the item banks
(``scoring.describe``) so the OpenAPI schema always lists the real item codes and allowed scores."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from yiyang.assessments import rules
from yiyang.assessments.models import (
    STANDARD_CHOICES,
    Assessment,
    AssessmentAgency,
    ExternalAssessmentResult,
    Reason,
    SignatureRole,
)
from yiyang.assessments.scoring import STANDARDS, describe
from yiyang.core.apifields import RegionCodeField, UsccField
from yiyang.core.validators import NameValidator


def _items_doc() -> str:
    lines = []
    for standard in STANDARDS:
        d = describe(standard)
        items = [
            f"`{i['code']}` {i['name']} ({'/'.join(str(a) for a in i['allowed'])})"
            for g in d["groups"]
            for i in g["items"]
        ]
        lines.append(f"- **{standard}** ({d['version']}): " + "; ".join(items))
    return "\n".join(lines)


def _flags_doc() -> str:
    return "\n".join(
        f"- `{f['name']}` ({f['type']}, default {str(f['default']).lower()}): {f['description']}"
        for f in describe("gbt42195")["flags"]
    )


SCORE_DESCRIPTION = (
    "Scores one set of answers without saving. `answers` maps each item code to an integer score "
    "(all items of the standard are required); `flags` and `options` are optional.\n\n"
    "Item codes and allowed scores per standard:\n" + _items_doc() + "\n\n"
    "Flags (all optional; for mzt039 `B3.1 = 3` is coma as well):\n" + _flags_doc() + "\n\n"
    "Options:\n- `cumulative` (bool, default true): the diagnosis and risk-event rules each raise one level "
    "(true) or together at most one level (false) — STANDARDS.md §1.5/§2.6.\n\n"
    "Errors: 400 with `errors` keyed by item code (`B1.1`), `flags.<name>`, `options.<name>` or `standard`, "
    "each message naming the allowed values."
)


def _score_request_schema() -> dict[str, Any]:
    """The score request as JSON Schema, one variant per standard (``oneOf`` on ``standard``): every item
    of that standard required with its allowed scores, no other item, flags and options by name — what
    ``scoring.score`` accepts and nothing else."""
    variants = []
    for standard in STANDARDS:
        d = describe(standard)
        items = [i for g in d["groups"] for i in g["items"]]
        flags = {
            f["name"]: {"type": "boolean"} if f["type"] == "bool" else {"type": "integer", "minimum": 0}
            for f in d["flags"]
        }
        options = {o["name"]: {"type": "boolean"} for o in d["options"]}
        variants.append(
            {
                "type": "object",
                "title": standard,
                "required": ["standard", "answers"],
                "properties": {
                    "standard": {"type": "string", "enum": [standard]},
                    "answers": {
                        "type": "object",
                        "required": [i["code"] for i in items],
                        "properties": {i["code"]: {"type": "integer", "enum": i["allowed"]} for i in items},
                        "additionalProperties": False,
                    },
                    "flags": {
                        "type": "object",
                        "nullable": True,
                        "properties": flags,
                        "additionalProperties": False,
                    },
                    "options": {
                        "type": "object",
                        "nullable": True,
                        "properties": options,
                        "additionalProperties": False,
                    },
                },
            }
        )
    return {"oneOf": variants}


SCORE_REQUEST_SCHEMA = _score_request_schema()


class ScoreFlagsSerializer(serializers.Serializer[Any]):
    coma = serializers.BooleanField(required=False, default=False, help_text="昏迷（A.5.11 有）")
    dementia = serializers.BooleanField(required=False, default=False, help_text="痴呆 ICD-10 F00–F03")
    mental_disorder = serializers.BooleanField(
        required=False, default=False, help_text="其他精神和行为障碍 F04–F99（精神科专科医生诊断）"
    )
    risk_events_30d = serializers.IntegerField(
        required=False, default=0, min_value=0, help_text="近30天照护风险事件次数合计（3次及以上按3计）"
    )


class ScoreOptionsSerializer(serializers.Serializer[Any]):
    cumulative = serializers.BooleanField(
        required=False, default=True, help_text="诊断与风险事件两条提级规则是否累加"
    )


class ScoreGradesSerializer(serializers.Serializer[Any]):
    adl = serializers.IntegerField(help_text="日常生活活动分级 0–3")
    mental = serializers.IntegerField(help_text="精神状态分级 0–3")
    sensory = serializers.IntegerField(help_text="感知觉与沟通分级 0–3")
    social = serializers.IntegerField(help_text="社会参与分级 0–3")


class ScoreResultSerializer(serializers.Serializer[Any]):
    standard = serializers.CharField()
    version = serializers.CharField(help_text="标准版本 / 规则配置版本")
    total = serializers.IntegerField(allow_null=True, help_text="总分（mzt039 为 null）")
    subtotals = serializers.DictField(
        child=serializers.IntegerField(), help_text='一级指标小计，如 {"B1": 32}'
    )
    grades = ScoreGradesSerializer(allow_null=True, help_text="mzt039 各维度分级；其他标准为 null")
    preliminary_level = serializers.IntegerField(help_text="初步等级")
    final_level = serializers.IntegerField(help_text="最终等级（tekun6：0 具备 / 1 部分丧失 / 2 完全丧失）")
    label = serializers.CharField(help_text="等级名称")  # type: ignore[assignment]
    label_code = serializers.CharField()
    rules_applied = serializers.ListField(
        child=serializers.CharField(),
        help_text="生效的等级变更规则代码，如 coma / diagnosis / risk_events / cap",
    )


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.UUIDField(source="public_id")
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


class SignatureSerializer(serializers.Serializer[Any]):
    role = serializers.CharField()
    name = serializers.CharField()
    drawn = serializers.SerializerMethodField()
    signed_at = serializers.DateTimeField()

    def get_drawn(self, obj: Any) -> bool:
        return bool(obj.image)


class TimelineSerializer(serializers.Serializer[Any]):
    old_status = serializers.CharField(source="from_status")
    new_status = serializers.CharField(source="to_status")
    old_status_label = serializers.CharField(source="from_label")
    new_status_label = serializers.CharField(source="to_label")
    actor = serializers.CharField(source="actor_name")
    note = serializers.CharField(source="reason")
    at = serializers.DateTimeField()


class AssessmentListSerializer(serializers.ModelSerializer[Assessment]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder_id = serializers.UUIDField(source="elder.public_id", read_only=True)
    elder_name = serializers.CharField(source="elder.name", read_only=True)
    region_code = serializers.CharField(source="elder.region_id", read_only=True)
    agency = serializers.CharField(source="agency.name", read_only=True, allow_null=True, default=None)
    assessors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = Assessment
        fields = [
            "id",
            "elder_id",
            "elder_name",
            "region_code",
            "standard",
            "reason",
            "reason_note",
            "source",
            "home_visit",
            "status",
            "agency",
            "assessors",
            "total",
            "preliminary_level",
            "final_level",
            "label",
            "assessed_on",
            "valid_until",
            "next_routine_on",
            "requested_at",
            "completed_at",
        ]


class AssessmentSerializer(AssessmentListSerializer):
    signatures = SignatureSerializer(many=True, read_only=True)
    timeline = TimelineSerializer(many=True, read_only=True, source="events")
    flags = serializers.SerializerMethodField()
    rules_applied = serializers.SerializerMethodField()

    class Meta(AssessmentListSerializer.Meta):
        fields = [
            *AssessmentListSerializer.Meta.fields,
            "answers",
            "health",
            "diagnoses",
            "risk_events",
            "options",
            "flags",
            "informant_name",
            "informant_relation",
            "result",
            "rules_applied",
            "signatures",
            "timeline",
        ]

    def get_flags(self, obj: Assessment) -> ScoreFlagsSerializer:
        return rules.derive_flags(
            health=obj.health,
            diagnoses=obj.diagnoses,  # type: ignore[return-value]
            risk_events=obj.risk_events,
        )

    def get_rules_applied(self, obj: Assessment) -> list[str]:
        return list((obj.result or {}).get("rules_applied", []))


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField(help_text="老人 id")
    reason = serializers.ChoiceField(choices=Reason.choices)
    standard = serializers.ChoiceField(
        choices=STANDARD_CHOICES, required=False, help_text="缺省取所在区域评估政策的标准"
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    home_visit = serializers.BooleanField(required=False, default=True)


class AssignSerializer(serializers.Serializer[Any]):
    agency = serializers.UUIDField(help_text="评估机构 id")
    assessors = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=10,
        help_text="评估员用户 id（人数不少于区域政策要求，上门评估不少于 2 人）",
    )


class AnswersSerializer(serializers.Serializer[Any]):
    answers = serializers.DictField(
        child=serializers.IntegerField(), help_text="部分或全部评估项目的分值，按项目代码；可多次保存"
    )


class RecordSerializer(serializers.Serializer[Any]):
    health = serializers.DictField(
        required=False, help_text='A.5 健康相关问题，如 {"A5.11": "有"}；多选项为列表'
    )
    diagnoses = serializers.ListField(
        child=serializers.JSONField(),
        required=False,
        max_length=40,
        help_text='疾病诊断：目录代码（如 "dementia"）或 {code, icd10}',
    )
    risk_events = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=3),
        required=False,
        help_text="近30天风险事件次数：fall/wander/choke/self_harm/other → 0–3",
    )
    informant_name = serializers.CharField(
        required=False, allow_blank=True, max_length=50, validators=[NameValidator("信息提供者")]
    )
    informant_relation = serializers.CharField(required=False, allow_blank=True, max_length=30)
    options = ScoreOptionsSerializer(required=False)


class SignSerializer(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=SignatureRole.choices)
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        default="",
        help_text="信息提供者姓名（评估员以本人账户签名）",
        validators=[NameValidator("签名人姓名")],
    )
    image = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=400_000,
        help_text="手写签名 PNG data URL；为空时以姓名 + 时间为签名",
    )


class SubmitSerializer(serializers.Serializer[Any]):
    assessed_on = serializers.DateField(required=False, help_text="评估日期，缺省为今天")


class CancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=200)


class AgencySerializer(serializers.ModelSerializer[AssessmentAgency]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    region_code = serializers.CharField(source="region_id", read_only=True)
    assessors = PersonSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentAgency
        fields = ["id", "name", "uscc", "region_code", "active", "assessors"]


class AgencyCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    uscc = UsccField(help_text="统一社会信用代码（GB 32100：18 位，末位为校验码）")
    region = RegionCodeField(help_text="区划代码（6 位或 12 位）")
    assessors = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)


class ExternalResultSerializer(serializers.ModelSerializer[ExternalAssessmentResult]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    elder_id = serializers.UUIDField(source="elder.public_id", read_only=True)

    class Meta:
        model = ExternalAssessmentResult
        fields = [
            "id",
            "elder_id",
            "source",
            "standard",
            "level",
            "label",
            "assessed_on",
            "valid_until",
            "document_ref",
            "recorded_at",
        ]


class ExternalResultCreateSerializer(serializers.Serializer[Any]):
    elder = serializers.UUIDField()
    source = serializers.CharField(  # type: ignore[assignment]
        max_length=60, help_text="评估主体，如 医保局长期护理失能评估 / 残联 / 卫健"
    )
    standard = serializers.ChoiceField(choices=STANDARD_CHOICES)
    level = serializers.IntegerField(min_value=0, max_value=9)
    label = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")  # type: ignore[assignment]
    assessed_on = serializers.DateField()
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    document_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class RecognizedLevelSerializer(serializers.Serializer[Any]):
    origin = serializers.ChoiceField(choices=["own", "external"])
    source = serializers.CharField()  # type: ignore[assignment]
    standard = serializers.CharField()
    level = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]
    assessed_on = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True)
    id = serializers.UUIDField()


class DiffSerializer(serializers.Serializer[Any]):
    same_standard = serializers.BooleanField()
    old = serializers.DictField()
    new = serializers.DictField()
    total_delta = serializers.IntegerField(allow_null=True)
    level_delta = serializers.IntegerField(allow_null=True)
    items = serializers.ListField(child=serializers.DictField())
    subtotals = serializers.ListField(child=serializers.DictField())
