"""Writes of the renovation programme. Every function checks the actor's scope with ``require_scope``
inside its transaction, moves applications only through ``transition`` (timeline row) and audits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError, Forbidden, OutOfScope
from yiyang.core.identifiers import anniversary
from yiyang.core.regioncodes import scope_prefix
from yiyang.core.statemachine import timeline_write, transition
from yiyang.core.validators import as_domain_error, check_name, check_text
from yiyang.regions.scope import county_code, require_scope
from yiyang.renovation import photos as photo_files
from yiyang.renovation.catalog import (
    CATALOG,
    DEFAULT_ACCEPTED_LEVELS,
    DEFAULT_PUBLICITY_DAYS,
    DEFAULT_TARGETS,
    DEFAULT_WARRANTY_YEARS,
)
from yiyang.renovation.choices import Applicant, ClaimStatus, PhotoKind, ProgrammeStatus
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.eligibility import Verdict, evaluate
from yiyang.renovation.models import (
    Application,
    ApplicationEvent,
    CatalogItem,
    ExternalGrant,
    Objection,
    Photo,
    PlanItem,
    Programme,
    Quota,
    WarrantyClaim,
)
from yiyang.renovation.selectors import elder_facts, programme_rules, quota_used
from yiyang.renovation.transitions import MACHINE, REJECT_PERM, WITHDRAWABLE

PROGRAMME = "renovation.programme"
APPLY = "renovation.apply"
REVIEW = "renovation.review"
APPROVE = "renovation.approve"
ASSESS = "renovation.assess"
BUILD = "renovation.build"
SUPERVISE = "renovation.supervise"

PROGRAMME_FIELDS = (
    "name",
    "cap_fen",
    "publicity_days",
    "warranty_years",
    "age_threshold",
    "feb29_rule",
    "target_categories",
    "accepted_levels",
)


def _text(value: str, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    with as_domain_error(field):
        cleaned = check_text(value or "", label=label, max_length=max_length, multiline=True)
    if required and not cleaned:
        raise DomainError(f"请填写{label}", code="validation_error", errors={field: [f"请填写{label}"]})
    return cleaned


def _name(value: str, *, field: str, label: str, required: bool = True) -> str:
    with as_domain_error(field):
        cleaned = check_name(value or "", label=label, max_length=50)
    if required and not cleaned:
        raise DomainError(f"请填写{label}", code="validation_error", errors={field: [f"请填写{label}"]})
    return cleaned


def _is_admin_of(actor: Any, org: Any) -> bool:
    return bool(org is not None and getattr(actor, "pk", None) and org.admins.filter(pk=actor.pk).exists())


def _move(
    application: Application,
    to: str,
    *,
    actor: Any,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
    updates: Mapping[str, Any] | None = None,
) -> Application:
    def audit(old: str, new: str) -> None:
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.transition",
            obj=application,
            data={"from": old, "to": new, "reason": reason[:300]},
            summary=f"{application.number}：{MACHINE.label(old)} → {MACHINE.label(new)}",
        )

    transition(
        obj=application,
        to=to,
        machine=MACHINE,
        timeline=ApplicationEvent,
        actor=actor,
        reason=reason,
        data=data,
        on_moved=audit,
        updates=updates,
    )
    return application


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


# --- programmes ----------------------------------------------------------------------------------------


def _check_programme_values(values: Mapping[str, Any]) -> dict[str, Any]:
    from yiyang.elders.choices import Category

    out = dict(values)
    if "name" in out:
        out["name"] = _text(out["name"], field="name", label="项目名称", max_length=100, required=True)
    if "target_categories" in out:
        cats = list(dict.fromkeys(out["target_categories"]))
        bad = [c for c in cats if c not in Category.values]
        if bad or not cats:
            raise DomainError(
                "对象类别无效", code="validation_error", errors={"target_categories": ["对象类别无效"]}
            )
        out["target_categories"] = cats
    if "accepted_levels" in out:
        levels = out["accepted_levels"] or {}
        clean: dict[str, list[int]] = {}
        for standard, lv in levels.items():
            if standard not in {"gbt42195", "mzt039", "ltc2021", "tekun6"} or not all(
                isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 5 for x in lv
            ):
                raise DomainError(
                    "失能等级设置无效",
                    code="validation_error",
                    errors={"accepted_levels": ["失能等级设置无效"]},
                )
            clean[standard] = sorted(set(lv))
        out["accepted_levels"] = clean
    return out


def programme_create(
    *, actor: Any, region: Any, year: int, name: str, cap_fen: int, **options: Any
) -> Programme:
    """A new programme (draft) with the full 30-item catalog of STANDARDS.md §4.2."""
    values = _check_programme_values({"name": name, **options})
    with transaction.atomic():
        require_scope(actor, PROGRAMME, region.code)
        version = (
            Programme.objects.filter(region_code=region.code, year=year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        ) + 1
        programme = Programme.objects.create(
            region=region,
            region_code=region.code,
            year=year,
            version=version,
            cap_fen=cap_fen,
            target_categories=values.pop("target_categories", list(DEFAULT_TARGETS)),
            accepted_levels=values.pop("accepted_levels", dict(DEFAULT_ACCEPTED_LEVELS)),
            publicity_days=values.pop("publicity_days", DEFAULT_PUBLICITY_DAYS),
            warranty_years=values.pop("warranty_years", DEFAULT_WARRANTY_YEARS),
            **values,
        )
        CatalogItem.objects.bulk_create(
            CatalogItem(
                programme=programme,
                seq=e.seq,
                code=e.code,
                category=e.category,
                name=e.name,
                content=e.content,
                basic=e.basic,
                reference_price_fen=e.reference_price_fen,
            )
            for e in CATALOG
        )
        audit_record(
            actor=actor,
            region=region.code,
            event="renovation.programme_create",
            obj=programme,
            data={"year": year, "cap_fen": cap_fen},
            summary=str(programme),
        )
    return programme


def _in_use(programme: Programme) -> bool:
    return programme.status != ProgrammeStatus.DRAFT or programme.applications.exists()


def programme_update(
    *, actor: Any, programme: Programme, prices: Mapping[str, int] | None = None, **changes: Any
) -> Programme:
    """Edit a draft programme (its rules and the catalog's reference prices). A programme in use is never
    edited in place: copy it to a new version (``programme_copy``)."""
    unknown = set(changes) - set(PROGRAMME_FIELDS)
    if unknown:
        raise TypeError(f"unknown programme fields: {sorted(unknown)}")
    values = _check_programme_values(changes)
    with transaction.atomic():
        require_scope(actor, PROGRAMME, programme.region_code)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if _in_use(programme):
            raise Conflict(
                "项目已启用或已有申请，不能直接修改；请复制为新版本后修改", code="programme_in_use"
            )
        for key, value in values.items():
            setattr(programme, key, value)
        programme.save()
        changed_prices = {}
        for code, price in (prices or {}).items():
            if programme.items.filter(code=code).update(reference_price_fen=int(price)):
                changed_prices[code] = int(price)
        audit_record(
            actor=actor,
            region=programme.region_code,
            event="renovation.programme_update",
            obj=programme,
            data={"fields": sorted(values), "prices": changed_prices},
            summary=str(programme),
        )
    return programme


def programme_copy(*, actor: Any, programme: Programme, year: int | None = None) -> Programme:
    """Next year's programme (or the next version of the same year) as a draft copy: rules, catalog with
    prices, quotas."""
    year = year or programme.year
    with transaction.atomic():
        require_scope(actor, PROGRAMME, programme.region_code)
        version = (
            Programme.objects.filter(region_code=programme.region_code, year=year)
            .order_by("-version")
            .values_list("version", flat=True)
            .first()
            or 0
        ) + 1
        copy = Programme.objects.create(
            region_id=programme.region_id,
            region_code=programme.region_code,
            year=year,
            version=version,
            name=programme.name,
            status=ProgrammeStatus.DRAFT,
            copied_from=programme,
            **{k: getattr(programme, k) for k in PROGRAMME_FIELDS if k != "name"},
        )
        CatalogItem.objects.bulk_create(
            CatalogItem(
                programme=copy,
                seq=i.seq,
                code=i.code,
                category=i.category,
                name=i.name,
                content=i.content,
                basic=i.basic,
                reference_price_fen=i.reference_price_fen,
            )
            for i in programme.items.all()
        )
        Quota.objects.bulk_create(
            Quota(programme=copy, county_id=q.county_id, households=q.households)
            for q in programme.quotas.all()
        )
        audit_record(
            actor=actor,
            region=programme.region_code,
            event="renovation.programme_copy",
            obj=copy,
            data={"from": str(programme.public_id), "year": year, "version": version},
            summary=f"{programme} → {copy}",
        )
    return copy


def programme_activate(*, actor: Any, programme: Programme) -> Programme:
    """Start a draft; the active programme of the same region and year (an earlier version) closes."""
    with transaction.atomic():
        require_scope(actor, PROGRAMME, programme.region_code)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        if programme.status != ProgrammeStatus.DRAFT:
            raise Conflict("只有草稿状态的项目可以启用", code="illegal_transition")
        Programme.objects.filter(
            region_code=programme.region_code, year=programme.year, status=ProgrammeStatus.ACTIVE
        ).update(status=ProgrammeStatus.CLOSED)
        programme.status = ProgrammeStatus.ACTIVE
        programme.save(update_fields=["status"])
        audit_record(
            actor=actor,
            region=programme.region_code,
            event="renovation.programme_activate",
            obj=programme,
            summary=str(programme),
        )
    return programme


def quota_set(*, actor: Any, programme: Programme, county: Any, households: int) -> Quota:
    """任务分配表: the households a county may approve in the programme."""
    if county.level != "county" or not covers(programme, county.code):
        raise DomainError(
            "请选择项目区域内的区县", code="validation_error", errors={"county": ["请选择项目区域内的区县"]}
        )
    with transaction.atomic():
        require_scope(actor, PROGRAMME, programme.region_code)
        require_scope(actor, PROGRAMME, county.code)
        quota, _ = Quota.objects.update_or_create(
            programme=programme, county=county, defaults={"households": households}
        )
        audit_record(
            actor=actor,
            region=county.code,
            event="renovation.quota_set",
            obj=programme,
            data={"county": county.code, "households": households},
            summary=f"{programme} {county.name} {households}户",
        )
    return quota


def grant_record(*, actor: Any, elder: Any, source: str, programme_name: str, year: int) -> ExternalGrant:
    """An earlier renovation grant of another department (残联 …): the elder is not subsidised twice."""
    name = _text(programme_name, field="programme_name", label="项目名称", max_length=100, required=True)
    with transaction.atomic():
        require_scope(actor, APPLY, elder.region_id)
        grant = ExternalGrant.objects.create(
            elder=elder, region_code=elder.region_id, source=source, programme_name=name, year=year
        )
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="renovation.grant_record",
            obj=grant,
            data={"elder": str(elder.public_id), "source": source, "year": year},
            summary=f"{elder.name} {grant}",
        )
    return grant


# --- eligibility and application -----------------------------------------------------------------------


def covers(programme: Programme, region_code: str) -> bool:
    """Whether a region (an elder's community) lies in the programme's region."""
    return str(region_code).startswith(scope_prefix(programme.region_code))


def eligibility_verdict(
    *,
    programme: Programme,
    elder: Any,
    on: date,
    housing_right: bool | None,
    in_demolition_plan: bool | None,
    exclude_application: Application | None = None,
) -> Verdict:
    """The rules of STANDARDS.md §4 for one elder (reads only; the caller has checked scope)."""
    return evaluate(
        rules=programme_rules(programme),
        facts=elder_facts(elder, exclude_application=exclude_application),
        on=on,
        housing_right=housing_right,
        in_demolition_plan=in_demolition_plan,
    )


class Ineligible(DomainError):
    code = "ineligible"


def _refuse(verdict: Verdict) -> None:
    failing = verdict.failing()
    raise Ineligible(
        "不符合补贴条件：" + "；".join(r.reason for r in failing),
        errors={r.code: [r.reason] for r in failing},
        extra={
            "rules": [r.as_dict() for r in verdict.rules],
            "earlier_grant": verdict.earlier_grant.as_dict() if verdict.earlier_grant else None,
        },
    )


def application_create(
    *,
    actor: Any,
    programme: Programme,
    elder: Any,
    application_date: date,
    housing_right: bool,
    in_demolition_plan: bool,
    applicant: str = Applicant.ELDER,
    applicant_name: str = "",
) -> Application:
    """Take an application (by the elder, a guardian or a community worker); refused (400, with the failing
    rules and any earlier grant named) when the elder is not eligible."""
    name = _name(applicant_name, field="applicant_name", label="申请人姓名", required=False)
    with transaction.atomic():
        require_scope(actor, APPLY, elder.region_id)
        status = Programme.objects.filter(pk=programme.pk).values_list("status", flat=True).first()
        if status != ProgrammeStatus.ACTIVE:
            raise DomainError("该项目未在实施中，不能受理申请", errors={"programme": ["该项目未在实施中"]})
        if not covers(programme, elder.region_id):
            raise DomainError(
                "老人不在该项目的实施区域内", errors={"programme": ["老人不在该项目的实施区域内"]}
            )
        # One application at a time per elder (serialises two concurrent submissions on PostgreSQL).
        type(elder).objects.select_for_update().filter(pk=elder.pk).first()
        verdict = eligibility_verdict(
            programme=programme,
            elder=elder,
            on=application_date,
            housing_right=housing_right,
            in_demolition_plan=in_demolition_plan,
        )
        if not verdict.eligible:
            _refuse(verdict)
        application = Application(
            programme=programme,
            elder=elder,
            region_code=elder.region_id,
            application_date=application_date,
            applicant=applicant,
            applicant_name=name or (elder.name if applicant == Applicant.ELDER else ""),
            housing_right=housing_right,
            in_demolition_plan=in_demolition_plan,
            eligibility=verdict.as_dict(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        application.number = f"SLH{application_date:%y}{application.public_id.hex[:8].upper()}"
        application.save()
        timeline_write(timeline=ApplicationEvent, subject=application, old="", new=S.SUBMITTED, actor=actor)
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="renovation.apply",
            obj=application,
            data={"programme": str(programme.public_id), "elder": str(elder.public_id)},
            summary=f"{elder.name} {application.number}",
        )
    return application


def application_review(*, actor: Any, application: Application, note: str = "") -> Application:
    """街道初审通过: the application goes into publicity (公示) for the programme's days."""
    note = _text(note, field="note", label="审核意见", max_length=300)
    with transaction.atomic():
        require_scope(actor, REVIEW, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.PUBLICITY)
        today = timezone.localdate()
        until = today + timedelta(days=application.programme.publicity_days)
        return _move(
            application,
            S.PUBLICITY,
            actor=actor,
            reason=note or "街道初审通过，进入公示",
            updates={"publicity_from": today, "publicity_until": until},
        )


def application_object(*, actor: Any, application: Application, text: str, raised_by: str = "") -> Objection:
    """Record an objection (公示异议) raised during publicity."""
    text = _text(text, field="text", label="异议内容", max_length=500, required=True)
    raised_by = _name(raised_by, field="raised_by", label="异议人", required=False)
    with transaction.atomic():
        require_scope(actor, APPLY, application.region_code)
        application = _locked(application)
        if application.status != S.PUBLICITY:
            raise Conflict(
                "只能在公示期内登记异议",
                code="illegal_transition",
                extra={"current_status": application.status},
            )
        objection = Objection.objects.create(application=application, text=text, raised_by=raised_by)
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.objection",
            obj=application,
            data={"objection": objection.pk},
            summary=f"{application.number} 公示异议",
        )
    return objection


def application_close_publicity(*, actor: Any, application: Application, ruling: str = "") -> Application:
    """公示期满: every objection must have been ruled on (an upheld objection rejects the application
    instead, with ``application_reject``)."""
    ruling = _text(ruling, field="ruling", label="异议处理意见", max_length=300)
    with transaction.atomic():
        require_scope(actor, REVIEW, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.PUBLICISED)
        if application.publicity_until and timezone.localdate() < application.publicity_until:
            raise Conflict(
                f"公示期至 {application.publicity_until:%Y-%m-%d}，期满后方可结束公示",
                code="publicity_running",
                extra={"current_status": application.status},
            )
        open_objections = application.objections.filter(ruling="")
        if open_objections.exists():
            if not ruling:
                raise DomainError(
                    "公示期间有异议，请填写异议处理意见", errors={"ruling": ["请填写异议处理意见"]}
                )
            open_objections.update(ruling=ruling)
        return _move(application, S.PUBLICISED, actor=actor, reason=ruling or "公示期满无异议")


def application_approve(
    *, actor: Any, application: Application, contractor: Any, supervisor: Any, note: str = ""
) -> Application:
    """区县审批 within the county's quota; names the contractor and the supervisor (监理)."""
    note = _text(note, field="note", label="审批意见", max_length=300)
    with transaction.atomic():
        require_scope(actor, APPROVE, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.APPROVED)
        for field, org in (("contractor", contractor), ("supervisor", supervisor)):
            if org is None or not org.serves(application.region_code):
                raise DomainError(
                    "所选单位不服务该老人所在区域", errors={field: ["所选单位不服务该老人所在区域"]}
                )
        programme = application.programme
        county = county_code(application.region_code)
        Programme.objects.select_for_update().filter(pk=programme.pk).first()  # serialises quota use
        if programme.quotas.exists():
            quota = programme.quotas.filter(county_id=county).first()
            used = quota_used(programme, county)
            if quota is None or used >= quota.households:
                limit = quota.households if quota else 0
                raise Conflict(
                    f"本区县任务数 {limit} 户已用完（已批准 {used} 户）",
                    code="quota_exhausted",
                    extra={"current_status": application.status},
                )
        verdict = eligibility_verdict(
            programme=programme,
            elder=application.elder,
            on=application.application_date,
            housing_right=application.housing_right,
            in_demolition_plan=application.in_demolition_plan,
            exclude_application=application,
        )
        if not verdict.eligible:
            _refuse(verdict)
        return _move(
            application,
            S.APPROVED,
            actor=actor,
            reason=note or "区县审批通过",
            data={"contractor": contractor.name, "supervisor": supervisor.name},
            updates={"contractor": contractor, "supervisor": supervisor, "eligibility": verdict.as_dict()},
        )


def application_assess(
    *, actor: Any, application: Application, note: str, assessor_name: str, assessed_on: date | None = None
) -> Application:
    """入户需求评估 by the third-party assessor."""
    note = _text(note, field="note", label="评估记录", max_length=1000, required=True)
    assessor_name = _name(assessor_name, field="assessor_name", label="评估人员")
    with transaction.atomic():
        require_scope(actor, ASSESS, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.ASSESSED)
        return _move(
            application,
            S.ASSESSED,
            actor=actor,
            reason="入户需求评估完成",
            updates={
                "assessment_note": note,
                "assessor_name": assessor_name,
                "assessed_on": assessed_on or timezone.localdate(),
            },
        )


def _plan_rows(application: Application, items: Iterable[Mapping[str, Any]]) -> list[PlanItem]:
    catalog = {i.code: i for i in application.programme.items.all()}
    rows: list[PlanItem] = []
    seen: set[str] = set()
    errors: dict[str, list[str]] = {}
    for n, raw in enumerate(items):
        code = str(raw.get("code", ""))
        item = catalog.get(code)
        if item is None or code in seen:
            errors[f"items[{n}].code"] = ["项目代码不在本项目清单中或重复"]
            continue
        seen.add(code)
        included = bool(raw.get("included", True))
        reason = _text(
            raw.get("not_applicable_reason", "") or "",
            field=f"items[{n}].not_applicable_reason",
            label="不适用原因",
            max_length=200,
        )
        quantity = int(raw.get("quantity", 1) or 0)
        price = raw.get("unit_price_fen")
        price = item.reference_price_fen if price is None else int(price)
        if included and quantity < 1:
            errors[f"items[{n}].quantity"] = ["纳入改造的项目数量至少为 1"]
        if not included and not item.basic:
            continue  # an optional item left out needs no row
        rows.append(
            PlanItem(
                application=application,
                item=item,
                included=included,
                quantity=quantity if included else 0,
                unit_price_fen=price if included else 0,
                not_applicable_reason="" if included else reason,
            )
        )
    if errors:
        raise DomainError("改造方案有误", code="validation_error", errors=errors)
    if not any(r.included for r in rows):
        raise DomainError(
            "改造方案至少应包含一个项目", code="validation_error", errors={"items": ["至少包含一个项目"]}
        )
    return rows


def plan_gaps(application: Application) -> list[str]:
    """Basic items neither included nor marked not applicable with a reason (the plan cannot be signed)."""
    planned = {p.item.code: p for p in application.plan_items.select_related("item")}
    gaps = []
    for item in application.programme.items.filter(basic=True).order_by("seq"):
        row = planned.get(item.code)
        if row is None or (not row.included and not row.not_applicable_reason):
            gaps.append(f"{item.get_category_display()}·{item.name}")
    return gaps


def application_plan(
    *, actor: Any, application: Application, items: Iterable[Mapping[str, Any]]
) -> Application:
    """一户一策: the plan's catalog items, quantities and prices (replaces an unsigned plan). Every basic item
    is included or marked not applicable with a reason before it can be signed."""
    with transaction.atomic():
        require_scope(actor, ASSESS, application.region_code)
        application = _locked(application)
        if application.status not in {S.ASSESSED, S.PLANNED}:
            MACHINE.require(application.status, S.PLANNED)
        rows = _plan_rows(application, items)
        application.plan_items.all().delete()
        PlanItem.objects.bulk_create(rows)
        total = sum(r.planned_fen for r in rows)
        data = {"items": [r.item.code for r in rows if r.included], "planned_fen": total}
        if application.status == S.ASSESSED:
            return _move(application, S.PLANNED, actor=actor, reason="改造方案已制定", data=data)
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.plan",
            obj=application,
            data=data,
            summary=f"{application.number} 修改改造方案",
        )
        return application


