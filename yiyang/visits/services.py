"""Writes of 探访关爱. Every service checks the acting user's scope itself (``require_scope``) inside its
transaction and audits; follow-ups go through the owning module's service (orders, assessments, hotline,
renovation)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError, OutOfScope
from yiyang.core.geo import haversine_m
from yiyang.core.regioncodes import normalize_region_code, scope_prefix
from yiyang.core.validators import check_text
from yiyang.regions.scope import SYSTEM, require_actor, require_scope
from yiyang.visits import rules as R
from yiyang.visits import selectors as sel
from yiyang.visits.choices import (
    FINDINGS,
    HAZARDS,
    CampaignEvent,
    FollowUpKind,
    Method,
    PlanItemStatus,
    RiskClass,
)
from yiyang.visits.models import (
    Campaign,
    CampaignTarget,
    FollowUp,
    PlanItem,
    RiskOverride,
    RiskStatus,
    RuleSet,
    Visit,
    VisitPhoto,
    VisitPlan,
)

if TYPE_CHECKING:
    from yiyang.elders.models import Elder

# Roles that visit (网格员/社区工作者, 志愿者); a community without them falls back on its street's workers.
VISITOR_ROLES = ("community_worker", "volunteer")
STREET_ROLES = ("street_worker",)
MAX_PAST_DAYS = 62
BATCH = 2000


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field: [message]})


def _text(value: Any, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    try:
        out = check_text("" if value is None else str(value), label=label, max_length=max_length)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from exc
    if required and not out:
        raise _invalid(field, f"请填写{label}")
    return out


# ------------------------------------------------------------------------------------------- risk


def store_risk(
    elders: list[Elder], day: date | None = None, sets: dict[str, RuleSet | None] | None = None
) -> dict[str, int]:
    """Classify these elders now and keep the result (inside the caller's transaction, whose service has
    already checked the scope: the register's hook, a visit, an override, the nightly job)."""
    day = day or timezone.localdate()
    if not elders:
        return {}
    facts = sel.facts_for(elders, day)
    existing = {s.elder_id: s for s in RiskStatus.objects.filter(elder_id__in=[e.pk for e in elders])}
    overrides: dict[int, RiskOverride] = {}
    for o in RiskOverride.objects.filter(
        elder_id__in=[e.pk for e in elders], revoked_at__isnull=True, expires_on__gte=day
    ).order_by("created_at", "pk"):
        overrides[o.elder_id] = o
    sets = {} if sets is None else sets  # the rule set per region, shared across a run's batches
    now = timezone.now()
    new_rows, changed_rows, counts = [], [], Counter[str]()
    for elder in elders:
        if elder.region_id not in sets:
            sets[elder.region_id] = sel.ruleset_for(elder.region_id, day)
        risk = sel.evaluate(elder, facts[elder.pk], sets[elder.region_id], overrides.get(elder.pk))
        counts[risk.risk_class or "none"] += 1
        row = existing.get(elder.pk)
        if row is None:
            row = RiskStatus(elder_id=elder.pk, class_since=day if risk.risk_class else None)
            new_rows.append(row)
        elif row.risk_class != risk.risk_class:
            row.class_since = day if risk.risk_class else None
            changed_rows.append(row)
        elif (
            row.reasons != risk.reasons
            or row.tekun != risk.tekun
            or row.region_code != elder.region_id
            or row.rule_set_id != (risk.rule_set.pk if risk.rule_set else None)
        ):
            changed_rows.append(row)
        else:
            continue
        row.region_code = elder.region_id
        row.risk_class = risk.risk_class
        row.computed_class = risk.computed_class
        row.reasons = risk.reasons
        row.overridden = risk.overridden
        row.tekun = risk.tekun
        row.rule_set = risk.rule_set
        row.computed_at = now
    RiskStatus.objects.bulk_create(new_rows, batch_size=BATCH)
    RiskStatus.objects.bulk_update(
        changed_rows,
        [
            "region_code",
            "risk_class",
            "computed_class",
            "reasons",
            "overridden",
            "tekun",
            "rule_set",
            "class_since",
            "computed_at",
        ],
        batch_size=BATCH,
    )
    return {"classified": len(elders), "changed": len(new_rows) + len(changed_rows), **dict(counts)}


def on_elder_registered(event: Any) -> dict[str, Any]:
    """The register's hook: an elder created or edited is classified in the same transaction."""
    from yiyang.elders.selectors import elder_list

    elder = elder_list(user=SYSTEM).filter(pk=event.elder_pk).first()
    if elder is not None:
        store_risk([elder])
    return {}


def on_elder_status(event: Any) -> dict[str, Any]:
    """Death or moving out: the class ends (and with it the visits due)."""
    from yiyang.elders.selectors import elder_list

    elder = elder_list(user=SYSTEM).filter(public_id=event.elder_id).first()
    if elder is None:
        return {}
    store_risk([elder])
    dropped = PlanItem.objects.filter(elder=elder, status=PlanItemStatus.DUE).update(
        status=PlanItemStatus.CANCELLED
    )
    return {"visits_cancelled": dropped} if dropped else {}


def risk_reclassify_all(*, actor: Any, region_code: str = "") -> dict[str, int]:
    """Nightly: every elder of the region (the whole city for the job), in batches."""
    from yiyang.elders.selectors import elder_list

    require_scope(actor, "visits.rules", region_code or "")
    day = timezone.localdate()
    qs = elder_list(user=actor, perm="visits.view") if actor is not SYSTEM else elder_list(user=SYSTEM)
    if region_code:
        qs = qs.filter(region__code__startswith=scope_prefix(region_code))
    total: Counter[str] = Counter()
    sets: dict[str, RuleSet | None] = {}
    last = 0
    while True:
        batch = list(qs.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            break
        with transaction.atomic():
            total.update(store_risk(batch, day, sets))
        last = batch[-1].pk
    with transaction.atomic():
        audit_record(
            actor=actor,
            region=region_code or _city(),
            event="visits.reclassified",
            data={k: v for k, v in total.items() if k in {"classified", "changed"}},
        )
    return dict(total)


def _city() -> str:
    from yiyang.core.jobs import city_code

    return city_code()


def ruleset_publish(
    *,
    actor: Any,
    region_code: str,
    rules: Any,
    valid_from: date | None = None,
    raise_days: int = 30,
    raise_on_hazard: bool = True,
    note: str = "",
) -> RuleSet:
    """A new version of a region's rules (never an edit of the old one); the elders are reclassified by
    the nightly job and on every read."""
    try:
        code = normalize_region_code(str(region_code))
    except ValueError as exc:
        raise _invalid("region", str(exc)) from exc
    errors = R.check_rules(rules)
    if errors:
        raise DomainError("规则有误，请检查标出的规则", code="validation_error", errors=errors)
    if not 1 <= int(raise_days) <= 365:
        raise _invalid("raise_days", "上调期限应为 1–365 天")
    note = _text(note, "note", "说明", 300)
    clean = [
        {
            "code": str(r["code"]).strip(),
            "class": r["class"],
            "name": str(r["name"]).strip(),
            "when": [list(dict.fromkeys(c)) for c in r["when"]],
        }
        for r in rules
    ]
    with transaction.atomic():
        require_scope(actor, "visits.rules", code)
        last = RuleSet.objects.select_for_update().filter(region_code=code).order_by("-version").first()
        row = RuleSet.objects.create(
            region_code=code,
            version=(last.version + 1) if last else 1,
            valid_from=valid_from or timezone.localdate(),
            rules=clean,
            raise_days=int(raise_days),
            raise_on_hazard=bool(raise_on_hazard),
            note=note,
            created_by=actor,
        )
        audit_record(
            actor=actor, region=code, event="visits.rules_published", obj=row, data={"version": row.version}
        )
    return row


def risk_override(
    *, actor: Any, elder: Elder, risk_class: str, reason: str, expires_on: date | None = None
) -> RiskOverride:
    """A worker sets the class by hand (with the reason) until ``expires_on`` (default 90 days)."""
    if risk_class not in {"", *RiskClass.values}:
        raise _invalid("class", "分类只能是 A、B、C 或不分类")
    reason = _text(reason, "reason", "理由", 300, required=True)
    today = timezone.localdate()
    expires_on = expires_on or today + timedelta(days=90)
    if expires_on < today or expires_on > today + timedelta(days=366):
        raise _invalid("expires_on", "有效期应在今天到一年之内")
    with transaction.atomic():
        require_scope(actor, "visits.override", elder.region_id)
        RiskOverride.objects.filter(elder=elder, revoked_at__isnull=True).update(revoked_at=timezone.now())
        row = RiskOverride.objects.create(
            elder=elder,
            region_code=elder.region_id,
            risk_class=risk_class,
            reason=reason,
            expires_on=expires_on,
            created_by=actor,
        )
        store_risk([elder])
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="visits.risk_overridden",
            obj=elder,
            data={"class": risk_class, "expires_on": expires_on.isoformat()},
        )
    return row


def risk_override_revoke(*, actor: Any, override: RiskOverride) -> RiskOverride:
    with transaction.atomic():
        require_scope(actor, "visits.override", override.region_code)
        n = RiskOverride.objects.filter(pk=override.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not n:
            raise Conflict("该调整已撤销", code="concurrent_update")
        override.refresh_from_db()
        store_risk([override.elder])
        audit_record(
            actor=actor, region=override.region_code, event="visits.override_revoked", obj=override.elder
        )
    return override


# ------------------------------------------------------------------------------------------- visits

_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def clean_findings(findings: Any) -> tuple[dict[str, Any], list[str]]:
    """The checklist as recorded, and the safety hazards it names. Known items take their listed answers
    (or a short note); other items are kept as short notes, yes/no or numbers."""
    if findings in (None, ""):
        return {}, []
    if not isinstance(findings, dict):
        raise _invalid("findings", "探访情况应为各项目及其结果")
    if len(findings) > 40:
        raise _invalid("findings", "探访情况项目过多")
    out: dict[str, Any] = {}
    hazards: list[str] = []
    for key, value in findings.items():
        field = f"findings.{key}"
        if not isinstance(key, str) or not _KEY.match(key):
            raise _invalid("findings", "探访情况的项目名无效")
        if key in {"hazards", "safety_hazards"}:
            items = value
            if isinstance(value, dict):
                items = [k for k, v in value.items() if v]
            if isinstance(items, str):
                items = [items] if items else []
            if not isinstance(items, list) or len(items) > 10:
                raise _invalid(field, f"安全隐患只能从以下选择：{'、'.join(HAZARDS.values())}")
            for item in items:
                if item in HAZARDS:
                    hazards.append(item)
                else:
                    code = next((k for k, label in HAZARDS.items() if label == item), None)
                    if code is None:
                        raise _invalid(field, f"安全隐患只能从以下选择：{'、'.join(HAZARDS.values())}")
                    hazards.append(code)
            continue
        if key in HAZARDS and isinstance(value, bool):
            if value:
                hazards.append(key)
            continue
        if isinstance(value, bool) or value is None or isinstance(value, int | float):
            out[key] = value
        elif isinstance(value, str):
            out[key] = _text(value, field, FINDINGS.get(key, ("记录", {}))[0], 500)
        else:
            raise _invalid(field, "每项应为选项、是/否、数字或简短文字")
    return out, list(dict.fromkeys(hazards))


def _when(visited_at: Any) -> datetime:
    if isinstance(visited_at, str):
        try:
            visited_at = datetime.fromisoformat(visited_at)
        except ValueError as exc:
            raise _invalid("visited_at", "探访时间格式不正确") from exc
    if not isinstance(visited_at, datetime):
        raise _invalid("visited_at", "请填写探访时间")
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    now = timezone.now()
    if visited_at > now + timedelta(minutes=5):
        raise _invalid("visited_at", "探访时间不能晚于当前时间")
    if visited_at < now - timedelta(days=MAX_PAST_DAYS):
        raise _invalid("visited_at", f"探访时间不能早于 {MAX_PAST_DAYS} 天前")
    return visited_at


def _coord(value: Any, field: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise _invalid(field, "坐标应为数字") from exc
    if not low <= out <= high:
        raise _invalid(field, "坐标超出范围")
    return out


def visit_record(
    *,
    actor: Any,
    elder: Elder,
    method: str,
    visited_at: Any,
    seen: bool,
    findings: Any = None,
    lat: Any = None,
    lng: Any = None,
    notes: str = "",
    follow_ups: list[dict[str, Any]] | None = None,
    photos: list[Any] | None = None,
) -> Visit:
    """Record a visit. Someone seen: the visit due in that window is done, a campaign's target reached.
    In person with a position: its distance to the home is kept. Hazards keep the class raised until a
    later visit finds none (or the hazard is closed). Follow-ups are created through their own module's
    service in the same transaction: any refusal leaves no visit behind."""
    require_actor(actor)
    if method not in Method.values:
        raise _invalid("method", "探访方式只能是电话问候、视频连线或上门探访")
    if not isinstance(seen, bool):
        raise _invalid("seen", "请说明是否见到（联系上）老人")
    at = _when(visited_at)
    clean, hazards = clean_findings(findings)
    lat_f, lng_f = _coord(lat, "lat", -90, 90), _coord(lng, "lng", -180, 180)
    if (lat_f is None) != (lng_f is None):
        raise _invalid("lat", "经纬度应同时填写")
    notes = _text(notes, "notes", "备注", 500)
    if len(follow_ups or []) > 5:
        raise _invalid("follow_ups", "一次探访最多转办 5 项")
    if len(photos or []) > 6:
        raise _invalid("photos", "一次探访最多上传 6 张照片")
    distance = None
    if method == Method.IN_PERSON and lat_f is not None and elder.lat is not None and elder.lng is not None:
        distance = round(haversine_m(lat_f, lng_f, elder.lat, elder.lng))  # type: ignore[arg-type]
    with transaction.atomic():
        require_scope(actor, "visits.record", elder.region_id)
        if elder.status != "active":
            raise _invalid("elder", "老人已故或已迁出，不能登记探访")
        visit = Visit.objects.create(
            elder=elder,
            region_code=elder.region_id,
            visitor=actor if getattr(actor, "is_authenticated", False) else None,
            method=method,
            visited_at=at,
            seen=seen,
            findings=clean,
            hazards=hazards if seen else [],
            hazard_open=bool(hazards) and seen,
            lat=lat_f,
            lng=lng_f,
            distance_m=distance,
            notes=notes,
        )
        if seen:
            day = timezone.localtime(at).date()
            for item in PlanItem.objects.select_for_update().filter(
                elder=elder, status=PlanItemStatus.DUE, slot_start__lte=day
            ):
                item.status = PlanItemStatus.DONE if item.slot_end >= day else PlanItemStatus.DONE_LATE
                item.visit = visit
                item.save(update_fields=["status", "visit"])
            CampaignTarget.objects.filter(
                elder=elder, reached_at__isnull=True, campaign__starts_at__lte=at + timedelta(minutes=5)
            ).update(reached_at=at, visit=visit)
            if not hazards:
                Visit.objects.filter(elder=elder, hazard_open=True).exclude(pk=visit.pk).update(
                    hazard_open=False, hazard_closed_at=timezone.now()
                )
        for i, spec in enumerate(follow_ups or []):
            _follow_up(actor, visit, elder, spec, f"follow_ups[{i}]")
        for i, upload in enumerate(photos or []):
            _photo(visit, upload, f"photos[{i}]")
        store_risk([elder])
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="visits.recorded",
            obj=elder,
            data={"method": method, "seen": seen, "hazards": hazards, "follow_ups": len(follow_ups or [])},
            summary=f"{elder.name} {Method(method).label}{'' if seen else '（未见到老人）'}",
        )
    return visit


def _follow_up(actor: Any, visit: Visit, elder: Elder, spec: Any, field: str) -> FollowUp:
    if not isinstance(spec, dict):
        raise _invalid(field, "转办事项应包含类型")
    kind = spec.get("kind")
    note = _text(spec.get("note", ""), f"{field}.note", "说明", 200)
    if kind == FollowUpKind.ORDER:
        from yiyang.orders.services import order_create
        from yiyang.providers.selectors import service_item_get

        item = service_item_get(public_id=spec.get("service_item")) if spec.get("service_item") else None
        if item is None:
            raise _invalid(f"{field}.service_item", "请选择服务项目")
        start = spec.get("scheduled_start")
        try:
            when = datetime.fromisoformat(start) if isinstance(start, str) else start
        except ValueError as exc:
            raise _invalid(f"{field}.scheduled_start", "预约时间格式不正确") from exc
        if not isinstance(when, datetime):
            raise _invalid(f"{field}.scheduled_start", "请填写预约上门时间")
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        order = order_create(
            actor=actor,
            elder=elder,
            service_item=item,
            scheduled_start=when,
            channel="community",
            note=note or "探访发现需求",
        )
        return FollowUp.objects.create(
            visit=visit,
            kind=kind,
            target_id=order.public_id,
            label=f"{item.name} {timezone.localtime(when):%m月%d日 %H:%M}",
        )
    if kind == FollowUpKind.ASSESSMENT:
        from yiyang.assessments.services import assessment_request_immediate

        assessment = assessment_request_immediate(
            elder=elder, reason=note or "探访发现身体状况变化", source="visit", actor=actor
        )
        return FollowUp.objects.create(
            visit=visit, kind=kind, target_id=assessment.public_id, label="即时评估"
        )
    if kind == FollowUpKind.WORK_ORDER:
        from yiyang.hotline.services import work_order_create

        title = _text(spec.get("title") or "探访发现的问题", f"{field}.title", "标题", 100, required=True)
        work_order = work_order_create(
            actor=actor,
            title=title,
            content=note or title,
            region_code=elder.region_id,
            elder=elder,
        )
        return FollowUp.objects.create(visit=visit, kind=kind, target_id=work_order.public_id, label=title)
    if kind == FollowUpKind.RENOVATION:
        return _renovation_follow_up(actor, visit, elder, spec, field)
    raise _invalid(f"{field}.kind", "转办类型只能是居家上门服务工单、能力评估申请、热线工单或适老化改造申请")


def _renovation_follow_up(
    actor: Any, visit: Visit, elder: Elder, spec: dict[str, Any], field: str
) -> FollowUp:
    """A home aging-renovation application (居家适老化改造) taken by the visitor as community worker
    (代为申请), under the programme in force for the elder's region (the most local one: the county's
    before the city's), through renovation's own service: its eligibility rules decide, and a refusal
    names them and leaves no visit behind."""
    from yiyang.renovation.choices import Applicant, ProgrammeStatus
    from yiyang.renovation.selectors import programme_list
    from yiyang.renovation.services import application_create, covers

    facts = {}
    for key, label in (
        ("housing_right", "是否有房屋产权或使用权"),
        ("in_demolition_plan", "是否在拆迁计划内"),
    ):
        value = spec.get(key)
        if not isinstance(value, bool):
            raise _invalid(f"{field}.{key}", f"请说明{label}")
        facts[key] = value
    programmes = [
        p
        for p in programme_list(user=actor, perm="renovation.apply").filter(status=ProgrammeStatus.ACTIVE)
        if covers(p, elder.region_id)
    ]
    if not programmes:
        raise _invalid(f"{field}.kind", "老人所在区域暂无实施中的适老化改造项目")
    programme = max(programmes, key=lambda p: (len(scope_prefix(p.region_code)), p.year, p.pk))
    try:
        application = application_create(
            actor=actor,
            programme=programme,
            elder=elder,
            application_date=timezone.localtime(visit.visited_at).date(),
            housing_right=facts["housing_right"],
            in_demolition_plan=facts["in_demolition_plan"],
            applicant=Applicant.COMMUNITY_WORKER,
            applicant_name=getattr(actor, "display_name", "") or "",
        )
    except OutOfScope:
        raise
    except DomainError as exc:
        raise _invalid(field, f"适老化改造申请未受理：{exc.message}") from exc
    return FollowUp.objects.create(
        visit=visit, kind=FollowUpKind.RENOVATION, target_id=application.public_id, label=application.number
    )


def _photo(visit: Visit, upload: Any, field: str) -> VisitPhoto:
    from yiyang.renovation.photos import process_photo, store

    try:
        processed = process_photo(upload)
    except DomainError as exc:
        raise _invalid(field, exc.message) from exc
    photo = VisitPhoto(visit=visit, taken_at=processed.taken_at, lat=processed.lat, lng=processed.lng)
    store(photo, processed)
    photo.save()
    return photo


def visit_add_photo(*, actor: Any, visit: Visit, upload: Any) -> VisitPhoto:
    with transaction.atomic():
        require_scope(actor, "visits.record", visit.region_code)
        photo = _photo(visit, upload, "image")
        audit_record(actor=actor, region=visit.region_code, event="visits.photo", obj=visit.elder)
    return photo


def visit_hazard_close(*, actor: Any, visit: Visit, note: str = "") -> Visit:
    """A hazard found on a visit has been dealt with (the class falls back on the next reading)."""
    note = _text(note, "note", "说明", 200)
    with transaction.atomic():
        require_scope(actor, "visits.record", visit.region_code)
        n = Visit.objects.filter(pk=visit.pk, hazard_open=True).update(
            hazard_open=False, hazard_closed_at=timezone.now()
        )
        if not n:
            raise Conflict("该隐患已消除", code="concurrent_update")
        visit.refresh_from_db()
        store_risk([visit.elder])
        audit_record(
            actor=actor,
            region=visit.region_code,
            event="visits.hazard_closed",
            obj=visit.elder,
            data={"note": note},
        )
    return visit


# ------------------------------------------------------------------------------------------- plans


def _period(period: str) -> str:
    if not isinstance(period, str) or not re.match(r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$", period):
        raise _invalid("period", "月份格式应为 YYYY-MM")
    return period


def visitors_of(community_code: str) -> list[Any]:
    """Who visits in a community: its grid/community workers and volunteers, else its street's workers."""
    from yiyang.accounts.models import Grant

    found = list(
        Grant.objects.filter(
            region_id=community_code, role__in=VISITOR_ROLES, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    if not found:
        street = community_code[:9] + "000"
        found = list(
            Grant.objects.filter(
                region_id=street, role__in=STREET_ROLES, is_active=True, user__is_active=True
            )
            .select_related("user")
            .order_by("user_id")
        )
    return list({g.user_id: g.user for g in found}.values())


def plan_generate(*, actor: Any, region_code: str, period: str) -> VisitPlan:
    """The month's visits due for every classed (and 特困) elder of a community, each elder's visits to
    one visitor: the one who visited last time if their load allows, else the least loaded. Run again
    it adds what is new (an elder classed since) and keeps what was assigned."""
    period = _period(period)
    try:
        code = normalize_region_code(str(region_code))
    except ValueError:
        raise OutOfScope("没有这个区域") from None
    from yiyang.regions.models import Region

    region = Region.objects.filter(code=code).first()
    if region is None:  # a region that does not exist is answered as one outside the scope: 404
        raise OutOfScope("没有这个区域")
    if region.level != "village":
        raise _invalid("region", "探访计划按社区（村）生成，请选择社区（村）")
    with transaction.atomic():
        require_scope(actor, "visits.plan", code)
        plan, _ = VisitPlan.objects.get_or_create(region_code=code, period=period)
        plan.generated_by = actor if getattr(actor, "is_authenticated", False) else None
        plan.save()
        wins = sel.windows(code, period)
        have = set(
            PlanItem.objects.filter(elder_id__in={w.elder_id for w in wins}).values_list(
                "elder_id", "slot_start"
            )
        )
        visitors = visitors_of(code)
        load: Counter[int] = Counter(
            PlanItem.objects.filter(plan=plan, visitor__isnull=False).values_list("visitor_id", flat=True)
        )
        previous: dict[int, int] = {}
        for elder_id, visitor_id in (
            PlanItem.objects.filter(elder_id__in={w.elder_id for w in wins}, visitor__isnull=False)
            .order_by("slot_start")
            .values_list("elder_id", "visitor_id")
        ):
            previous[elder_id] = visitor_id
        for elder_id, visitor_id in (
            Visit.objects.filter(elder_id__in={w.elder_id for w in wins}, visitor__isnull=False)
            .order_by("visited_at")
            .values_list("elder_id", "visitor_id")
        ):
            previous.setdefault(elder_id, visitor_id)
        by_elder: dict[int, list[sel.Window]] = defaultdict(list)
        for w in wins:
            if (w.elder_id, w.start) not in have:
                by_elder[w.elder_id].append(w)
        ids = {v.pk for v in visitors}
        total = sum(load.values()) + sum(len(v) for v in by_elder.values())
        cap = -(-total // len(visitors)) if visitors else 0
        rows = []
        for elder_id in sorted(by_elder, key=lambda e: (-len(by_elder[e]), e)):
            mine = by_elder[elder_id]
            chosen: int | None = None
            if visitors:
                prev = previous.get(elder_id)
                if prev is not None and prev in ids and load[prev] + len(mine) <= cap:
                    chosen = prev
                else:
                    chosen = min(ids, key=lambda u: (load[u], u))
                load[chosen] += len(mine)
            for w in mine:
                rows.append(
                    PlanItem(
                        plan=plan,
                        elder_id=elder_id,
                        region_code=w.region_code,
                        risk_class=w.risk_class,
                        slot_start=w.start,
                        slot_end=w.end,
                        visitor_id=chosen,
                    )
                )
        PlanItem.objects.bulk_create(rows, batch_size=BATCH)
        audit_record(
            actor=actor,
            region=code,
            event="visits.plan_generated",
            obj=plan,
            data={"period": period, "added": len(rows)},
            summary=f"{region.name} {period} 探访计划，新增应探访 {len(rows)} 次",
        )
    return plan


MAX_REASSIGN = 500


def plan_items_reassign(
    *, actor: Any, plan: VisitPlan, item_ids: list[Any], visitor: Any, reason: str
) -> list[PlanItem]:
    """Hand one or several open (still due) visits of a community's plan to another visitor of that
    community (its grid/community workers and volunteers, else its street's workers), with a reason;
    audited with each visit's previous visitor. Visits already done, of another plan, or already with
    that visitor are refused, naming the visit."""
    import uuid

    reason = _text(reason, "reason", "改派理由", 200, required=True)
    wanted: list[uuid.UUID] = []
    for raw in item_ids or []:
        try:
            wanted.append(uuid.UUID(str(raw)))
        except (TypeError, ValueError):
            raise _invalid("items", "所选探访不存在") from None
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        raise _invalid("items", "请选择要改派的探访")
    if len(wanted) > MAX_REASSIGN:
        raise _invalid("items", f"一次最多改派 {MAX_REASSIGN} 次探访")
    with transaction.atomic():
        require_scope(actor, "visits.plan", plan.region_code)
        eligible = {u.pk: u for u in visitors_of(plan.region_code)}
        if visitor is None or getattr(visitor, "pk", None) not in eligible:
            raise _invalid("visitor", "只能改派给本社区（村）的网格员、社区工作者或志愿者")
        items = {
            i.public_id: i
            for i in PlanItem.objects.select_for_update(of=("self",))
            .select_related("elder", "visitor")
            .filter(plan=plan, public_id__in=wanted)
        }
        for n, key in enumerate(wanted, 1):
            item = items.get(key)
            if item is None:
                raise _invalid("items", f"第 {n} 项不是本计划的探访")
            when = f"{item.elder.name} {item}"
            if item.status != PlanItemStatus.DUE:
                raise _invalid("items", f"{when} 已完成，不能改派")
            if item.visitor_id == visitor.pk:
                raise _invalid("items", f"{when} 已由{visitor.display_name or '该探访人'}负责")
        moved = [items[k] for k in wanted]
        previous = Counter(i.visitor.display_name if i.visitor else "未分配" for i in moved)
        PlanItem.objects.filter(pk__in=[i.pk for i in moved]).update(visitor=visitor)
        name = visitor.display_name or "探访人"
        audit_record(
            actor=actor,
            region=plan.region_code,
            event="visits.reassigned",
            obj=plan,
            data={
                "items": [str(i.public_id) for i in moved],
                "elders": sorted({str(i.elder.public_id) for i in moved}),
                "visitor": str(visitor.public_id),
                "from": [str(i.visitor.public_id) if i.visitor else None for i in moved],
                "reason": reason,
            },
            summary=f"{len(moved)} 次探访改派给 {name}（原："
            + "、".join(f"{k} {v} 次" for k, v in previous.items())
            + f"）：{reason}",
        )
    for item in moved:
        item.visitor = visitor
    return moved


# ------------------------------------------------------------------------------------------- campaigns


def campaign_start(
    *,
    actor: Any,
    name: str,
    event: str,
    region_code: str,
    classes: list[str],
    deadline: datetime | None = None,
) -> Campaign:
    """专项探访: every elder of ``classes`` in the region (as classified now) must be reached by the
    deadline (default 24 hours)."""
    name = _text(name, "name", "名称", 100, required=True)
    if event not in CampaignEvent.values:
        raise _invalid("event", "事件只能是高温、台风、疫情、寒潮或其他突发情况")
    if not classes or not isinstance(classes, list) or any(c not in RiskClass.values for c in classes):
        raise _invalid("classes", "请选择风险分类（A、B、C）")
    try:
        code = normalize_region_code(str(region_code))
    except ValueError as exc:
        raise _invalid("region", str(exc)) from exc
    now = timezone.now()
    deadline = deadline or now + timedelta(hours=24)
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= now or deadline > now + timedelta(days=30):
        raise _invalid("deadline", "完成时限应在现在之后 30 天以内")
    with transaction.atomic():
        require_scope(actor, "visits.campaign", code)
        campaign = Campaign.objects.create(
            name=name,
            event=event,
            region_code=code,
            classes=sorted(set(classes)),
            starts_at=now,
            deadline=deadline,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        rows = [
            CampaignTarget(campaign=campaign, elder_id=e, region_code=rc, risk_class=c)
            for e, rc, c in RiskStatus.objects.filter(
                region_code__startswith=scope_prefix(code), risk_class__in=classes, elder__status="active"
            ).values_list("elder_id", "region_code", "risk_class")
        ]
        CampaignTarget.objects.bulk_create(rows, batch_size=BATCH)
        audit_record(
            actor=actor,
            region=code,
            event="visits.campaign_started",
            obj=campaign,
            data={"targets": len(rows), "classes": campaign.classes},
            summary=f"{name}：{len(rows)} 位老人",
        )
    return campaign
