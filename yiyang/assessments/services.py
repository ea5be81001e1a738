"""Writes of the assessment app. Every status change goes through the state machine (CAS) with a
timeline row and an audit event in the same transaction; the server computes every score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiyang.assessments import rules
from yiyang.assessments.models import (
    OPEN_STATUSES,
    Assessment,
    AssessmentAgency,
    AssessmentEvent,
    AssessmentPolicy,
    AssessmentSignature,
    ExternalAssessmentResult,
    Reason,
    RecognitionPolicy,
    SignatureRole,
    Status,
)
from yiyang.assessments.scoring import STANDARDS, ScoringError, describe, score
from yiyang.assessments.scoring.base import coerce_int
from yiyang.assessments.transitions import ASSESSMENT_MACHINE as MACHINE
from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError, Forbidden
from yiyang.core.hooks import ElderStatusChanged
from yiyang.core.identifiers import IdentifierError, validate_uscc
from yiyang.core.policy import policy_value
from yiyang.core.statemachine import IllegalTransition, timeline_write, transition
from yiyang.core.uniqueness import conflict_on_duplicate
from yiyang.elders.services import elder_set_capability
from yiyang.regions.scope import require_actor, require_scope

DEFAULT_POLICY = {
    "standard": "gbt42195",
    "assessors_required": 2,
}
HOME_VISIT_MIN_ASSESSORS = 2
PNG_PREFIX = "data:image/png;base64,"
MAX_SIGNATURE_CHARS = 400_000


class ScoringRefused(DomainError):
    """Answers that the scoring engine refuses; ``errors`` name the item and the allowed values."""

    code = "validation_error"


# ---------------------------------------------------------------- policy


def policy_for(region: Any) -> dict[str, Any]:
    """The policy of the most specific region on the path from ``region`` up (rules as data)."""
    chain: list[Any] = []
    node = region
    while node is not None:
        chain.append(node.code)
        node = node.parent
    # Intervals are policy values (``yiyang.core.policy``): MZ/T 039 4.3.5 sets 6 months by default.
    intervals = {
        "routine_interval_months": policy_value(
            "assessments.routine_interval", region.code if region else None
        ),
        "result_valid_months": policy_value("assessments.result_valid", region.code if region else None),
    }
    found = {p.region_id: p for p in AssessmentPolicy.objects.filter(region_id__in=chain)}
    for code in chain:
        if code in found:
            p = found[code]
            return {
                "standard": p.standard,
                "assessors_required": p.assessors_required,
                **intervals,
                "region": code,
            }
    return {**DEFAULT_POLICY, **intervals, "region": None}


def assessors_required(assessment: Assessment) -> int:
    required = int(policy_for(assessment.elder.region)["assessors_required"])
    return max(required, HOME_VISIT_MIN_ASSESSORS) if assessment.home_visit else max(required, 1)


def policy_set(*, region: Any, actor: Any, **values: Any) -> AssessmentPolicy:
    if values.get("standard", "gbt42195") not in STANDARDS:
        raise DomainError("评估标准无效", errors={"standard": [f"允许：{', '.join(STANDARDS)}"]})
    with transaction.atomic():
        require_scope(actor, "assessments.assign", region.code)
        policy, _ = AssessmentPolicy.objects.update_or_create(region=region, defaults=values)
        audit_record(actor=actor, region=region, event="assessments.policy", data=dict(values))
    return policy


# ---------------------------------------------------------------- items


@cache
def item_bank(standard: str) -> dict[str, dict[str, Any]]:
    """``{code: item}`` in the standard's order (items carry name, options, allowed)."""
    bank: dict[str, dict[str, Any]] = {}
    for group in describe(standard)["groups"]:
        for item in group["items"]:
            bank[item["code"]] = {**item, "group": group["code"], "group_name": group["name"]}
    return bank


def validate_partial_answers(standard: str, answers: Mapping[str, Any]) -> dict[str, int]:
    bank = item_bank(standard)
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for code, raw in answers.items():
        item = bank.get(code)
        if item is None:
            errors[code] = [f"未知评估项目 {code}（允许：{', '.join(bank)}）"]
            continue
        value = coerce_int(raw)
        allowed = item["allowed"]
        if value is None or value not in allowed:
            errors[code] = [f"{code} {item['name']} 的分值无效（允许：{', '.join(str(a) for a in allowed)}）"]
            continue
        clean[code] = value
    if errors:
        raise ScoringRefused("评估答案无效", errors=errors)
    return clean