def application_sign(*, actor: Any, application: Application, signed_by: str, relation: str) -> Application:
    """老年人或监护人签字确认改造方案 (recorded by the community worker); refused while a basic item is
    neither included nor marked not applicable with a reason."""
    signed_by = _name(signed_by, field="signed_by", label="签字人")
    if relation not in {Applicant.ELDER, Applicant.GUARDIAN}:
        raise DomainError(
            "签字人须为老年人本人或监护人", errors={"relation": ["签字人须为老年人本人或监护人"]}
        )
    with transaction.atomic():
        require_scope(actor, APPLY, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.SIGNED)
        gaps = plan_gaps(application)
        if gaps:
            message = "基础类项目未纳入方案也未说明不适用原因：" + "、".join(gaps)
            raise DomainError(message, code="plan_incomplete", errors={"items": [message]})
        return _move(
            application,
            S.SIGNED,
            actor=actor,
            reason=f"{signed_by}（{Applicant(relation).label}）签字确认方案",
            updates={"signed_by": signed_by, "signed_relation": relation, "signed_on": timezone.localdate()},
        )


def _require_builder(actor: Any, application: Application) -> None:
    require_scope(actor, BUILD, application.region_code, own=_is_admin_of(actor, application.contractor))


def application_add_photo(
    *, actor: Any, application: Application, code: str, kind: str, upload: Any
) -> Photo:
    """A before photo (signed or building), an after photo (building) or a repair photo (warranty) of one
    plan item, by the contractor."""
    with transaction.atomic():
        _require_builder(actor, application)
        application = _locked(application)
        allowed_by_kind: dict[str, set[str]] = {
            PhotoKind.BEFORE: {S.SIGNED, S.BUILDING},
            PhotoKind.AFTER: {S.BUILDING},
            PhotoKind.REPAIR: {S.PAID},
        }
        allowed = allowed_by_kind.get(kind)
        if allowed is None:
            raise DomainError("照片类型无效", errors={"kind": ["照片类型无效"]})
        if application.status not in allowed:
            raise Conflict(
                f"当前状态为「{MACHINE.label(application.status)}」，不能上传{PhotoKind(kind).label}照片",
                code="illegal_transition",
                extra={"current_status": application.status},
            )
        row = application.plan_items.filter(item__code=code, included=True).select_related("item").first()
        if row is None:
            raise DomainError("该项目不在改造方案中", errors={"code": ["该项目不在改造方案中"]})
        processed = photo_files.process_photo(upload)
        photo = Photo(
            application=application,
            plan_item=row,
            kind=kind,
            taken_at=processed.taken_at,
            lat=processed.lat,
            lng=processed.lng,
            uploaded_by=str(getattr(actor, "display_name", "") or getattr(actor, "username", ""))[:150],
        )
        photo_files.store(photo, processed)
        photo.save()
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.photo",
            obj=application,
            data={"item": code, "kind": kind},
            summary=f"{application.number} {row.item.name} {PhotoKind(kind).label}照片",
        )
    return photo


