"""Writes of the hotline: calls, incidents (紧急呼援), work orders (工单) with the 12345 transfer, API
keys of integrations, the duty roster and the escalation sweep. Every function checks scope through
``require_scope`` inside its transaction, moves state through ``transition`` and audits."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.channels import notify, sms_send
from yiyang.core.errors import Conflict, DomainError
from yiyang.core.identifiers import IdentifierError, mask_name, mask_phone, normalize_phone
from yiyang.core.jobs import city_code
from yiyang.core.outbox import outbox_put
from yiyang.core.pii import decrypt, encrypt
from yiyang.core.policy import policy_value
from yiyang.core.regioncodes import scope_prefix
from yiyang.core.statemachine import IllegalTransition, timeline_write, transition
from yiyang.core.validators import check_name, check_text
from yiyang.elders.choices import ElderStatus
from yiyang.elders.identity import phone_index
from yiyang.elders.selectors import elder_list, is_elder_contact
from yiyang.elders.services import elder_reveal_for_duty
from yiyang.hotline.choices import (
    AnswerKind,
    CallDirection,
    CallKind,
    HandlerKind,
    IncidentKind,
    IncidentOutcome,
    IncidentSource,
    Satisfaction,
    ShiftRole,
    WorkOrderSource,
)
from yiyang.hotline.choices import IncidentStatus as I
from yiyang.hotline.choices import WorkOrderStatus as W
from yiyang.hotline.models import (
    Appointment,
    Call,
    CallAnswer,
    CareCallBatch,
    CareCallTask,
    Incident,
    IncidentEvent,
    Integration,
    Shift,
    WorkOrder,
    WorkOrderEvent,
)
from yiyang.hotline.selectors import elders_for_number, key_hash
from yiyang.hotline.transitions import INCIDENT_MACHINE, TRANSFERABLE, WORK_ORDER_MACHINE
from yiyang.regions.scope import SYSTEM, require_actor, require_scope

if TYPE_CHECKING:
    from yiyang.elders.models import Elder

ARRIVAL_TARGET = "hotline.arrival_target"
ACK_TIMEOUT = "hotline.ack_timeout"
WORK_ORDER_DEADLINE = "hotline.work_order_deadline"


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field: [message]})


def _choice(value: str, choices: Any, field: str, label: str) -> str:
    if value not in choices.values:
        raise _invalid(field, f"{label}无效")
    return value


def actor_region(actor: Any, perm: str) -> str:
    """The region a row without an elder is filed under: the actor's widest grant holding ``perm``
    (padded to 12 digits), or the city for the system and superusers."""
    if actor is SYSTEM or getattr(actor, "is_superuser", False):
        return city_code()
    prefixes = actor.scope_prefixes(perm) if getattr(actor, "is_authenticated", False) else []
    return prefixes[0].ljust(12, "0") if prefixes else city_code()


def phone_digits(number: str) -> tuple[str, str]:
    """(normalised number, digits for the blind index); a number that is not a Chinese phone number
    (a short code, an operator's internal line) is kept as typed and matches nobody."""
    text = (number or "").strip()
    try:
        normal = normalize_phone(text)
    except IdentifierError:
        return text, ""
    return normal, normal.replace("-", "")


# --- calls ------------------------------------------------------------------------------------------------


def call_log(
    *,
    actor: Any,
    direction: str,
    number: str,
    kind: str,
    notes: str = "",
    duration_seconds: int | None = None,
    recording_ref: str = "",
    started_at: datetime | None = None,
) -> tuple[Call, list[Elder]]:
    """Record one call and return it with the elders in the actor's scope whose phone, or whose
    contact's phone (a relative calling), is that number (matched through the phone blind index, never by
    decrypting). The call is filed under the first matched elder's region, otherwise under the actor's own
    region."""
    require_actor(actor)
    _choice(direction, CallDirection, "direction", "通话方向")
    _choice(kind, CallKind, "kind", "通话类型")
    normal, digits = phone_digits(number)
    if not normal or len(normal) > 20:
        raise _invalid("number", "请填写 3–20 位电话号码")
    notes = check_text(notes, label="记录", max_length=1000, multiline=True) if notes else ""
    matched: list[Any] = []
    if digits:
        matched = elders_for_number(actor, phone_index(digits))
    region = matched[0].region_id if matched else actor_region(actor, "calls.add")
    with transaction.atomic():
        require_scope(actor, "calls.add", region)
        call = Call.objects.create(
            direction=direction,
            kind=kind,
            number_enc=encrypt(normal),
            number_hash=phone_index(digits) if digits else "",
            number_masked=mask_phone(normal),
            elder=matched[0] if len(matched) == 1 else None,
            operator=_user(actor),
            notes=notes,
            started_at=started_at or timezone.now(),
            answered_at=timezone.now() if direction == CallDirection.IN else None,
            duration_seconds=duration_seconds,
            recording_ref=recording_ref[:200],
            region_code=region,
        )
        audit_record(
            actor=actor,
            region=region,
            event="hotline.call",
            obj=call,
            data={"direction": direction, "kind": kind, "matched": len(matched)},
        )
    return call, matched


def call_finish(*, actor: Any, call: Call, duration_seconds: int, notes: str = "") -> Call:
    """Close the call record: its duration (seconds) and the operator's notes."""
    if duration_seconds < 0 or duration_seconds > 24 * 3600:
        raise _invalid("duration_seconds", "通话时长应在 0–86400 秒之间")
    notes = check_text(notes, label="记录", max_length=1000, multiline=True) if notes else call.notes
    with transaction.atomic():
        require_scope(actor, "calls.add", call.region_code)
        Call.objects.filter(pk=call.pk).update(duration_seconds=duration_seconds, notes=notes)
        audit_record(actor=actor, region=call.region_code, event="hotline.call_finished", obj=call, data={})
    call.duration_seconds, call.notes = duration_seconds, notes
    return call


# --- answers on a call: 查询养老院 and 预约挂号 from the platform's own data -------------------------------

APPOINTMENT_REMIND_HOURS = (0, 2, 24)


def call_recommend(
    *,
    actor: Any,
    call: Call,
    facility: Any = None,
    organisation: Any = None,
    elder: Elder | None = None,
    note: str = "",
) -> CallAnswer:
    """Record on the call what the operator recommended: a facility (or an organisation without one) of
    the register, with what was said about it (type, grade, beds, phone) and the distance from the
    elder's home at the time. The caller looks it up through ``selectors.answer_options``."""
    from yiyang.core.geo import haversine_m
    from yiyang.core.validators import as_domain_error

    if facility is None and organisation is None:
        raise _invalid("facility", "请选择推荐的养老服务设施或服务机构")
    with as_domain_error("note"):
        note = check_text(note, label="答复说明", max_length=300) if note else ""
    org = facility.organisation if facility is not None else organisation
    distance = None
    if facility is not None and elder is not None:
        e_lat, e_lng, f_lat, f_lng = elder.lat, elder.lng, facility.lat, facility.lng
        if e_lat is not None and e_lng is not None and f_lat is not None and f_lng is not None:
            distance = int(haversine_m(e_lat, e_lng, f_lat, f_lng))
    parts = [org.get_org_type_display()]
    if org.grade:
        parts.append(f"{org.get_grade_display()}机构")
    if facility is not None:
        beds = facility.beds_ordinary + facility.beds_nursing + facility.beds_dementia
        parts.append(f"床位 {beds} 张")
    if org.phone:
        parts.append(f"电话 {org.phone}")
    with transaction.atomic():
        require_scope(actor, "calls.add", call.region_code)
        answer = CallAnswer.objects.create(
            call=call,
            kind=AnswerKind.FACILITY if facility is not None else AnswerKind.PROVIDER,
            facility=facility,
            organisation=org,
            name=(facility.name if facility is not None else org.name)[:200],
            details="；".join(parts)[:300],
            distance_m=distance,
            note=note,
            created_by=_user(actor),
            region_code=call.region_code,
        )
        audit_record(
            actor=actor,
            region=call.region_code,
            event="hotline.call_answer",
            obj=call,
            data={"kind": answer.kind, "name": answer.name},
        )
    return answer


def appointment_book(
    *,
    actor: Any,
    call: Call,
    at: datetime,
    place: str = "",
    organisation: Any = None,
    elder: Elder | None = None,
    person_name: str = "",
    department: str = "",
    notes: str = "",
    remind_hours: int = 0,
) -> Appointment:
    """预约挂号 taken on a call: where (an organisation of the register, or a place named by the caller),
    when and for whom (an elder of the register matched to the call, or a name). With ``remind_hours``
    (2 or 24) the hotline sweep reminds the caller's number by SMS and the elder's family in the app that
    many hours before (at once when that moment has already passed)."""
    from yiyang.core.validators import as_domain_error

    with as_domain_error("place"):
        place = check_text(place, label="预约地点", max_length=200) if place else ""
    if organisation is not None:
        place = place or organisation.name
    if not place:
        raise _invalid("place", "请选择或填写预约地点")
    with as_domain_error("person_name"):
        person_name = check_name(person_name, label="预约人") if person_name else ""
    if elder is not None:
        person_name = person_name or elder.name
    if not person_name:
        raise _invalid("person_name", "请选择老人或填写预约人姓名")
    with as_domain_error("department"):
        department = check_text(department, label="科室/项目", max_length=100) if department else ""
    with as_domain_error("notes"):
        notes = check_text(notes, label="备注", max_length=300) if notes else ""
    if remind_hours not in APPOINTMENT_REMIND_HOURS:
        raise _invalid("remind_hours", "提醒时间只能选择不提醒、提前 2 小时或提前 1 天")
    now = timezone.now()
    if at < now - timedelta(minutes=5) or at > now + timedelta(days=180):
        raise _invalid("at", "预约时间应在现在到 180 天之内")
    region = elder.region_id if elder is not None else call.region_code
    with transaction.atomic():
        require_scope(actor, "calls.add", call.region_code)
        require_scope(actor, "calls.add", region)
        appointment = Appointment.objects.create(
            call=call,
            elder=elder,
            person_name=person_name,
            organisation=organisation,
            place=place[:200],
            department=department,
            at=at,
            notes=notes,
            remind_at=at - timedelta(hours=remind_hours) if remind_hours else None,
            created_by=_user(actor),
            region_code=region,
        )
        audit_record(
            actor=actor,
            region=region,
            event="hotline.appointment",
            obj=appointment,
            data={"place": appointment.place, "at": at.isoformat(), "remind_hours": remind_hours},
        )
    return appointment


def _appointment_remind(appointment: Appointment) -> None:
    """The reminder through the one notification interface: an SMS to the number that called, an in-app
    notice to each family login of the elder."""
    when = timezone.localtime(appointment.at).strftime("%m月%d日 %H:%M")
    what = f"{appointment.place}{(' ' + appointment.department) if appointment.department else ''}"
    text = f"提醒：{mask_name(appointment.person_name)}已预约{when}在{what}就诊/办理，请按时前往。"
    key = f"appointment:{appointment.public_id}"
    number = decrypt(appointment.call.number_enc) if appointment.call.number_enc else ""
    if number:
        sms_send(phone=number, text=f"【12349】{text}", key=f"{key}:sms", region_code=appointment.region_code)
    if appointment.elder is not None:
        for contact in appointment.elder.contacts.all():
            if contact.user_id:
                notify(
                    recipient=contact.user,
                    title="预约提醒",
                    body=text,
                    link="/services/family/",
                    key=f"{key}:family:{contact.pk}",
                    region_code=appointment.region_code,
                )


def appointments_remind_due(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """The reminder sweep (every minute with the hotline sweep; safe to run twice): appointments whose
    reminder time has come, not yet reminded and not yet past, are reminded once."""
    require_actor(actor)
    now = now or timezone.now()
    due = (
        Appointment.objects.restrict(actor, "calls.add")
        .filter(remind_at__lte=now, reminded_at__isnull=True, at__gt=now)
        .select_related("call", "elder")
        .prefetch_related("elder__contacts")
    )
    count = 0
    for appointment in list(due[:500]):
        with transaction.atomic():
            require_scope(actor, "calls.add", appointment.region_code)
            moved = Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not moved:
                continue
            _appointment_remind(appointment)
            audit_record(
                actor=actor,
                region=appointment.region_code,
                event="hotline.appointment_reminded",
                obj=appointment,
                data={},
            )
            count += 1
    return {"appointments_reminded": count}


# --- incidents (紧急呼援) ----------------------------------------------------------------------------------


def arrival_target(region_code: str) -> int:
    """Minutes within which a responder should arrive (policy ``hotline.arrival_target``, per region)."""
    return policy_value(ARRIVAL_TARGET, region_code)


def ack_timeout(region_code: str) -> int:
    """Seconds an incident may stay unacknowledged before the next person is rung."""
    return policy_value(ACK_TIMEOUT, region_code)


def _is_family(elder_id: Any, actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and "family" in actor.roles()
        and is_elder_contact(elder_id=elder_id, user=actor)
    )


def incident_open(
    *,
    actor: Any,
    elder: Elder,
    kind: str,
    source: str,
    notes: str = "",
    call: Call | None = None,
    at: datetime | None = None,
) -> tuple[Incident, bool]:
    """Open an emergency for ``elder`` — the one entry for a call (``source="call"``), the elder's or
    family's SOS page (``"page"``) and a device alarm (``"device"``, actor ``SYSTEM``).

    **One incident per elder**: if the elder already has an incident that is not closed, nothing new is
    opened; the new report is *joined* to it (a timeline row 「合并新的呼援」 with its kind, source and
    notes) and ``(existing, False)`` is returned. Otherwise ``(new, True)``. A database constraint
    (``incident_one_open_per_elder``) makes two concurrent reports join too.

    A new incident notifies the family (in-app and SMS to emergency contacts), the community workers of
    the elder's community and the operators on duty, all through the outbox after commit, and starts the
    acknowledgement timer (policy ``hotline.ack_timeout``) that the escalation sweep watches."""
    require_actor(actor)
    _choice(kind, IncidentKind, "kind", "事件类型")
    _choice(source, IncidentSource, "source", "事件来源")
    notes = check_text(notes, label="情况说明", max_length=1000, multiline=True) if notes else ""
    if elder.status != ElderStatus.ACTIVE:
        raise _invalid("elder", "老人已故或已迁出，不能发起呼援")
    region = elder.region_id
    now = at or timezone.now()
    with transaction.atomic():
        require_scope(actor, "incidents.open", region, own=_is_family(elder.pk, actor))
        existing = _open_incident_for_update(elder.pk)
        if existing is None:
            try:
                with transaction.atomic():
                    incident = Incident.objects.create(
                        elder=elder,
                        kind=kind,
                        source=source,
                        notes=notes,
                        call=call,
                        opened_at=now,
                        opened_by=_user(actor),
                        arrival_target_minutes=arrival_target(region),
                        ack_due_at=now + timedelta(seconds=ack_timeout(region)),
                        region_code=region,
                    )
            except IntegrityError:  # another report opened it first: join that one
                existing = _open_incident_for_update(elder.pk)
                if existing is None:
                    raise
            else:
                timeline_write(
                    timeline=IncidentEvent,
                    subject=incident,
                    old="",
                    new=I.OPEN,
                    actor=actor,
                    data={"kind": kind, "source": source},
                )
                audit_record(
                    actor=actor,
                    region=region,
                    event="incidents.opened",
                    obj=incident,
                    data={"kind": kind, "source": source},
                )
                rung = _ring_on_duty(incident, now)
                Incident.objects.filter(pk=incident.pk).update(rung_users=rung)
                incident.rung_users = rung
                _notify_family_and_community(incident, elder, "opened")
                return incident, True
        timeline_write(
            timeline=IncidentEvent,
            subject=existing,
            old=existing.status,
            new=existing.status,
            actor=actor,
            reason="合并新的呼援",
            data={"kind": kind, "source": source, "notes": notes},
        )
        audit_record(
            actor=actor,
            region=region,
            event="incidents.joined",
            obj=existing,
            data={"kind": kind, "source": source},
        )
    return existing, False


def _open_incident_for_update(elder_id: int) -> Incident | None:
    return (
        Incident.objects.select_for_update()
        .filter(elder_id=elder_id)
        .exclude(status=I.CLOSED)
        .order_by("-opened_at")
        .first()
    )


def _incident_link(incident: Incident) -> str:
    return f"/hotline/incidents/{incident.public_id}/"


def _notify_family_and_community(incident: Incident, elder: Any, event: str) -> None:
    """In-app notices to family logins and community workers; an SMS to every emergency contact."""
    from yiyang.accounts.models import Grant

    texts = {
        "opened": ("紧急呼援", f"{elder.name}发起了紧急呼援（{incident.get_kind_display()}），中心正在处置"),
        "dispatched": ("已派员上门", f"已派 {incident.responder_name} 前往{elder.name}家中"),
        "arrived": ("处置人员已到达", f"处置人员已到达{elder.name}家中"),
        "closed": ("紧急呼援已结案", f"{elder.name}的紧急呼援已结案：{incident.get_outcome_display()}"),
    }
    title, body = texts[event]
    key = f"incident:{incident.public_id}:{event}"
    for contact in elder.contacts.all():
        if contact.user_id:
            notify(
                recipient=contact.user,
                title=title,
                body=body,
                link="/services/family/",
                key=f"{key}:family:{contact.pk}",
                region_code=incident.region_code,
            )
        if contact.is_emergency and contact.phone_enc and event in {"opened", "dispatched", "closed"}:
            sms_send(
                phone=decrypt(contact.phone_enc),
                text=f"【12349】{body}",
                key=f"{key}:sms:{contact.pk}",
                region_code=incident.region_code,
            )
    if event in {"opened", "closed"}:
        community = incident.region_code
        street = community[:9].ljust(12, "0")
        workers = Grant.objects.filter(
            role="community_worker", region_id__in=[community, street], is_active=True
        ).select_related("user")
        for grant in workers:
            notify(
                recipient=grant.user,
                title=title,
                body=body,
                link=_incident_link(incident),
                key=f"{key}:community:{grant.user_id}",
                region_code=incident.region_code,
            )


def _incident_move(
    incident: Incident,
    to: str,
    actor: Any,
    *,
    event: str,
    reason: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
) -> Incident:
    with transaction.atomic():
        require_scope(actor, "incidents.handle", incident.region_code)
        transition(
            obj=incident,
            to=to,
            machine=INCIDENT_MACHINE,
            timeline=IncidentEvent,
            actor=actor,
            reason=reason,
            data=data,
            updates=updates,
        )
        audit_record(actor=actor, region=incident.region_code, event=event, obj=incident, data=data or {})
    return incident


def incident_acknowledge(*, incident: Incident, actor: Any) -> Incident:
    """确认: the operator takes the incident; the escalation timer stops."""
    return _incident_move(
        incident,
        I.ACKNOWLEDGED,
        actor,
        event="incidents.acknowledged",
        updates={"acknowledged_at": timezone.now(), "acknowledged_by": _user(actor), "ack_due_at": None},
    )


def _responder(value: str) -> tuple[str, Any, Any]:
    """(name, staff, user) from a person's name or the id of a staff member or a user."""
    from yiyang.accounts.models import User
    from yiyang.providers.selectors import staff_get

    text = (value or "").strip()
    try:
        pid = uuid.UUID(text)
    except ValueError:
        return check_name(text, label="处置人员", max_length=100), None, None
    staff = staff_get(public_id=pid)
    if staff is not None:
        return staff.name, staff, staff.user
    user = User.objects.filter(public_id=pid, is_active=True).first()
    if user is not None:
        return user.display_name or user.username, None, user
    raise _invalid("responder", "处置人员不存在")


def incident_dispatch(*, incident: Incident, actor: Any, responder: str) -> Incident:
    """派员: a responder (a name, or a staff member's or user's id) is sent; the family and the
    responder (if they have a login) are told."""
    name, staff, user = _responder(responder)
    with transaction.atomic():
        _incident_move(
            incident,
            I.DISPATCHED,
            actor,
            event="incidents.dispatched",
            data={"responder": name},
            updates={
                "dispatched_at": timezone.now(),
                "responder_name": name,
                "responder_staff": staff,
                "responder_user": user,
            },
        )
        elder = incident.elder
        _notify_family_and_community(incident, elder, "dispatched")
        if user is not None:
            notify(
                recipient=user,
                title="紧急呼援派员",
                body=f"请立即前往{elder.name}家中（{elder.address_masked}）",
                link=_incident_link(incident) if user.has_perm("incidents.view") else "",
                key=f"incident:{incident.public_id}:responder:{user.pk}",
                region_code=incident.region_code,
            )
    return incident


def incident_arrive(*, incident: Incident, actor: Any, at: datetime | None = None) -> Incident:
    """到达: the responder is with the elder; the arrival time counts against the region's target."""
    when = at or timezone.now()
    if when < incident.opened_at or when > timezone.now() + timedelta(minutes=5):
        raise _invalid("at", "到达时间应在发起时间之后、当前时间之前")
    with transaction.atomic():
        _incident_move(
            incident,
            I.ARRIVED,
            actor,
            event="incidents.arrived",
            data={"minutes": int((when - incident.opened_at).total_seconds() // 60)},
            updates={"arrived_at": when},
        )
        _notify_family_and_community(incident, incident.elder, "arrived")
    return incident


def incident_close(*, incident: Incident, actor: Any, outcome: str, notes: str = "") -> Incident:
    """结案 with an outcome (误报, 居家处置, 送医, 其他)."""
    _choice(outcome, IncidentOutcome, "outcome", "处置结果")
    notes = check_text(notes, label="结案说明", max_length=300) if notes else ""
    with transaction.atomic():
        _incident_move(
            incident,
            I.CLOSED,
            actor,
            event="incidents.closed",
            reason=notes,
            data={"outcome": outcome},
            updates={"closed_at": timezone.now(), "outcome": outcome, "ack_due_at": None},
        )
        _notify_family_and_community(incident, incident.elder, "closed")
    return incident


def incident_reveal(*, actor: Any, incident: Incident, field_name: str) -> str:
    """The elder's full phone or address for the operator handling the incident (audited as
    ``elders.reveal`` with the incident)."""
    if field_name not in {"phone", "address"}:
        raise _invalid("field", "只能查看电话或住址")
    values = elder_reveal_for_duty(
        actor=actor,
        elder=incident.elder,
        fields=[field_name],
        duty={"incident": str(incident.public_id)},
        permission="incidents.handle",
        own=False,
    )
    return values[field_name]


# --- duty roster and escalation ---------------------------------------------------------------------------


def on_duty(region_code: str, at: datetime | None = None, roles: tuple[str, ...] = ()) -> list[Shift]:
    """Shifts running at ``at`` whose centre covers ``region_code`` (earliest start first)."""
    now = at or timezone.now()
    shifts = Shift.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("user")
    if roles:
        shifts = shifts.filter(role__in=roles)
    return [
        s for s in shifts.order_by("starts_at", "pk") if region_code.startswith(scope_prefix(s.region_code))
    ]


def _ring(incident: Incident, users: list[Any], level: int) -> None:
    labels = {0: "新的紧急呼援", 1: "紧急呼援超时未确认（轮呼）", 2: "紧急呼援超时未确认（值班长）"}
    for user in users:
        notify(
            recipient=user,
            title=labels[level],
            body=f"{mask_name(incident.elder.name)}：{incident.get_kind_display()}，请立即确认",
            link=_incident_link(incident),
            key=f"incident:{incident.public_id}:ring:{level}:{user.pk}",
            region_code=incident.region_code,
        )


def _ring_on_duty(incident: Incident, now: datetime) -> list[int]:
    """Level 0: every operator and dispatcher on duty for the region is told at once."""
    users = [s.user for s in on_duty(incident.region_code, now, (ShiftRole.OPERATOR, ShiftRole.DISPATCHER))]
    unique = list({u.pk: u for u in users}.values())
    _ring(incident, unique, 0)
    return [u.pk for u in unique]


def incidents_escalate_due(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """The escalation sweep (every minute, and safe to run at any time or twice): an incident still
    unacknowledged past its ``ack_due_at`` rings the next operator on duty not yet rung (level 1), then
    the shift supervisor (level 2). The state lives in the incident row, so a restart loses nothing."""
    require_actor(actor)
    now = now or timezone.now()
    done = {"escalated": 0}
    due = (
        Incident.objects.restrict(actor, "incidents.handle")
        .filter(status=I.OPEN, ack_due_at__lte=now)
        .select_related("elder")
    )
    for incident in list(due[:200]):
        level = incident.escalation_level + 1
        if level == 1:
            rung = set(incident.rung_users)
            shifts = on_duty(incident.region_code, now, (ShiftRole.OPERATOR, ShiftRole.DISPATCHER))
            fresh = [s.user for s in shifts if s.user_id not in rung][:1]
            if not fresh:  # nobody else on duty: straight to the supervisor
                level = 2
        if level == 2:
            fresh = [s.user for s in on_duty(incident.region_code, now, (ShiftRole.SUPERVISOR,))]
        if level > 2:
            continue
        with transaction.atomic():
            require_scope(actor, "incidents.handle", incident.region_code)
            next_due = now + timedelta(seconds=ack_timeout(incident.region_code)) if level < 2 else None
            moved = Incident.objects.filter(
                pk=incident.pk, status=I.OPEN, escalation_level=incident.escalation_level
            ).update(
                escalation_level=level,
                ack_due_at=next_due,
                rung_users=[*incident.rung_users, *[u.pk for u in fresh]],
            )
            if not moved:
                continue
            names = "、".join(u.display_name or u.username for u in fresh) or "（无人值班）"
            timeline_write(
                timeline=IncidentEvent,
                subject=incident,
                old=I.OPEN,
                new=I.OPEN,
                actor=actor,
                reason=f"超时未确认，升级{'至值班长' if level == 2 else '轮呼下一位话务员'}：{names}",
                data={"escalation_level": level},
            )
            audit_record(
                actor=actor,
                region=incident.region_code,
                event="incidents.escalated",
                obj=incident,
                data={"level": level, "rung": [u.pk for u in fresh]},
            )
            _ring(incident, fresh, level)
            done["escalated"] += 1
    return done


def shift_add(
    *,
    actor: Any,
    user: Any,
    role: str,
    starts_at: datetime,
    ends_at: datetime,
    region_code: str,
    note: str = "",
) -> Shift:
    """Put a person on the roster of a centre (the region it serves) for one shift (at most 24 hours)."""
    _choice(role, ShiftRole, "role", "岗位")
    if ends_at <= starts_at:
        raise _invalid("ends_at", "结束时间应晚于开始时间")
    if ends_at - starts_at > timedelta(hours=24):
        raise _invalid("ends_at", "一个班次最长 24 小时")
    note = check_text(note, label="备注", max_length=200) if note else ""
    with transaction.atomic():
        require_scope(actor, "duty.manage", region_code)
        if not user.in_region_scope("hotline.console", region_code) and not user.is_superuser:
            raise _invalid("user", "该人员不是本中心的话务员或调度员")
        shift = Shift.objects.create(
            user=user,
            role=role,
            starts_at=starts_at,
            ends_at=ends_at,
            region_code=region_code,
            note=note,
            created_by=_user(actor),
        )
        audit_record(
            actor=actor, region=region_code, event="hotline.shift_added", obj=shift, data={"role": role}
        )
    return shift


def shift_swap(*, actor: Any, shift: Shift, user: Any, reason: str) -> Shift:
    """换班: the shift passes to another person of the same centre, with the reason."""
    reason = check_text(reason, label="换班原因", max_length=200)
    with transaction.atomic():
        require_scope(actor, "duty.manage", shift.region_code)
        if not user.in_region_scope("hotline.console", shift.region_code) and not user.is_superuser:
            raise _invalid("user", "该人员不是本中心的话务员或调度员")
        old = shift.user_id
        Shift.objects.filter(pk=shift.pk).update(user=user, note=f"换班：{reason}"[:200])
        audit_record(
            actor=actor,
            region=shift.region_code,
            event="hotline.shift_swapped",
            obj=shift,
            data={"from": old, "to": user.pk, "reason": reason},
        )
    shift.user = user
    return shift


# --- integrations (12345 API keys) ------------------------------------------------------------------------


def callback_secret(integration: Integration) -> str:
    """The secret the platform signs this integration's callbacks with (``X-Yiyang-Signature``). It is
    derived from the deployment's SECRET_KEY and the integration's id, never stored; it is shown once with
    the key when the integration is created. Changing SECRET_KEY changes every callback secret."""
    from django.conf import settings

    from yiyang.core.crypto import derive_key

    return derive_key(settings.SECRET_KEY, f"hotline-12345-callback:{integration.public_id}").hex()


def callback_signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the raw request body keyed with the callback secret (UTF-8)."""
    import hmac

    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def integration_create(
    *, actor: Any, name: str, region_code: str, callback_url: str = ""
) -> tuple[Integration, str]:
    """A new API key for an outside system of a city: returns the row and the key, which is shown once
    and stored only as its hash."""
    name = check_text(name, label="系统名称", max_length=100)
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise _invalid("callback_url", "回复地址应以 http:// 或 https:// 开头")
    key = "yy12345_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        require_scope(actor, "hotline.integrations", region_code)
        integration = Integration.objects.create(
            name=name,
            region_code=region_code,
            key_prefix=key[:12],
            key_hash=key_hash(key),
            callback_url=callback_url[:300],
            created_by=_user(actor),
        )
        audit_record(
            actor=actor, region=region_code, event="hotline.key_created", obj=integration, data={"name": name}
        )
    return integration, key


def integration_revoke(*, actor: Any, integration: Integration) -> Integration:
    """吊销: the key stops working at once."""
    with transaction.atomic():
        require_scope(actor, "hotline.integrations", integration.region_code)
        moved = Integration.objects.filter(pk=integration.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not moved:
            raise Conflict("该密钥已吊销", code="illegal_transition")
        audit_record(
            actor=actor, region=integration.region_code, event="hotline.key_revoked", obj=integration, data={}
        )
    integration.refresh_from_db()
    return integration


# --- work orders (工单) -------------------------------------------------------------------------------------


def _callback(work_order: WorkOrder, event: str) -> None:
    """Queue the report to the 12345 hotline (受理, 进展, 办结, 回访) in the writer's transaction."""
    integration = work_order.integration
    if integration is None or not integration.callback_url:
        return
    step = WorkOrderEvent.objects.filter(work_order=work_order).count()
    outbox_put(
        channel="hotline_12345",
        payload={
            "integration": integration.pk,
            "external_id": work_order.external_id,
            "event": event,
            "status": work_order.status,
            "status_label": work_order.get_status_display(),
            "handler": work_order.handler_name,
            "result": work_order.result,
            "satisfaction": work_order.satisfaction,
            "at": timezone.now().isoformat(),
        },
        region_code=work_order.region_code,
        key=f"12345:{work_order.public_id}:{step}:{event}",
    )


def deliver_12345(payload: dict[str, Any], message: Any) -> None:
    """Outbox channel ``hotline_12345``: POST the report as JSON to the integration's callback URL, signed
    with ``X-Yiyang-Signature: sha256=<hex>`` (HMAC of the raw body with the integration's callback secret).
    Any answer but 2xx (or no answer in 10 s) fails the attempt; the outbox retries and finally lists it
    among the dead letters for resending."""
    import json
    import urllib.request

    integration = Integration.objects.get(pk=payload["integration"])
    if not integration.callback_url.startswith(("http://", "https://")):
        raise ValueError("callback URL must be http(s)")
    body = {k: v for k, v in payload.items() if k != "integration"}
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(  # noqa: S310 (http(s) only, checked above)
        integration.callback_url,
        data=raw,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": message.key,
            "X-Yiyang-Signature": callback_signature(callback_secret(integration), raw),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (configured URL)
        if not 200 <= response.status < 300:
            raise RuntimeError(f"12345 answered {response.status}")


def _check_region(region_code: str, city: str) -> str:
    from yiyang.regions.selectors import region_chain

    code = (region_code or "").strip()
    if len(code) != 12 or not code.isdigit():
        raise _invalid("region_code", "区划代码应为 12 位数字")
    if not code.startswith(scope_prefix(city)):
        raise _invalid("region_code", "该区划不在本对接系统所属城市内")
    if not region_chain(code):
        raise _invalid("region_code", "区划代码不存在")
    return code


def _match_elder(phone: str, region_code: str) -> Any:
    _, digits = phone_digits(phone)
    if not digits:
        return None
    return (
        elder_list(user=SYSTEM, perm="elders.view")
        .filter(phone_hash=phone_index(digits), region__code__startswith=scope_prefix(region_code))
        .first()
    )


def work_order_receive_12345(
    *,
    integration: Integration,
    external_id: str,
    title: str,
    content: str,
    caller_phone: str = "",
    region_code: str,
    deadline: datetime | None = None,
) -> tuple[WorkOrder, bool]:
    """A work order transferred from the city's 12345 hotline. Idempotent by the hotline's own id:
    the same ``external_id`` again returns ``(existing, False)`` and changes nothing. The region must lie
    in the integration's city. Acceptance (受理) is reported back through the outbox."""
    if integration.revoked_at is not None:
        raise DomainError("密钥已吊销", code="authentication_failed")
    existing = WorkOrder.objects.filter(integration=integration, external_id=external_id).first()
    if existing is not None:
        return existing, False
    code = _check_region(region_code, integration.region_code)
    title = check_text(title, label="标题", max_length=200)
    content = check_text(content, label="诉求内容", max_length=4000, multiline=True)
    normal, _ = phone_digits(caller_phone)
    actor = SYSTEM
    try:
        with transaction.atomic():
            require_scope(actor, "workorders.handle", code)
            work_order = WorkOrder.objects.create(
                source=WorkOrderSource.HOTLINE_12345,
                integration=integration,
                external_id=external_id,
                title=title,
                content=content,
                caller_phone_enc=encrypt(normal) if normal else "",
                caller_phone_masked=mask_phone(normal) if normal else "",
                elder=_match_elder(caller_phone, code),
                deadline=deadline,
                region_code=code,
            )
            timeline_write(
                timeline=WorkOrderEvent,
                subject=work_order,
                old="",
                new=W.ACCEPTED,
                actor=actor,
                reason=f"{integration.name}转办",
                data={"external_id": external_id},
            )
            audit_record(
                actor=actor,
                region=code,
                event="workorders.received",
                obj=work_order,
                data={"integration": integration.name, "external_id": external_id},
            )
            _callback(work_order, "accepted")
    except IntegrityError:  # the same id arrived twice at once: the other request stored it
        return WorkOrder.objects.get(integration=integration, external_id=external_id), False
    return work_order, True


def work_order_create(
    *,
    actor: Any,
    title: str,
    content: str,
    region_code: str,
    caller_phone: str = "",
    elder: Any = None,
    call: Call | None = None,
    deadline: datetime | None = None,
) -> WorkOrder:
    """受理 a work order taken on a 12349 call (default deadline: policy ``hotline.work_order_deadline``)."""
    title = check_text(title, label="标题", max_length=200)
    content = check_text(content, label="诉求内容", max_length=4000, multiline=True)
    normal, _ = phone_digits(caller_phone)
    region = elder.region_id if elder is not None else region_code
    with transaction.atomic():
        require_scope(actor, "workorders.handle", region)
        work_order = WorkOrder.objects.create(
            source=WorkOrderSource.CALL,
            title=title,
            content=content,
            caller_phone_enc=encrypt(normal) if normal else "",
            caller_phone_masked=mask_phone(normal) if normal else "",
            elder=elder,
            call=call,
            deadline=deadline or timezone.now() + timedelta(hours=policy_value(WORK_ORDER_DEADLINE, region)),
            region_code=region,
            created_by=_user(actor),
        )
        timeline_write(timeline=WorkOrderEvent, subject=work_order, old="", new=W.ACCEPTED, actor=actor)
        audit_record(actor=actor, region=region, event="workorders.created", obj=work_order, data={})
    return work_order


def _wo_move(
    work_order: WorkOrder,
    to: str,
    actor: Any,
    *,
    event: str,
    callback: str = "progress",
    reason: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    perm: str = "workorders.handle",
) -> WorkOrder:
    with transaction.atomic():
        require_scope(actor, perm, work_order.region_code)
        transition(
            obj=work_order,
            to=to,
            machine=WORK_ORDER_MACHINE,
            timeline=WorkOrderEvent,
            actor=actor,
            reason=reason,
            data=data,
            updates=updates,
        )
        audit_record(actor=actor, region=work_order.region_code, event=event, obj=work_order, data=data or {})
        _callback(work_order, callback)
    return work_order


def _handler(kind: str, name: str, work_order: WorkOrder) -> tuple[str, str]:
    """The handler named, or by default the community (or street) of the work order's region."""
    from yiyang.regions.selectors import region_chain

    if not kind:
        level = len(scope_prefix(work_order.region_code))
        kind = (
            HandlerKind.COMMUNITY
            if level > 9
            else HandlerKind.STREET
            if level > 6
            else HandlerKind.DEPARTMENT
        )
    _choice(kind, HandlerKind, "handler_kind", "承办方类型")
    name = check_text(name, label="承办方", max_length=100) if name else ""
    if not name:
        chain = region_chain(work_order.region_code)
        name = chain[-1].name if chain else "属地民政部门"
    return kind, name


def work_order_assign(
    *, work_order: WorkOrder, actor: Any, handler_kind: str, handler_name: str
) -> WorkOrder:
    """派单 to a department, street, community, provider or the orders module (only from 受理)."""
    kind, name = _handler(handler_kind, handler_name, work_order)
    if work_order.status != W.ACCEPTED:
        raise IllegalTransition(
            f"当前状态为「{work_order.get_status_display()}」，不能派单（已派单的请转办）",
            extra={"current_status": work_order.status},
        )
    return _wo_move(
        work_order,
        W.ASSIGNED,
        actor,
        event="workorders.assigned",
        data={"handler_kind": kind, "handler": name},
        updates={"handler_kind": kind, "handler_name": name, "assigned_at": timezone.now()},
    )


def work_order_start(*, work_order: WorkOrder, actor: Any) -> WorkOrder:
    """处置: the handler has taken it up."""
    return _wo_move(work_order, W.HANDLING, actor, event="workorders.handling")


def work_order_transfer(
    *, work_order: WorkOrder, actor: Any, handler_kind: str, handler_name: str, reason: str
) -> WorkOrder:
    """转办 to another handler, with the reason (from 已派单 or 处置中; back to 已派单)."""
    kind, name = _handler(handler_kind, handler_name, work_order)
    reason = check_text(reason, label="转办原因", max_length=300)
    if work_order.status not in TRANSFERABLE:
        raise IllegalTransition(
            f"当前状态为「{work_order.get_status_display()}」，不能转办",
            extra={"current_status": work_order.status},
        )
    return _wo_move(
        work_order,
        W.ASSIGNED,
        actor,
        event="workorders.transferred",
        reason=reason,
        data={"handler_kind": kind, "handler": name, "from": work_order.handler_name},
        updates={"handler_kind": kind, "handler_name": name, "assigned_at": timezone.now()},
    )


def work_order_resolve(*, work_order: WorkOrder, actor: Any, result: str) -> WorkOrder:
    """办结 with the result, reported back to 12345 (「已办结」 when none is given)."""
    result = check_text(result, label="办理结果", max_length=2000, multiline=True) if result else ""
    result = result or "已办结"
    return _wo_move(
        work_order,
        W.RESOLVED,
        actor,
        event="workorders.resolved",
        callback="result",
        data={},
        updates={"result": result, "resolved_at": timezone.now()},
    )


def work_order_rework(*, work_order: WorkOrder, actor: Any, reason: str) -> WorkOrder:
    """退回重办: a result not accepted goes back to the handler."""
    reason = check_text(reason, label="退回原因", max_length=300)
    return _wo_move(work_order, W.HANDLING, actor, event="workorders.rework", reason=reason)


def work_order_follow_up(
    *, work_order: WorkOrder, actor: Any, satisfaction: str, notes: str = ""
) -> WorkOrder:
    """回访: the caller's satisfaction (blank: not recorded) closes the work order."""
    if satisfaction:
        _choice(satisfaction, Satisfaction, "satisfaction", "满意度")
    notes = check_text(notes, label="回访记录", max_length=300) if notes else ""
    return _wo_move(
        work_order,
        W.CLOSED,
        actor,
        event="workorders.followed_up",
        callback="follow_up",
        reason=notes,
        data={"satisfaction": satisfaction},
        updates={"satisfaction": satisfaction, "closed_at": timezone.now()},
    )


def work_order_supervise(*, work_order: WorkOrder, actor: Any, reason: str) -> WorkOrder:
    """督办: a reminder on an open work order (by a supervisor, or the sweep near/after the deadline)."""
    reason = check_text(reason, label="督办意见", max_length=300)
    if work_order.status not in {W.ACCEPTED, W.ASSIGNED, W.HANDLING}:
        raise IllegalTransition(
            f"当前状态为「{work_order.get_status_display()}」，无需督办",
            extra={"current_status": work_order.status},
        )
    from django.db.models import F

    with transaction.atomic():
        require_scope(actor, "workorders.supervise", work_order.region_code)
        now = timezone.now()
        WorkOrder.objects.filter(pk=work_order.pk).update(
            supervised_count=F("supervised_count") + 1, last_supervised_at=now
        )
        timeline_write(
            timeline=WorkOrderEvent,
            subject=work_order,
            old=work_order.status,
            new=work_order.status,
            actor=actor,
            reason=f"督办：{reason}",
            data={"supervise": True},
        )
        audit_record(
            actor=actor, region=work_order.region_code, event="workorders.supervised", obj=work_order, data={}
        )
    work_order.refresh_from_db()
    return work_order


def work_orders_supervise_due(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """The 督办 sweep: open work orders whose deadline is within 2 hours or past, not reminded in the last
    12 hours, get a reminder on their timeline."""
    from django.db.models import Q

    now = now or timezone.now()
    due = (
        WorkOrder.objects.restrict(actor, "workorders.supervise")
        .filter(status__in=[W.ACCEPTED, W.ASSIGNED, W.HANDLING], deadline__lte=now + timedelta(hours=2))
        .filter(Q(last_supervised_at__isnull=True) | Q(last_supervised_at__lt=now - timedelta(hours=12)))
    )
    count = 0
    for work_order in list(due[:500]):
        overdue = work_order.deadline is not None and work_order.deadline < now
        work_order_supervise(
            work_order=work_order, actor=actor, reason="已超过办理时限" if overdue else "即将到期，请抓紧办理"
        )
        count += 1
    return {"supervised": count}


# --- care calls (关爱回访) -----------------------------------------------------------------------------------

CARE_BATCH_MAX = 2000


def care_call_batch_plan(
    *, actor: Any, name: str, region_code: str, living_situations: list[str], min_age: int
) -> CareCallBatch:
    """Plan a batch of care calls: every active elder with a phone in the region (and the actor's scope)
    whose living situation is one of ``living_situations`` and who is ``min_age`` or older (at most 2,000)."""
    from datetime import date

    from yiyang.elders.choices import LivingSituation

    name = check_text(name, label="批次名称", max_length=100)
    if not name:
        raise _invalid("name", "请填写批次名称")
    bad = [v for v in living_situations if v not in LivingSituation.values]
    if bad or not living_situations:
        raise _invalid("living_situations", "请选择居住情况")
    if not 60 <= min_age <= 120:
        raise _invalid("min_age", "年龄应在 60–120 岁之间")
    today = timezone.localdate()
    try:
        born_by = today.replace(year=today.year - min_age)
    except ValueError:  # 29 February
        born_by = date(today.year - min_age, 2, 28)
    with transaction.atomic():
        require_scope(actor, "calls.add", region_code)
        elders = list(
            elder_list(user=actor, perm="calls.add")
            .filter(
                region__code__startswith=scope_prefix(region_code),
                status=ElderStatus.ACTIVE,
                living_situation__in=living_situations,
                birth_date__lte=born_by,
            )
            .exclude(phone_enc="")
            .order_by("region__code", "pk")
            .values_list("pk", "region_id")[:CARE_BATCH_MAX]
        )
        batch = CareCallBatch.objects.create(
            name=name,
            criteria={"living_situations": living_situations, "min_age": min_age},
            region_code=region_code,
            created_by=_user(actor),
        )
        CareCallTask.objects.bulk_create(
            [CareCallTask(batch=batch, elder_id=pk, region_code=region) for pk, region in elders]
        )
        audit_record(
            actor=actor,
            region=region_code,
            event="hotline.care_batch",
            obj=batch,
            data={"elders": len(elders), **batch.criteria},
        )
    return batch


def care_call_record(*, actor: Any, task: CareCallTask, reached: bool, notes: str = "") -> CareCallTask:
    """Record one care call of the queue: an outbound call to the elder's phone, reached or not."""
    from yiyang.hotline.choices import CareCallStatus

    notes = check_text(notes, label="回访记录", max_length=300) if notes else ""
    with transaction.atomic():
        require_scope(actor, "calls.add", task.region_code)
        elder = task.elder
        call = Call.objects.create(
            direction=CallDirection.OUT,
            kind=CallKind.CARE_CALL,
            number_enc=elder.phone_enc,
            number_hash=elder.phone_hash,
            number_masked=elder.phone_masked,
            elder=elder,
            operator=_user(actor),
            notes=notes,
            started_at=timezone.now(),
            region_code=task.region_code,
        )
        status = CareCallStatus.DONE if reached else CareCallStatus.UNREACHABLE
        moved = CareCallTask.objects.filter(pk=task.pk, status=CareCallStatus.PENDING).update(
            status=status, notes=notes, call=call, done_at=timezone.now()
        )
        if not moved:
            raise Conflict("该回访已登记", code="illegal_transition")
        audit_record(
            actor=actor,
            region=task.region_code,
            event="hotline.care_call",
            obj=task,
            data={"reached": reached},
        )
    task.refresh_from_db()
    return task