# ---------------------------------------------------------------- agencies


def agency_create(
    *, name: str, uscc: str, region: Any, assessors: Iterable[Any] = (), actor: Any
) -> AssessmentAgency:
    try:
        code = validate_uscc(uscc)
    except IdentifierError as exc:
        raise DomainError(str(exc), errors={"uscc": [str(exc)]}) from exc
    if not name.strip():
        raise DomainError("请填写机构名称", errors={"name": ["请填写机构名称"]})
    with transaction.atomic():
        require_scope(actor, "assessments.assign", region.code)
        if AssessmentAgency.objects.filter(uscc=code).exists():
            raise Conflict(
                "该统一社会信用代码的评估机构已存在", code="duplicate", errors={"uscc": ["已存在"]}
            )
        agency = AssessmentAgency.objects.create(name=name.strip(), uscc=code, region=region)
        people = list(assessors)
        _check_assessor_role(people)
        _check_assessors_cover(people, region.code)
        agency.assessors.set(people)
        audit_record(
            actor=actor,
            region=region,
            event="assessments.agency_created",
            obj=agency,
            data={"name": agency.name},
        )
    return agency


def _person(user: Any) -> str:
    """How a person is named in a message: the display name, never the login name."""
    return str(getattr(user, "display_name", "") or user.get_full_name() or "（未填姓名）")


def _check_assessors_cover(users: Iterable[Any], region_code: str) -> None:
    """An assessor must be able to open what they are given: their ``assessments.perform`` grants cover
    ``region_code`` (else the assigned assessor would get 404 on their own task)."""
    bad = [_person(u) for u in users if not u.in_region_scope("assessments.perform", region_code)]
    if bad:
        raise DomainError(
            "评估员不在该区域的管辖范围内",
            errors={"assessors": [f"评估员的授权区域不覆盖该老人所在区域：{'、'.join(bad)}"]},
        )


def _check_assessor_role(users: Iterable[Any]) -> None:
    bad = [_person(u) for u in users if "assessor" not in u.roles()]
    if bad:
        raise DomainError(
            "只有评估员角色的用户可以加入评估机构", errors={"assessors": [f"不是评估员：{'、'.join(bad)}"]}
        )


# ---------------------------------------------------------------- workflow


def _anchor(assessment: Assessment) -> dict[str, Any]:
    """The region anchor every timeline row of an assessment carries (decision 0006)."""
    return {"region_code": assessment.region_code}


def _moved(assessment: Assessment, actor: Any, note: str = "", gate: Any = None) -> Any:
    """The transition's callback: ``gate`` (the service's scope check) runs first, inside the
    transition's transaction, then the audit event (``transition`` writes the timeline row itself)."""

    def on_moved(old: str, new: str) -> None:
        if gate is not None:
            gate()
        audit_record(
            actor=actor,
            region=assessment.region_code,
            event=f"assessments.{new}",
            obj=assessment,
            data={"from": old, "to": new, **({"note": note} if note else {})},
        )

    return on_moved


def assessment_request(
    *,
    elder: Any,
    reason: str,
    actor: Any,
    standard: str | None = None,
    note: str = "",
    home_visit: bool = True,
    source: str = "manual",
) -> Assessment:
    require_scope(actor, "assessments.request", elder.region_id)
    return _request(
        elder=elder,
        reason=reason,
        actor=actor,
        standard=standard,
        note=note,
        home_visit=home_visit,
        source=source,
        gate=lambda: require_scope(actor, "assessments.request", elder.region_id),
    )