def _missing_photos(application: Application, kind: str, rows: Iterable[PlanItem]) -> list[str]:
    have = set(application.photos.filter(kind=kind).values_list("plan_item_id", flat=True))
    return [f"{r.item.get_category_display()}·{r.item.name}" for r in rows if r.pk not in have]


def application_start(*, actor: Any, application: Application) -> Application:
    """开工: a before photo of every planned item is on file."""
    with transaction.atomic():
        _require_builder(actor, application)
        application = _locked(application)
        MACHINE.require(application.status, S.BUILDING)
        missing = _missing_photos(
            application, PhotoKind.BEFORE, application.plan_items.filter(included=True).select_related("item")
        )
        if missing:
            message = "以下项目缺少改造前照片：" + "、".join(missing)
            raise DomainError(message, code="photos_missing", errors={"photos": [message]})
        return _move(
            application, S.BUILDING, actor=actor, reason="开工", updates={"started_on": timezone.localdate()}
        )


def application_complete(
    *, actor: Any, application: Application, items: Iterable[Mapping[str, Any]]
) -> Application:
    """完工: each planned item done (with its actual cost and record) or not; an after photo of every done
    item is on file."""
    with transaction.atomic():
        _require_builder(actor, application)
        application = _locked(application)
        MACHINE.require(application.status, S.COMPLETED)
        rows = {r.item.code: r for r in application.plan_items.filter(included=True).select_related("item")}
        errors: dict[str, list[str]] = {}
        reports = list(items)
        for n, raw in enumerate(reports):
            row = rows.get(str(raw.get("code", "")))
            if row is None:
                errors[f"items[{n}].code"] = ["该项目不在改造方案中"]
                continue
            row.done = bool(raw.get("done", True))
            cost = raw.get("actual_cost_fen")
            row.actual_cost_fen = (
                (row.quantity * row.unit_price_fen if cost is None else int(cost)) if row.done else 0
            )
            row.work_note = _text(
                raw.get("work_note", "") or "",
                field=f"items[{n}].work_note",
                label="施工记录",
                max_length=300,
            )
        if errors:
            raise DomainError("完工记录有误", code="validation_error", errors=errors)
        missing_report = [
            f"{r.item.get_category_display()}·{r.item.name}"
            for c, r in rows.items()
            if c not in {str(x.get("code")) for x in reports}
        ]
        if missing_report:
            message = "请填写每个方案项目的完成情况：" + "、".join(missing_report)
            raise DomainError(message, code="validation_error", errors={"items": [message]})
        done = [r for r in rows.values() if r.done]
        if not done:
            raise DomainError(
                "没有完成的项目，不能报完工", code="validation_error", errors={"items": ["没有完成的项目"]}
            )
        missing = _missing_photos(application, PhotoKind.AFTER, done)
        if missing:
            message = "以下项目缺少改造后照片：" + "、".join(missing)
            raise DomainError(message, code="photos_missing", errors={"photos": [message]})
        PlanItem.objects.bulk_update(rows.values(), ["done", "actual_cost_fen", "work_note"])
        actual = sum(r.actual_cost_fen or 0 for r in done)
        return _move(
            application,
            S.COMPLETED,
            actor=actor,
            reason="完工，待验收",
            data={"actual_cost_fen": actual},
            updates={"completed_on": timezone.localdate(), "actual_cost_fen": actual},
        )


def application_accept(
    *,
    actor: Any,
    application: Application,
    passed: bool,
    note: str,
    street_inspector: str,
    supervisor_inspector: str,
) -> Application:
    """逐户实地竣工验收 by the street with the supervisor (监理): passed → 待拨付; failed → back to construction
    with the reason. Before and after photos of every item must be on file."""
    note = _text(note, field="note", label="验收意见", max_length=500, required=True)
    street_inspector = _name(street_inspector, field="street_inspector", label="街道验收人")
    supervisor_inspector = _name(supervisor_inspector, field="supervisor_inspector", label="监理验收人")
    with transaction.atomic():
        try:
            require_scope(actor, REVIEW, application.region_code)
        except (Forbidden, OutOfScope):
            require_scope(
                actor, SUPERVISE, application.region_code, own=_is_admin_of(actor, application.supervisor)
            )
        application = _locked(application)
        target = S.ACCEPTED if passed else S.BUILDING
        MACHINE.require(application.status, target)
        if passed:
            rows = application.plan_items.filter(included=True).select_related("item")
            missing = _missing_photos(application, PhotoKind.BEFORE, rows) + _missing_photos(
                application, PhotoKind.AFTER, [r for r in rows if r.done]
            )
            if missing:
                message = "改造前后照片不全：" + "、".join(missing)
                raise DomainError(message, code="photos_missing", errors={"photos": [message]})
        updates: dict[str, Any] = {
            "acceptance_note": note,
            "street_inspector": street_inspector,
            "supervisor_inspector": supervisor_inspector,
        }
        if passed:
            updates["accepted_on"] = timezone.localdate()
        return _move(
            application,
            target,
            actor=actor,
            reason=("验收合格：" if passed else "验收不合格：") + note,
            updates=updates,
        )