def _request(
    *,
    elder: Any,
    reason: str,
    actor: Any,
    standard: str | None,
    note: str,
    home_visit: bool,
    source: str,
    gate: Any,
) -> Assessment:
    if reason not in Reason.values:
        raise DomainError("评估原因无效", errors={"reason": [f"允许：{', '.join(Reason.values)}"]})
    if not elder.is_active:
        raise Conflict("该老人不在册（已迁出或死亡），不能申请评估", errors={"elder": ["老人不在册"]})
    standard = standard or policy_for(elder.region)["standard"]
    if standard not in STANDARDS:
        raise DomainError("评估标准无效", errors={"standard": [f"允许：{', '.join(STANDARDS)}"]})
    with transaction.atomic():
        gate()
        if Assessment.objects.filter(elder=elder, status__in=OPEN_STATUSES).exists():
            raise Conflict(
                "该老人已有进行中的评估",
                code="duplicate",
                errors={"elder": ["已有未完成的评估，请先完成或取消"]},
            )
        with conflict_on_duplicate("该老人已有进行中的评估", "elder"):  # a simultaneous request lost
            assessment = Assessment.objects.create(
                elder=elder,
                reason=reason,
                reason_note=note[:200],
                standard=standard,
                home_visit=home_visit,
                source=source[:40],
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                region_code=elder.region_id,
            )
        timeline_write(
            timeline=AssessmentEvent,
            subject=assessment,
            old="",
            new=Status.REQUESTED,
            actor=actor,
            reason=note,
            extra=_anchor(assessment),
        )
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="assessments.requested",
            obj=assessment,
            data={"reason": reason, "standard": standard, "source": source},
        )
    return assessment


def assessment_request_immediate(
    *,
    elder: Any,
    reason: str,
    source: str,
    actor: Any,
    permission: str = "assessments.request",
    own: bool = False,
) -> Assessment:
    """即时评估 when a visit or an order reports a change. Returns the open assessment if one exists.
    ``permission``/``own``: the duty under which the reporter acts (staff in scope under
    ``assessments.request``; a caregiver on their own visit under ``orders.serve`` with ``own=True``, as
    found by the calling service; ``SYSTEM`` for a job)."""

    def gate() -> None:
        require_scope(actor, permission, elder.region_id, own=own)

    with transaction.atomic():
        gate()
        existing = Assessment.objects.filter(elder=elder, status__in=OPEN_STATUSES).first()
        if existing is not None:
            audit_record(
                actor=actor,
                region=existing.region_code,
                event="assessments.immediate_merged",
                obj=existing,
                data={"source": source, "reason": reason[:200]},
            )
            return existing
        return _request(
            elder=elder,
            reason=Reason.IMMEDIATE,
            note=reason,
            source=source,
            actor=actor,
            standard=None,
            home_visit=True,
            gate=gate,
        )


def assessment_assign(
    *, assessment: Assessment, agency: AssessmentAgency, assessors: list[Any], actor: Any
) -> Assessment:
    required = assessors_required(assessment)
    errors: dict[str, list[str]] = {}
    unique = {u.pk: u for u in assessors}
    # The agency must be one the actor may assign from, in scope of the elder's region (its county or
    # above): an agency of another county is "not found", exactly as on the page.
    require_scope(actor, "assessments.assign", assessment.region_code)
    require_scope(actor, "assessments.assign", agency.region_id)
    if len(unique) < required:
        errors["assessors"] = [
            f"至少需要 {required} 名评估员（上门评估不少于 {HOME_VISIT_MIN_ASSESSORS} 名）"
        ]
    members = set(agency.assessors.values_list("pk", flat=True))
    outsiders = [_person(u) for u in unique.values() if u.pk not in members]
    if outsiders:
        errors.setdefault("assessors", []).append(f"不属于该评估机构：{'、'.join(outsiders)}")
    uncovered = [
        _person(u)
        for u in unique.values()
        if not u.in_region_scope("assessments.perform", assessment.region_code)
    ]
    if uncovered:
        errors.setdefault("assessors", []).append(
            f"评估员的授权区域不覆盖该老人所在区域：{'、'.join(uncovered)}"
        )
    if not agency.active:
        errors["agency"] = ["该评估机构已停用"]
    if errors:
        raise DomainError("指派不符合要求", errors=errors)
    with transaction.atomic():
        require_scope(actor, "assessments.assign", assessment.region_code)
        require_scope(actor, "assessments.assign", agency.region_id)
        note = "评估员：" + "、".join(_person(u) for u in unique.values())
        transition(
            obj=assessment,
            to=Status.ASSIGNED,
            machine=MACHINE,
            timeline=AssessmentEvent,
            timeline_extra=_anchor(assessment),
            actor=actor,
            reason=note,
            updates={"agency": agency, "updated_at": timezone.now()},
            on_moved=_moved(assessment, actor, note),
        )
        assessment.assessors.set(list(unique.values()))
    return assessment