def split_payment(actual_cost_fen: int, cap_fen: int) -> tuple[int, int]:
    """(subsidy, household): the subsidy is the actual cost up to the cap; the household pays the rest."""
    subsidy = min(actual_cost_fen, cap_fen)
    return subsidy, actual_cost_fen - subsidy


def application_pay(*, actor: Any, application: Application, payment_ref: str = "") -> Application:
    """资金拨付: subsidy = min(actual cost, cap), the household pays the rest to the contractor; the warranty
    runs for the programme's years from acceptance."""
    payment_ref = _text(payment_ref, field="payment_ref", label="拨付凭证号", max_length=50)
    with transaction.atomic():
        require_scope(actor, APPROVE, application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.PAID)
        actual = application.actual_cost_fen
        if actual is None:
            costs = application.plan_items.filter(done=True).values_list("actual_cost_fen", flat=True)
            actual = sum(c or 0 for c in costs)
        subsidy, household = split_payment(int(actual), application.programme.cap_fen)
        accepted = application.accepted_on or timezone.localdate()
        until = anniversary(accepted, application.programme.warranty_years)
        return _move(
            application,
            S.PAID,
            actor=actor,
            reason="补助资金已拨付",
            data={"actual_cost_fen": actual, "subsidy_fen": subsidy, "household_fen": household},
            updates={
                "actual_cost_fen": actual,
                "subsidy_fen": subsidy,
                "household_fen": household,
                "paid_on": timezone.localdate(),
                "payment_ref": payment_ref,
                "warranty_until": until,
            },
        )