def _require_assessor(assessment: Assessment, actor: Any) -> None:
    """The write gate of the assessors' steps: the region (``assessments.perform`` over the elder's
    region) and being one of the assigned assessors. ``SYSTEM`` and superusers pass."""
    require_scope(actor, "assessments.perform", assessment.region_code)
    if getattr(actor, "is_system", False) or actor.is_superuser:
        return
    if not assessment.assessors.filter(pk=actor.pk).exists():
        raise Forbidden("只有被指派的评估员可以填写该评估")


def _ensure_in_progress(assessment: Assessment, actor: Any) -> None:
    if assessment.status == Status.ASSIGNED:
        transition(
            obj=assessment,
            to=Status.IN_PROGRESS,
            machine=MACHINE,
            timeline=AssessmentEvent,
            timeline_extra=_anchor(assessment),
            actor=actor,
            on_moved=_moved(assessment, actor),
        )
    elif assessment.status != Status.IN_PROGRESS:
        raise Conflict(
            f"当前状态为「{assessment.get_status_display()}」，不能修改评估内容",
            code="illegal_transition",
            extra={"current_status": assessment.status},
        )


def assessment_save_answers(*, assessment: Assessment, answers: Mapping[str, Any], actor: Any) -> Assessment:
    """Partial save of item scores while in progress (the first save starts the assessment)."""
    _require_assessor(assessment, actor)
    clean = validate_partial_answers(assessment.standard, answers)
    with transaction.atomic():
        _require_assessor(assessment, actor)
        _ensure_in_progress(assessment, actor)
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        merged = {**locked.answers, **clean}
        Assessment.objects.filter(pk=assessment.pk).update(answers=merged, updated_at=timezone.now())
        assessment.answers = merged
        audit_record(
            actor=actor,
            region=assessment.region_code,
            event="assessments.answers",
            obj=assessment,
            data={"items": sorted(clean)},
        )
    return assessment


def assessment_save_record(
    *,
    assessment: Assessment,
    actor: Any,
    health: Mapping[str, Any] | None = None,
    diagnoses: list[Any] | None = None,
    risk_events: Mapping[str, Any] | None = None,
    informant_name: str | None = None,
    informant_relation: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Assessment:
    """Health information (A.5), diagnoses, risk events, informant and scoring options."""
    _require_assessor(assessment, actor)
    errors: dict[str, list[str]] = {}
    updates: dict[str, Any] = {}
    if health is not None:
        clean_health, e = rules.validate_health(health)
        errors.update(e)
        updates["health"] = {**assessment.health, **clean_health}
    if diagnoses is not None:
        clean_diag, e = rules.validate_diagnoses(diagnoses)
        errors.update(e)
        updates["diagnoses"] = clean_diag
    if risk_events is not None:
        clean_risk, e = rules.validate_risk_events(risk_events)
        errors.update(e)
        updates["risk_events"] = {**assessment.risk_events, **clean_risk}
    if options is not None:
        if set(options) - {"cumulative"} or not isinstance(options.get("cumulative", True), bool):
            errors["options"] = ["仅支持 cumulative（true/false）"]
        else:
            updates["options"] = dict(options)
    if informant_name is not None:
        updates["informant_name"] = informant_name.strip()[:50]
    if informant_relation is not None:
        updates["informant_relation"] = informant_relation.strip()[:30]
    if errors:
        raise DomainError("健康信息有误", errors=errors)
    with transaction.atomic():
        _require_assessor(assessment, actor)
        _ensure_in_progress(assessment, actor)
        Assessment.objects.filter(pk=assessment.pk).update(**updates, updated_at=timezone.now())
        for key, value in updates.items():
            setattr(assessment, key, value)
        # Health data, diagnoses and risk events raise the level: audited by field name (no values).
        audit_record(
            actor=actor,
            region=assessment.region_code,
            event="assessments.record",
            obj=assessment,
            data={
                "fields": sorted(updates),
                **({"health": sorted(health)} if health else {}),
                **({"risk_events": sorted(risk_events)} if risk_events else {}),
                **({"diagnoses": len(updates["diagnoses"])} if "diagnoses" in updates else {}),
            },
        )
    return assessment


def assessment_flags(assessment: Assessment) -> dict[str, Any]:
    return rules.derive_flags(
        health=assessment.health, diagnoses=assessment.diagnoses, risk_events=assessment.risk_events
    )


def assessment_sign(
    *, assessment: Assessment, role: str, actor: Any, name: str = "", image: str = ""
) -> AssessmentSignature:
    """An assessor signs as themselves; the informant signs by name. ``image`` is a PNG data URL drawn on
    a canvas; without it the typed name and the time stand as the signature."""
    _require_assessor(assessment, actor)
    if role not in SignatureRole.values:
        raise DomainError("签名角色无效", errors={"role": [f"允许：{', '.join(SignatureRole.values)}"]})
    if image and (not image.startswith(PNG_PREFIX) or len(image) > MAX_SIGNATURE_CHARS):
        raise DomainError(
            "签名图片应为 PNG 格式的 data URL（不超过 300KB）", errors={"image": ["签名图片格式无效"]}
        )
    if assessment.status not in (Status.IN_PROGRESS, Status.ASSIGNED):
        raise Conflict(
            f"当前状态为「{assessment.get_status_display()}」，不能签名",
            code="illegal_transition",
            extra={"current_status": assessment.status},
        )
    with transaction.atomic():
        _require_assessor(assessment, actor)
        _ensure_in_progress(assessment, actor)
        if role == SignatureRole.ASSESSOR:
            signer_name = actor.get_full_name() or getattr(actor, "display_name", "") or actor.username
            AssessmentSignature.objects.filter(assessment=assessment, user=actor).delete()
            sig = AssessmentSignature.objects.create(
                assessment=assessment,
                role=role,
                user=actor,
                name=signer_name[:50],
                image=image,
                region_code=assessment.region_code,
            )
        else:
            if not name.strip():
                raise DomainError("请填写信息提供者姓名", errors={"name": ["请填写信息提供者姓名"]})
            AssessmentSignature.objects.filter(assessment=assessment, role=SignatureRole.INFORMANT).delete()
            sig = AssessmentSignature.objects.create(
                assessment=assessment,
                role=role,
                name=name.strip()[:50],
                image=image,
                region_code=assessment.region_code,
            )
            if not assessment.informant_name:
                Assessment.objects.filter(pk=assessment.pk).update(informant_name=name.strip()[:50])
                assessment.informant_name = name.strip()[:50]
        audit_record(
            actor=actor,
            region=assessment.region_code,
            event="assessments.signed",
            obj=assessment,
            data={"role": role, "drawn": bool(image)},
        )
    return sig


def assessment_compute(assessment: Assessment) -> dict[str, Any]:
    """Score the saved answers with the server-side engine; raises ScoringRefused naming the items."""
    try:
        return score(
            assessment.standard, assessment.answers, assessment_flags(assessment), assessment.options or {}
        ).to_dict()
    except ScoringError as exc:
        raise ScoringRefused("评估尚未填写完整或分值无效", errors=exc.errors) from exc


def missing_signatures(assessment: Assessment) -> list[str]:
    signed = {s.user_id for s in assessment.signatures.all() if s.role == SignatureRole.ASSESSOR}
    missing = [
        f"评估员 {u.get_full_name() or getattr(u, 'display_name', '') or u.username}"
        for u in assessment.assessors.all()
        if u.pk not in signed
    ]
    if not any(s.role == SignatureRole.INFORMANT for s in assessment.signatures.all()):
        missing.append("信息提供者")
    return missing


def assessment_submit(*, assessment: Assessment, actor: Any, assessed_on: date | None = None) -> Assessment:
    """Check completeness and signatures, compute the result on the server, move to submitted."""
    if not MACHINE.can(assessment.status, Status.SUBMITTED):
        raise IllegalTransition(
            f"当前状态为「{MACHINE.label(assessment.status)}」，不能提交",
            extra={"current_status": assessment.status},
        )
    _require_assessor(assessment, actor)
    result = assessment_compute(assessment)
    missing = missing_signatures(assessment)
    if missing:
        raise DomainError(
            "尚缺签名：" + "、".join(missing), errors={"signatures": [f"缺少：{m}" for m in missing]}
        )
    day = assessed_on or timezone.localdate()
    policy = policy_for(assessment.elder.region)
    updates = {
        "result": {**result, "flags": assessment_flags(assessment)},
        "total": result["total"],
        "preliminary_level": result["preliminary_level"],
        "final_level": result["final_level"],
        "label": result["label"],
        "assessed_on": day,
        "valid_until": rules.add_months(day, int(policy["result_valid_months"])),
        "next_routine_on": rules.add_months(day, int(policy["routine_interval_months"])),
        "updated_at": timezone.now(),
    }
    return transition(  # type: ignore[return-value]
        obj=assessment,
        to=Status.SUBMITTED,
        machine=MACHINE,
        timeline=AssessmentEvent,
        timeline_extra=_anchor(assessment),
        actor=actor,
        reason=f"等级 {result['final_level']} {result['label']}",
        updates=updates,
        on_moved=_moved(
            assessment,
            actor,
            f"等级 {result['final_level']} {result['label']}",
            gate=lambda: _require_assessor(assessment, actor),
        ),
    )


def assessment_complete(*, assessment: Assessment, actor: Any) -> Assessment:
    """Confirm a submitted result: the elder's current level and 失能 status change (one service). The
    county confirms under ``assessments.assign``; otherwise an assigned assessor under ``.perform``."""
    require_actor(actor)
    county = bool(getattr(actor, "is_system", False) or actor.holds("assessments.assign"))
    permission = "assessments.assign" if county else "assessments.perform"

    def gate() -> None:
        if county:
            require_scope(actor, permission, assessment.region_code)
        else:
            _require_assessor(assessment, actor)

    gate()
    if assessment.status == Status.SUBMITTED:
        # Re-check on the server: the stored answers must still score to the stored result.
        fresh = assessment_compute(assessment)
        if fresh["final_level"] != assessment.final_level:
            raise Conflict(
                "评估内容已变化，请重新提交",
                code="concurrent_update",
                extra={"current_status": assessment.status},
            )
    elder = assessment.elder

    def moved(old: str, new: str) -> None:
        _moved(assessment, actor, gate=gate)(old, new)
        elder_set_capability(
            elder=elder,
            standard=assessment.standard,
            level=assessment.final_level,
            label=assessment.label,
            assessed_on=assessment.assessed_on,
            valid_until=assessment.valid_until,
            moderate_plus=rules.moderate_plus(assessment.standard, assessment.final_level),
            actor=actor,
            permission=permission,
        )

    return transition(  # type: ignore[return-value]
        obj=assessment,
        to=Status.COMPLETED,
        machine=MACHINE,
        timeline=AssessmentEvent,
        timeline_extra=_anchor(assessment),
        actor=actor,
        on_moved=moved,
        updates={"completed_at": timezone.now(), "updated_at": timezone.now()},
    )


def assessment_reopen(*, assessment: Assessment, actor: Any) -> Assessment:
    """Return a submitted assessment to the assessors for correction."""
    _require_assessor(assessment, actor)
    return transition(  # type: ignore[return-value]
        obj=assessment,
        to=Status.IN_PROGRESS,
        machine=MACHINE,
        timeline=AssessmentEvent,
        timeline_extra=_anchor(assessment),
        actor=actor,
        on_moved=_moved(assessment, actor, gate=lambda: _require_assessor(assessment, actor)),
        updates={"updated_at": timezone.now()},
    )


def assessment_cancel(*, assessment: Assessment, reason: str, actor: Any) -> Assessment:
    if not reason.strip():
        raise DomainError("请填写取消原因", errors={"reason": ["请填写取消原因"]})
    require_scope(actor, "assessments.request", assessment.region_code)
    return transition(  # type: ignore[return-value]
        obj=assessment,
        to=Status.CANCELLED,
        machine=MACHINE,
        timeline=AssessmentEvent,
        timeline_extra=_anchor(assessment),
        actor=actor,
        reason=reason.strip(),
        on_moved=_moved(
            assessment,
            actor,
            reason.strip(),
            gate=lambda: require_scope(actor, "assessments.request", assessment.region_code),
        ),
        updates={"updated_at": timezone.now()},
    )


def on_elder_status(event: ElderStatusChanged) -> dict[str, Any]:
    """Subscriber of ``core.hooks.elder_status_changed``: a death or move-out cancels the elder's open
    assessments (no re-assessment falls due for them either: the due list keeps active elders only)."""
    from yiyang.elders.choices import ElderStatus

    if not event.ends_service:
        return {}
    note = f"老人{ElderStatus(event.new).label}，评估关闭"
    closed = 0
    for assessment in Assessment.objects.select_for_update().filter(
        elder__public_id=event.elder_id, status__in=OPEN_STATUSES
    ):
        transition(
            obj=assessment,
            to=Status.CANCELLED,
            machine=MACHINE,
            timeline=AssessmentEvent,
            timeline_extra=_anchor(assessment),
            actor=event.actor,
            reason=note,
            on_moved=_moved(assessment, event.actor, note),
            updates={"updated_at": timezone.now()},
        )
        closed += 1
    return {"assessments_closed": closed} if closed else {}


# ---------------------------------------------------------------- mutual recognition


def external_result_record(
    *,
    elder: Any,
    source: str,
    standard: str,
    level: int,
    label: str,
    assessed_on: date,
    valid_until: date | None = None,
    document_ref: str = "",
    actor: Any,
) -> ExternalAssessmentResult:
    errors: dict[str, list[str]] = {}
    if not source.strip():
        errors["source"] = ["请填写评估主体"]
    if standard not in STANDARDS:
        errors["standard"] = [f"允许：{', '.join(STANDARDS)}"]
    else:
        allowed = [lv["level"] for lv in describe(standard)["levels"]]
        if level not in allowed:
            errors["level"] = [f"{standard} 的等级应为 {', '.join(str(a) for a in allowed)}"]
    if valid_until and valid_until < assessed_on:
        errors["valid_until"] = ["有效期不能早于评估日期"]
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = ["评估日期不能晚于今天"]
    if errors:
        raise DomainError("他部门评估结果有误", errors=errors)
    require_scope(actor, "assessments.record_external", elder.region_id)
    if not label:
        label = next(lv["label"] for lv in describe(standard)["levels"] if lv["level"] == level)
    with transaction.atomic():
        require_scope(actor, "assessments.record_external", elder.region_id)
        result = ExternalAssessmentResult.objects.create(
            elder=elder,
            region_code=elder.region_id,
            source=source.strip()[:60],
            standard=standard,
            level=level,
            label=label[:40],
            assessed_on=assessed_on,
            valid_until=valid_until,
            document_ref=document_ref.strip()[:100],
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="assessments.external_recorded",
            obj=result,
            data={"source": result.source, "standard": standard, "level": level},
        )
    return result


def recognition_policy_set(
    *,
    region: Any,
    programme: str,
    accepted_sources: list[str],
    accepted_standards: list[str],
    accept_own: bool = True,
    actor: Any,
) -> RecognitionPolicy:
    bad = [s for s in accepted_standards if s not in STANDARDS]
    if bad or not programme.strip():
        raise DomainError(
            "互认政策有误",
            errors={
                **({"accepted_standards": [f"允许：{', '.join(STANDARDS)}"]} if bad else {}),
                **({"programme": ["请填写业务代码"]} if not programme.strip() else {}),
            },
        )
    with transaction.atomic():
        require_scope(actor, "assessments.assign", region.code)
        policy, _ = RecognitionPolicy.objects.update_or_create(
            region=region,
            programme=programme.strip(),
            defaults={
                "accepted_sources": accepted_sources,
                "accepted_standards": accepted_standards,
                "accept_own": accept_own,
            },
        )
        audit_record(
            actor=actor, region=region, event="assessments.recognition_policy", data=policy.describe()
        )
    return policy


def on_elder_transfer(elder: Any, old_region: str, new_region: str, actor: Any) -> dict[str, Any]:
    """TRANSFER_HANDLERS hook: open assessments (and their events and signatures) move with the elder;
    completed and cancelled ones keep the region they were made in (decision 0006)."""
    open_ids = list(
        Assessment.objects.filter(elder=elder, status__in=OPEN_STATUSES).values_list("pk", flat=True)
    )
    if not open_ids:
        return {}
    Assessment.objects.filter(pk__in=open_ids).update(region_code=new_region)
    AssessmentEvent.objects.filter(assessment_id__in=open_ids).update(region_code=new_region)
    AssessmentSignature.objects.filter(assessment_id__in=open_ids).update(region_code=new_region)
    return {"assessments_moved": len(open_ids)}