def application_reject(*, actor: Any, application: Application, reason: str) -> Application:
    """不予通过, with the reason: the street before publicity ends, the district after."""
    reason = _text(reason, field="reason", label="原因", max_length=300, required=True)
    with transaction.atomic():
        require_scope(actor, REJECT_PERM.get(application.status, APPROVE), application.region_code)
        application = _locked(application)
        MACHINE.require(application.status, S.REJECTED)
        # the status may have moved on meanwhile: the step's own permission decides
        require_scope(actor, REJECT_PERM[application.status], application.region_code)
        return _move(application, S.REJECTED, actor=actor, reason=reason, updates={"closing_reason": reason})


def application_withdraw(*, actor: Any, application: Application, reason: str) -> Application:
    """The elder or guardian withdraws (recorded by the community worker) before construction."""
    reason = _text(reason, field="reason", label="原因", max_length=300, required=True)
    with transaction.atomic():
        require_scope(actor, APPLY, application.region_code)
        application = _locked(application)
        if application.status not in WITHDRAWABLE:
            MACHINE.require(application.status, S.WITHDRAWN)
        return _move(application, S.WITHDRAWN, actor=actor, reason=reason, updates={"closing_reason": reason})


def warranty_claim_create(*, actor: Any, application: Application, description: str) -> WarrantyClaim:
    """报修 within the warranty (from acceptance, the programme's years)."""
    description = _text(description, field="description", label="报修内容", max_length=500, required=True)
    with transaction.atomic():
        require_scope(actor, APPLY, application.region_code)
        application = _locked(application)
        today = timezone.localdate()
        if application.status != S.PAID or application.warranty_until is None:
            raise Conflict(
                "改造拨付后方可报修", code="illegal_transition", extra={"current_status": application.status}
            )
        if today > application.warranty_until:
            raise Conflict(
                f"质保期已于 {application.warranty_until:%Y-%m-%d} 届满",
                code="warranty_expired",
                extra={"current_status": application.status},
            )
        claim = WarrantyClaim.objects.create(
            application=application, description=description, reported_on=today
        )
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.warranty_claim",
            obj=application,
            data={"claim": str(claim.public_id)},
            summary=f"{application.number} 报修",
        )
    return claim


def warranty_claim_repair(*, actor: Any, claim: WarrantyClaim, note: str) -> WarrantyClaim:
    """The contractor records the repair."""
    note = _text(note, field="note", label="维修记录", max_length=500, required=True)
    application = claim.application
    with transaction.atomic():
        _require_builder(actor, application)
        claim = WarrantyClaim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != ClaimStatus.OPEN:
            raise Conflict("该报修已处理", code="illegal_transition", extra={"current_status": claim.status})
        claim.status = ClaimStatus.REPAIRED
        claim.repaired_on = timezone.localdate()
        claim.repair_note = note
        claim.save(update_fields=["status", "repaired_on", "repair_note"])
        audit_record(
            actor=actor,
            region=application.region_code,
            event="renovation.warranty_repair",
            obj=application,
            data={"claim": str(claim.public_id)},
            summary=f"{application.number} 保修维修完成",
        )
    return claim
