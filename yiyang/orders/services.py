"""Writes to orders. Every status change is one CAS transition (``yiyang.core.statemachine``) that writes
the timeline row and the audit event in the same transaction; flags are raised inside the transition
that reveals them."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from yiyang.audit.services import audit_record, audit_row
from yiyang.core.channels import notify
from yiyang.core.errors import Conflict, DomainError, Forbidden
from yiyang.core.geo import distance_text, haversine_m
from yiyang.core.hooks import ElderStatusChanged
from yiyang.core.policy import policy_minimum, policy_pick, policy_rows, policy_value
from yiyang.core.reads import read_together
from yiyang.core.statemachine import actor_name, timeline_write, transition
from yiyang.core.validators import as_domain_error, check_scheduled, check_service_time
from yiyang.dispatch.matching import (
    BusyBook,
    Candidate,
    day_bounds,
    evaluate,
    order_candidates,
    region_ancestors,
)
from yiyang.elders.choices import ElderStatus
from yiyang.elders.selectors import elder_status, is_elder_contact
from yiyang.elders.services import elder_reveal_for_duty
from yiyang.orders.choices import Channel, FlagCode, FlagStatus
from yiyang.orders.choices import OrderStatus as S
from yiyang.orders.models import FlagEvent, Order, OrderEvent, OrderFlag, OrderPhoto
from yiyang.orders.photos import check_photo as check_photo_content
from yiyang.orders.selectors import busy_rows, declined_from_rows, declines_rows
from yiyang.orders.transitions import FLAG_MACHINE, OPEN_STATUSES, ORDER_MACHINE
from yiyang.providers.selectors import (
    catalog_price_fen,
    certificate_rows,
    certificates_from,
    contract_price_from,
    contract_price_rows,
)
from yiyang.regions.scope import SYSTEM, is_system, require_actor, require_scope

if TYPE_CHECKING:
    from yiyang.elders.models import Elder
    from yiyang.providers.models import ServiceItem, Staff


def far_check_in_m(region_code: str | None = None, at: datetime | None = None) -> int:
    """Check-in farther than this from the elder's address is flagged (policy value, metres)."""
    return policy_value("orders.check_in_max_distance", region_code, at)


def check_in_window_minutes(region_code: str | None = None, at: datetime | None = None) -> int:
    """A check-in earlier or later than the appointment by more than this is flagged (policy, minutes)."""
    return policy_value("orders.check_in_time_window", region_code, at)


def _distance_from_home(elder: Any, lat: float | None, lng: float | None) -> int | None:
    if lat is None or lng is None or elder.lat is None or elder.lng is None:
        return None
    return round(haversine_m(lat, lng, elder.lat, elder.lng))


def short_service_percent(region_code: str | None = None, at: datetime | None = None) -> int:
    """A visit shorter than this share of the standard time is flagged (policy value, %)."""
    return policy_value("orders.short_service_percent", region_code, at)


def backdate_tolerance() -> timedelta:
    return timedelta(minutes=settings.ORDERS_BACKDATE_TOLERANCE_MIN)


def accept_sla(region_code: str | None = None, at: datetime | None = None) -> timedelta:
    """Time a dispatched caregiver has to accept (policy value, minutes)."""
    return timedelta(minutes=policy_value("orders.accept_deadline", region_code, at))


def confirmation_max_tries() -> int:
    return settings.ORDERS_CONFIRMATION_MAX_TRIES


def confirmation_code_life() -> timedelta:
    return timedelta(hours=settings.ORDERS_CONFIRMATION_CODE_HOURS)


def max_dispatch_attempts() -> int:
    return settings.ORDERS_MAX_DISPATCH_ATTEMPTS


def _minutes_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时 {rest} 分钟" if rest else f"{hours} 小时"


def _name(actor: Any) -> str:
    require_actor(actor)
    return actor_name(actor)


def _audit(
    order: Order,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    event: str = "orders.transition",
) -> None:
    audit_record(
        actor=actor,
        region=order.region_code,
        event=event,
        obj=order,
        data={"from": old, "to": new, "reason": reason[:300], **(data or {})},
    )


def _audit_row(
    order: Order,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    event: str = "orders.transition",
) -> Any:
    """The audit event of a move, unsaved: ``transition`` writes it with the move."""
    return audit_row(
        actor=actor,
        region=order.region_code,
        event=event,
        obj=order,
        data={"from": old, "to": new, "reason": reason[:300], **(data or {})},
    )


def _event(
    order: Order,
    old: str,
    new: str,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    event: str = "orders.transition",
) -> None:
    """Timeline row and audit event of a creation (moves write theirs through ``transition``)."""
    timeline_write(
        timeline=OrderEvent, subject=order, old=old, new=new, actor=actor, reason=reason, data=data
    )
    _audit(order, old, new, actor, reason, data, event)


def require_transition(order: Order, to: str) -> None:
    """Fail early with the 409 naming the current status (before slower checks that could say 400)."""
    ORDER_MACHINE.require(order.status, to)


def _move(
    order: Order,
    to: str,
    actor: Any,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    updates: dict[str, Any] | None = None,
    after: Any = None,
    gate: Any,
) -> Order:
    """One transition of the order, in one transaction: the status check (409), ``gate`` (the service's
    scope check, before anything is written), the compare-and-swap with its timeline row and audit event
    (one statement on PostgreSQL), then ``after`` (flags, outbox messages)."""
    with transaction.atomic():
        require_transition(order, to)
        gate()
        old = order.status
        transition(
            obj=order,
            to=to,
            machine=ORDER_MACHINE,
            timeline=OrderEvent,
            actor=actor,
            reason=reason,
            data=data,
            rows=[_audit_row(order, old, to, actor, reason, data)],
            on_moved=(lambda old, new: after()) if after is not None else None,
            updates=updates,
        )
    return order


def flag_raise(
    *, order: Order, code: str, message: str, actor: Any, data: dict[str, Any] | None = None
) -> OrderFlag:
    """Raise a flag once per order and code (a second occurrence adds to the same flag). Flags are the
    platform's findings: the services that find them raise them as ``SYSTEM``; a person needs
    ``orders.supervise`` over the order's region."""
    with transaction.atomic():
        require_scope(actor, "orders.supervise", order.region_code)
        flag, created = OrderFlag.objects.get_or_create(
            order=order,
            code=code,
            defaults={"message": message, "data": data or {}, "region_code": order.region_code},
        )
        if created:
            _flag_audit(order, code, data, actor)
    return flag


def _flag_audit(order: Order, code: str, data: dict[str, Any] | None, actor: Any) -> None:
    audit_record(
        actor=actor,
        region=order.region_code,
        event="orders.flag_raised",
        obj=order,
        data={"code": code, **(data or {})},
    )


def _check_elder_active(order: Order) -> None:
    # The elder came with the order when the move's load read it (a moment ago, in this request).
    status = order.elder.status if Order.elder.is_cached(order) else elder_status(order.elder_id)
    if status != ElderStatus.ACTIVE:
        flag_raise(
            actor=SYSTEM,
            order=order,
            code=FlagCode.INACTIVE_ELDER,
            message=f"服务时老人状态为「{ElderStatus(status).label}」",
            data={"elder_status": status},
        )


def _check_backdated(order: Order, when: datetime, what: str) -> None:
    received = timezone.now()
    if when < received - backdate_tolerance():
        minutes = int((received - when).total_seconds() // 60)
        flag_raise(
            actor=SYSTEM,
            order=order,
            code=FlagCode.BACKDATED,
            message=f"{what}时间早于服务器接收时间 {minutes} 分钟（补录/倒签）",
            data={"what": what, "minutes": minutes},
        )


def _own_caregiver(order: Order, actor: Any) -> Staff:
    require_actor(actor)
    staff = order.caregiver
    if staff is None or staff.user_id is None or staff.user_id != actor.pk:
        raise Forbidden("只有被派单的服务人员本人可以操作此工单")
    return staff


def _serve_gate(order: Order, actor: Any) -> Any:
    """The caregiver's steps: ``orders.serve`` as the order's own caregiver (region roles never serve)."""

    # Decided before the move: declining clears the caregiver.
    own = order.caregiver is not None and order.caregiver.user_id == getattr(actor, "pk", None)

    def gate() -> None:
        require_scope(actor, "orders.serve", order.region_code, own=own)

    return gate


# --- creation -------------------------------------------------------------------------------------------


# The channel an order came through when the caller does not name one: the acting person's role tells it
# truly (a family member orders online, the 12349 operator takes a call, a community or street worker
# orders for the elder, the dispatcher orders at the board, an administrator on the web platform).
ROLE_CHANNELS: tuple[tuple[str, str], ...] = (
    ("family", Channel.FAMILY),
    ("operator", Channel.HOTLINE),
    ("dispatcher", Channel.DISPATCHER),
    ("community_worker", Channel.COMMUNITY),
    ("street_worker", Channel.COMMUNITY),
    ("county_admin", Channel.WEB),
    ("city_admin", Channel.WEB),
)


def _channel_error(message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={"channel": [message]})


def order_channel(actor: Any, requested: str = "", *, from_plan: bool = False) -> str:
    """The channel recorded on a new order: the one named (checked), else the one the actor's role
    implies; never a silent default. 周期服务 orders are made only by the plan generator (``from_plan``,
    ``yiyang.orders.recurring.plans_generate``); a family member orders only online."""
    roles = set(actor.roles()) if getattr(actor, "is_authenticated", False) else set()
    if requested:
        if requested not in Channel.values:
            raise _channel_error("下单渠道无效")
        if (requested == Channel.RECURRING) != from_plan:
            raise _channel_error("周期服务工单只由周期服务计划生成")
        if "family" in roles and requested != Channel.FAMILY:
            raise _channel_error("家属只能线上点单")
        return requested
    if is_system(actor):
        raise _channel_error("系统生成的工单须注明来源渠道")
    for role, channel in ROLE_CHANNELS:
        if role in roles:
            return channel
    raise _channel_error("请注明下单渠道")


def order_create(
    *,
    actor: Any,
    elder: Elder,
    service_item: ServiceItem,
    scheduled_start: datetime,
    channel: str = "",
    note: str = "",
    batch: Any = None,
    from_plan: bool = False,
) -> Order:
    """One order. ``channel``: as ``order_channel`` decides; ``batch``: the cart's id when several orders
    are placed together (``yiyang.orders.ordering.cart_place``)."""
    require_actor(actor)
    if elder.status != ElderStatus.ACTIVE:
        raise DomainError(
            f"该老人状态为「{ElderStatus(elder.status).label}」，不能下单",
            code="validation_error",
            errors={"elder": ["老人已故或已迁出，不能下单"]},
        )
    if not service_item.is_active:
        raise DomainError(
            "该服务项目已停用", code="validation_error", errors={"service_item": ["该服务项目已停用"]}
        )
    if scheduled_start < timezone.now() - backdate_tolerance():
        raise DomainError(
            "预约上门时间不能早于当前时间（不受理补录工单）",
            code="validation_error",
            errors={"scheduled_start": ["预约上门时间不能早于当前时间"]},
        )
    with as_domain_error("scheduled_start"):
        check_scheduled(scheduled_start, label="预约上门时间")
    channel = order_channel(actor, channel, from_plan=from_plan)
    with transaction.atomic():
        require_scope(actor, "orders.add", elder.region_id, own=_is_contact(elder.pk, actor))
        order = Order.objects.create(
            elder=elder,
            region_code=elder.region_id,
            service_item=service_item,
            scheduled_start=scheduled_start,
            channel=channel,
            batch=batch,
            note=note[:300],
            price_fen=catalog_price_fen(item=service_item, region_code=elder.region_id),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            confirmation_code=_new_code(),
            confirmation_code_issued_at=timezone.now(),
        )
        _event(order, "", S.CREATED, actor, data={"channel": channel}, event="orders.create")
    return order


def _is_contact(elder_id: Any, actor: Any) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and "family" in actor.roles()
        and is_elder_contact(elder_id=elder_id, user=actor)
    )


# --- dispatch -------------------------------------------------------------------------------------------


UNKNOWN_CAREGIVER = "服务人员不存在或不可派"


def unknown_caregiver() -> DomainError:
    """The one answer for a caregiver id that does not exist or is not a candidate for this order."""
    return DomainError(UNKNOWN_CAREGIVER, code="validation_error", errors={"caregiver": [UNKNOWN_CAREGIVER]})


def order_dispatch(
    *, order: Order, caregiver: Staff, actor: Any, reason: str = "", candidate: Candidate | None = None
) -> Order:
    """Assign a caregiver. Two dispatchers racing: the CAS lets exactly one win; the other gets 409."""
    require_transition(order, S.DISPATCHED)
    day = timezone.localtime(order.scheduled_start).date()
    item = order.service_item
    # What the rules read, in one round trip: the contracted price and, unless the caller evaluated the
    # candidate already, whether the caregiver's organisation serves the elder's region, the caregiver's
    # busy windows that day and certificates, and who declined this order before.
    parts: dict[str, Any] = {
        "price": contract_price_rows(organisation=caregiver.organisation, item=item, day=day)
    }
    if candidate is None:
        start, end = day_bounds(order.scheduled_start)
        parts |= {
            "serving": caregiver.organisation.regions_served.filter(
                code__in=region_ancestors(order.elder.region_id)
            ).values("code")[:1],
            "busy": busy_rows(caregiver_ids=[caregiver.pk], start=start, end=end),
            "declined": declines_rows(order),
            "certificates": certificate_rows(staff_id=caregiver.pk),
        }
    found = read_together(parts)
    if candidate is None:
        if not found["serving"]:
            # Not a candidate for this elder: answer exactly as for an unknown id (no skills,
            # certificates, insurance or distance of someone the dispatcher cannot see).
            raise unknown_caregiver()
        book = BusyBook.from_rows(found["busy"])
        candidate = evaluate(
            order,
            caregiver,
            book,
            declined=declined_from_rows(found["declined"]),
            certificates=certificates_from(found["certificates"]),
        )
    if not candidate.eligible:
        raise DomainError(
            "该服务人员不符合派单条件：" + "；".join(r for r in candidate.reasons if "距离" not in r),
            code="validation_error",
            errors={"caregiver": candidate.reasons},
        )
    price = contract_price_from(found["price"], item=item, region_code=order.region_code)

    def gate() -> None:
        # A provider admin (own scope) dispatches only its organisation's orders to its own staff.
        own = (
            order.provider_id is not None
            and order.provider_id == caregiver.organisation_id
            and getattr(actor, "pk", None) is not None
            and caregiver.organisation.admins.filter(pk=actor.pk).exists()
        )
        require_scope(actor, "orders.dispatch", order.region_code, own=own)

    def tell_caregiver() -> None:
        """The caregiver's in-app notification, through the outbox: it exists only if the dispatch commits."""
        if caregiver.user_id is None:
            return
        when = timezone.localtime(order.scheduled_start).strftime("%m-%d %H:%M")
        notify(
            recipient=caregiver.user,
            title=f"新工单：{order.service_item.name}",
            body=f"上门时间 {when}，请及时接单",
            link=reverse("orders:serve", kwargs={"order_id": order.public_id}),
            key=f"order-dispatched:{order.public_id}:{order.dispatch_attempts}",
            region_code=order.region_code,
        )

    return _move(
        order,
        S.DISPATCHED,
        actor,
        after=tell_caregiver,
        reason=reason or "人工派单",
        data={
            "caregiver": str(caregiver.public_id),
            "caregiver_name": caregiver.name,
            "distance_m": candidate.distance_m,
        },
        updates={
            "caregiver": caregiver,
            "provider": caregiver.organisation,
            "price_fen": price,
            "dispatched_at": timezone.now(),
            "dispatch_attempts": order.dispatch_attempts + 1,
            "escalated_at": None,
        },
        gate=gate,
    )


def order_accept(*, order: Order, actor: Any) -> Order:
    _own_caregiver(order, actor)
    return _move(
        order,
        S.ACCEPTED,
        actor,
        reason="接单",
        updates={"accepted_at": timezone.now()},
        gate=_serve_gate(order, actor),
    )


def order_decline(*, order: Order, actor: Any, reason: str) -> Order:
    staff = _own_caregiver(order, actor)
    return _move(
        order,
        S.DECLINED,
        actor,
        reason=reason,
        data={"caregiver": str(staff.public_id), "caregiver_pk": staff.pk},
        updates={"caregiver": None},
        gate=_serve_gate(order, actor),
    )


# --- on site --------------------------------------------------------------------------------------------


def order_check_in(*, order: Order, actor: Any, lat: float, lng: float, at: datetime | None = None) -> Order:
    staff = _own_caregiver(order, actor)
    when = at or timezone.now()
    with as_domain_error("at"):
        check_service_time(when, label="签到时间")
    elder = order.elder
    distance = _distance_from_home(elder, lat, lng)

    def flags() -> None:
        # The thresholds and the caregiver's other open visits in one round trip.
        keys = ["orders.check_in_max_distance", "orders.check_in_time_window"]
        found = read_together(
            {
                "limits": policy_rows(keys, elder.region_id, when),
                "others": Order.objects.filter(caregiver=staff, status=S.CHECKED_IN)
                .exclude(pk=order.pk)
                .values("public_id", "scheduled_start"),
            }
        )
        limits = policy_pick(found["limits"], keys, elder.region_id)
        limit = limits["orders.check_in_max_distance"]
        if distance is not None and distance > limit:
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.FAR_CHECK_IN,
                message=f"签到位置距老人住址 {distance_text(distance)}，超过 {distance_text(limit)}",
                data={"distance_m": distance, "limit_m": limit},
            )
        window = limits["orders.check_in_time_window"]
        off = int((when - order.scheduled_start).total_seconds() // 60)
        if abs(off) > window:
            planned = timezone.localtime(order.scheduled_start).strftime("%H:%M")
            actual = timezone.localtime(when).strftime("%H:%M")
            side = "早" if off < 0 else "晚"
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.OFF_SCHEDULE,
                message=(
                    f"{actual} 签到，预约 {planned}，{side} {_minutes_text(abs(off))}，超过允许的 {window} 分钟"
                ),
                data={"minutes_off": off, "window_minutes": window},
            )
        others = [
            r["public_id"] for r in sorted(found["others"], key=lambda r: r["scheduled_start"], reverse=True)
        ]
        if others:
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.DOUBLE_PRESENCE,
                message="签到时该服务人员仍在另一工单服务中（未签退）",
                data={"other_orders": [str(o) for o in others]},
            )
        if not staff.valid_certificates(timezone.localtime(when).date()):
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.UNCERTIFIED_STAFF,
                message="服务人员在服务当日无有效资格证书",
            )
        _check_elder_active(order)
        _check_backdated(order, when, "签到")

    return _move(
        order,
        S.CHECKED_IN,
        actor,
        reason="上门签到",
        data={"distance_m": distance},
        updates={
            "checked_in_at": when,
            "check_in_lat": lat,
            "check_in_lng": lng,
            "check_in_distance_m": distance,
        },
        after=flags,
        gate=_serve_gate(order, actor),
    )


def order_check_out(
    *,
    order: Order,
    actor: Any,
    items_done: list[str],
    notes: str = "",
    at: datetime | None = None,
    lat: float | None = None,
    lng: float | None = None,
) -> Order:
    """Check out; the phone's position (when given) is recorded and compared with the elder's home."""
    staff = _own_caregiver(order, actor)
    elder = order.elder
    distance = _distance_from_home(elder, lat, lng)
    when = at or timezone.now()
    with as_domain_error("at"):
        check_service_time(when, label="签退时间")
    began = order.checked_in_at
    if began is not None and when < began:
        raise DomainError(
            "签退时间不能早于签到时间", code="validation_error", errors={"at": ["签退时间不能早于签到时间"]}
        )

    def flags() -> None:
        # The thresholds and the caregiver's overlapping visits in one round trip.
        keys = ["orders.check_in_max_distance", "orders.short_service_percent"]
        overlap = (
            Order.objects.filter(caregiver=staff, checked_in_at__lt=when, checked_out_at__gt=began).exclude(
                pk=order.pk
            )
            if began is not None
            else Order.objects.none()
        )
        found = read_together(
            {"limits": policy_rows(keys, elder.region_id, when), "overlap": overlap.values("pk")}
        )
        limits = policy_pick(found["limits"], keys, elder.region_id)
        limit = limits["orders.check_in_max_distance"]
        if distance is not None and distance > limit:
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.FAR_CHECK_OUT,
                message=f"签退位置距老人住址 {distance_text(distance)}，超过 {distance_text(limit)}",
                data={"distance_m": distance, "limit_m": limit},
            )
        minutes = int((when - began).total_seconds() // 60) if began else 0
        standard = order.service_item.standard_minutes
        percent = limits["orders.short_service_percent"]
        if minutes * 100 < standard * percent:
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.SHORT_SERVICE,
                message=f"服务时长 {minutes} 分钟，不足标准时长 {standard} 分钟的 {percent}%",
                data={"minutes": minutes, "standard_minutes": standard, "percent": percent},
            )
        if found["overlap"]:
            overlapping = Order.objects.filter(pk__in=[r["pk"] for r in found["overlap"]])
            for other in overlapping:
                data = {"other_order": str(order.public_id)}
                flag_raise(
                    actor=SYSTEM,
                    order=other,
                    code=FlagCode.DOUBLE_PRESENCE,
                    message="服务时段与该服务人员另一工单重叠",
                    data=data,
                )
                flag_raise(
                    actor=SYSTEM,
                    order=order,
                    code=FlagCode.DOUBLE_PRESENCE,
                    message="服务时段与该服务人员另一工单重叠",
                    data={"other_order": str(other.public_id)},
                )
        _check_elder_active(order)
        _check_backdated(order, when, "签退")

    clean_items = [str(i)[:100] for i in items_done][:50]
    return _move(
        order,
        S.CHECKED_OUT,
        actor,
        reason="服务完成签退",
        data={"items_done": clean_items, "distance_m": distance},
        updates={
            "checked_out_at": when,
            "items_done": clean_items,
            "service_notes": notes[:2000],
            "check_out_lat": lat,
            "check_out_lng": lng,
            "check_out_distance_m": distance,
        },
        after=flags,
        gate=_serve_gate(order, actor),
    )


VISIT_CONTACT_STATUSES = frozenset({S.ACCEPTED, S.CHECKED_IN})


def order_visit_contact(*, order: Order, actor: Any) -> dict[str, str]:
    """The elder's full address and phone for the caregiver who accepted the visit, while it is
    accepted or in progress: shown on request, every showing audited (``elders.reveal``)."""
    _own_caregiver(order, actor)
    if order.status not in VISIT_CONTACT_STATUSES:
        raise DomainError("接单后、签退前才能查看老人的完整住址和电话")
    return elder_reveal_for_duty(
        actor=actor,
        elder=order.elder,
        fields=["address", "phone"],
        duty={"duty": "上门服务", "order": str(order.public_id)},
        permission="orders.serve",
        own=True,
    )


def check_photo(upload: Any) -> str:
    """A service photo is a JPEG, PNG or WebP image (sniffed from its content, never the client's
    Content-Type or extension) of at most ``YIYANG_PHOTO_MAX_BYTES``; returns the extension to store it
    under (the one place this rule lives)."""
    if upload is None:
        raise DomainError("请选择照片", code="validation_error", errors={"image": ["请选择照片"]})
    with as_domain_error("image"):
        return check_photo_content(upload)


def order_add_photo(*, order: Order, actor: Any, upload: Any) -> OrderPhoto:
    ext = check_photo(upload)
    _own_caregiver(order, actor)
    if order.status not in {S.CHECKED_IN, S.CHECKED_OUT}:
        raise Conflict(
            f"当前状态为「{ORDER_MACHINE.label(order.status)}」，不能上传服务照片",
            code="illegal_transition",
            extra={"current_status": order.status},
        )
    upload.name = f"photo.{ext}"  # the stored name is chosen by photo_path; only the sniffed type is kept
    with transaction.atomic():
        _serve_gate(order, actor)()
        photo = OrderPhoto.objects.create(order=order, image=upload, uploaded_by=actor)
        audit_record(actor=actor, region=order.region_code, event="orders.photo", obj=order)
    return photo


# --- confirmation and rating ----------------------------------------------------------------------------


def _is_family_of(order: Order, actor: Any) -> bool:
    return _is_contact(order.elder_id, actor)


def _new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def confirmation_code_expires_at(order: Order) -> datetime:
    """A code lives ``ORDERS_CONFIRMATION_CODE_HOURS`` from the later of its issue and the check-out."""
    issued = order.confirmation_code_issued_at or order.created_at
    start = max(issued, order.checked_out_at) if order.checked_out_at else issued
    return start + confirmation_code_life()


def confirmation_code_locked(order: Order) -> bool:
    return order.confirmation_attempts >= confirmation_max_tries()


def _renew_hint() -> str:
    return "请联系老人家属或调度员重新生成确认码"


def _check_code(order: Order, code: str) -> None:
    """Count the try atomically (a conditional UPDATE, so simultaneous tries cannot slip past the limit),
    then compare. Locked and expired codes are refused before any comparison."""
    if timezone.now() >= confirmation_code_expires_at(order):
        raise Conflict(
            f"确认码已过期，{_renew_hint()}",
            code="confirmation_code_expired",
            errors={"code": [f"确认码已过期，{_renew_hint()}"]},
        )
    limit = confirmation_max_tries()
    counted = Order.objects.filter(pk=order.pk, confirmation_attempts__lt=limit).update(
        confirmation_attempts=F("confirmation_attempts") + 1
    )
    locked_message = f"确认码连续输错 {limit} 次已锁定，{_renew_hint()}"
    if not counted:
        raise Conflict(locked_message, code="confirmation_code_locked", errors={"code": [locked_message]})
    if code and secrets.compare_digest(code.strip(), order.confirmation_code):
        return
    tries = Order.objects.filter(pk=order.pk).values_list("confirmation_attempts", flat=True).first() or limit
    order.confirmation_attempts = tries
    if tries >= limit:
        audit_record(
            actor=SYSTEM,
            region=order.region_code,
            event="orders.confirmation_code_locked",
            obj=order,
            data={"tries": tries},
        )
        raise Conflict(locked_message, code="confirmation_code_locked", errors={"code": [locked_message]})
    left = limit - tries
    raise DomainError(
        "确认码不正确",
        code="validation_error",
        errors={"code": [f"确认码不正确，请老人核对后重读（还可再试 {left} 次）"]},
    )


def order_confirm(*, order: Order, actor: Any, code: str = "") -> Order:
    """Confirmed by a family member linked to the elder, or on the caregiver's phone with the elder's code.
    The code locks after ``ORDERS_CONFIRMATION_MAX_TRIES`` wrong tries and expires; a new one is issued
    by ``order_confirmation_code_renew``."""
    if _is_family_of(order, actor):
        via = "family"

        def gate() -> None:
            require_scope(actor, "orders.confirm", order.region_code, own=True)
    else:
        gate = _serve_gate(order, actor)
        _own_caregiver(order, actor)
        require_transition(order, S.CONFIRMED)
        _check_code(order, code)
        via = "code"
    return _move(
        order,
        S.CONFIRMED,
        actor,
        reason="服务确认",
        data={"via": via},
        updates={"confirmed_at": timezone.now(), "confirmed_by": actor, "confirmed_via": via},
        after=lambda: _check_elder_active(order),
        gate=gate,
    )


def can_renew_confirmation_code(order: Order, actor: Any) -> bool:
    """Those who are shown the code (the elder's family, dispatchers in scope) may issue a new one."""
    if _is_family_of(order, actor):
        return True
    return (
        actor.has_perm("orders.dispatch")
        and "provider_admin" not in actor.roles()
        and Order.objects.restrict(actor, "orders.dispatch").filter(pk=order.pk).exists()
    )


def order_confirmation_code_renew(*, order: Order, actor: Any) -> Order:
    """Issue a new code (a new life and a fresh count of tries) while the order can still be confirmed:
    the elder's family, or a dispatcher whose scope holds the order (never the caregiver or the provider)."""
    family = _is_family_of(order, actor)
    if not family and (not actor.has_perm("orders.dispatch") or "provider_admin" in actor.roles()):
        raise Forbidden("只有老人家属或调度员可以重新生成确认码")
    if order.status in {S.CONFIRMED, S.RATED, S.SETTLED, S.CANCELLED}:
        raise Conflict(
            f"当前状态为「{ORDER_MACHINE.label(order.status)}」，无需确认码",
            code="illegal_transition",
            extra={"current_status": order.status},
        )
    now = timezone.now()
    code = _new_code()
    with transaction.atomic():
        if family:
            require_scope(actor, "orders.confirm", order.region_code, own=True)
        else:
            require_scope(actor, "orders.dispatch", order.region_code)
        renewed = Order.objects.filter(pk=order.pk, status=order.status).update(
            confirmation_code=code, confirmation_attempts=0, confirmation_code_issued_at=now
        )
        if not renewed:
            raise Conflict("该工单已被他人处理，请刷新后重试", code="concurrent_update")
        order.confirmation_code, order.confirmation_attempts = code, 0
        order.confirmation_code_issued_at = now
        audit_record(
            actor=actor, region=order.region_code, event="orders.confirmation_code_renewed", obj=order
        )
    return order


def order_rate(*, order: Order, actor: Any, score: int, comment: str = "") -> Order:
    if not _is_family_of(order, actor):
        raise Forbidden("只有老人的家属可以评价")
    if not 1 <= score <= 5:
        raise DomainError("评分应为 1–5", code="validation_error", errors={"score": ["评分应为 1–5"]})
    return _move(
        order,
        S.RATED,
        actor,
        reason="服务评价",
        data={"score": score},
        updates={"rating": score, "rating_comment": comment[:300]},
        gate=lambda: require_scope(actor, "orders.confirm", order.region_code, own=True),
    )


def order_cancel(*, order: Order, actor: Any, reason: str) -> Order:
    """Cancel an open order: staff under ``orders.add`` over the elder's region, or the family."""
    return _move(
        order,
        S.CANCELLED,
        actor,
        reason=reason,
        gate=lambda: require_scope(
            actor, "orders.add", order.region_code, own=_is_contact(order.elder_id, actor)
        ),
    )


# --- supervision ----------------------------------------------------------------------------------------


def flag_resolve(*, flag: OrderFlag, actor: Any, decision: str, reason: str) -> OrderFlag:
    """A supervisor clears (the order may be settled) or rejects (never paid) a flag, with a reason."""
    to = {"clear": FlagStatus.CLEARED, "reject": FlagStatus.REJECTED}.get(decision)
    if to is None:
        raise DomainError(
            "处理结论应为 clear 或 reject", code="validation_error", errors={"decision": ["无效的处理结论"]}
        )
    if not reason.strip():
        raise DomainError("请填写处理理由", code="validation_error", errors={"reason": ["请填写处理理由"]})
    order = flag.order

    def moved(old: str, new: str) -> None:
        require_scope(actor, "orders.supervise", flag.region_code)
        _audit(
            order,
            order.status,
            order.status,
            actor,
            reason,
            data={"flag": flag.code, "decision": new},
            event="orders.flag_resolved",
        )

    transition(
        obj=flag,
        to=to,
        machine=FLAG_MACHINE,
        timeline=FlagEvent,
        actor=actor,
        reason=reason,
        data={"order": str(order.public_id)},
        on_moved=moved,
        updates={
            "resolved_at": timezone.now(),
            "resolved_by": actor if getattr(actor, "is_authenticated", False) else None,
            "resolution_reason": reason[:300],
        },
    )
    return flag


def flags_resolve_many(*, flags: list[OrderFlag], actor: Any, decision: str, reason: str) -> dict[str, int]:
    """Clear or reject many flags with one reason (批量放行/驳回): each flag goes through ``flag_resolve``
    (its own scope check and audit row), all in one transaction, so one flag outside the actor's
    scope refuses the whole batch. Flags someone else resolved meanwhile are counted, not forced."""
    if not flags:
        raise DomainError("请先勾选要处理的异常", code="validation_error", errors={"flags": ["未选择异常"]})
    done = skipped = 0
    with transaction.atomic():
        for flag in flags:
            try:
                with transaction.atomic():
                    flag_resolve(flag=flag, actor=actor, decision=decision, reason=reason)
            except Conflict:
                skipped += 1
                continue
            done += 1
    return {"resolved": done, "skipped": skipped}


# --- SLA and the elder register -------------------------------------------------------------------------


def orders_sla_sweep(*, actor: Any, now: datetime | None = None) -> dict[str, int]:
    """Dispatched but not accepted in time → back to created and re-dispatched automatically to the next
    caregiver; after ``ORDERS_MAX_DISPATCH_ATTEMPTS`` or when nobody fits → escalated to the dispatcher.
    The scheduled job runs it as ``SYSTEM`` (city-wide); a person runs it over their own scope only."""

    require_actor(actor)
    now = now or timezone.now()
    shortest = timedelta(minutes=policy_minimum("orders.accept_deadline", now))
    stale = (
        Order.objects.restrict(actor, "orders.dispatch")
        .filter(status=S.DISPATCHED, dispatched_at__lt=now - shortest)
        .select_related("elder", "service_item", "caregiver")
    )
    result = {"timed_out": 0, "redispatched": 0, "escalated": 0}
    for order in stale:
        if order.dispatched_at is not None and order.dispatched_at >= now - accept_sla(
            order.elder.region_id, now
        ):
            continue  # this elder's region allows longer
        previous = order.caregiver
        try:
            _move(
                order,
                S.CREATED,
                actor,
                gate=lambda order=order: require_scope(actor, "orders.dispatch", order.region_code),
                reason="超时未接单，收回重派",
                data={
                    "caregiver": str(previous.public_id) if previous else "",
                    "caregiver_pk": previous.pk if previous else None,
                },
                updates={"caregiver": None},
            )
        except Conflict:
            continue
        result["timed_out"] += 1
        escalate = order.dispatch_attempts >= max_dispatch_attempts()
        if not escalate:
            try:
                order_auto_dispatch_excluding(order=order, exclude=previous, actor=actor)
                result["redispatched"] += 1
                continue
            except (DomainError, Conflict):
                escalate = True
        with transaction.atomic():
            require_scope(actor, "orders.dispatch", order.region_code)
            Order.objects.filter(pk=order.pk).update(escalated_at=now)
            audit_record(
                actor=actor,
                region=order.region_code,
                event="orders.escalated",
                obj=order,
                data={"attempts": order.dispatch_attempts},
            )
        result["escalated"] += 1
    return result


def order_auto_dispatch_excluding(*, order: Order, exclude: Staff | None, actor: Any) -> None:
    candidates = [c for c in order_candidates(order=order) if c.eligible and c.staff != exclude]
    if not candidates:
        raise DomainError("没有符合条件的服务人员可派", code="no_candidate")
    order_dispatch(
        order=order,
        caregiver=candidates[0].staff,
        actor=actor,
        reason="超时自动重派",
        candidate=candidates[0],
    )


def on_elder_status(event: ElderStatusChanged) -> dict[str, Any]:
    """Subscriber of ``core.hooks.elder_status_changed``: on death or moving out, cancel every open
    order of the elder and flag orders served after the change (nothing on a correction back to active)."""
    if not event.ends_service:
        return {}
    new, actor = event.new, event.actor
    cancelled = 0
    mine = Order.objects.filter(elder__public_id=event.elder_id)
    for order in mine.filter(status__in=OPEN_STATUSES).select_related("elder"):
        try:
            _move(
                order,
                S.CANCELLED,
                actor,
                reason=f"老人状态变更为「{ElderStatus(new).label}」，自动取消",
                gate=lambda order=order: require_scope(actor, "elders.status", order.region_code),
            )
            cancelled += 1
        except Conflict:
            continue
    since = event.effective_date
    flagged = 0
    served = mine.filter(status__in=[S.CHECKED_IN, S.CHECKED_OUT, S.CONFIRMED, S.RATED])
    for order in served.select_related("elder"):
        if since is None or timezone.localtime(order.checked_in_at or order.scheduled_start).date() >= since:
            flag_raise(
                actor=SYSTEM,
                order=order,
                code=FlagCode.INACTIVE_ELDER,
                message=f"老人于 {since or '（日期未知）'} {ElderStatus(new).label}，其后仍有服务记录",
                data={"elder_status": new},
            )
            flagged += 1
    return {"orders_cancelled": cancelled, "orders_flagged": flagged}


def on_elder_transfer(elder: Elder, old_region: str, new_region: str, actor: Any) -> dict[str, Any]:
    """TRANSFER_HANDLERS hook: the elder's open orders (with their flags and complaints) move with the
    elder; settled, cancelled and closed rows keep the region they had (decision 0006)."""
    from yiyang.orders.models import Complaint

    open_ids = list(Order.objects.filter(elder=elder, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    if not open_ids:
        return {}
    Order.objects.filter(pk__in=open_ids).update(region_code=new_region)
    OrderFlag.objects.filter(order_id__in=open_ids).update(region_code=new_region)
    Complaint.objects.filter(order_id__in=open_ids).update(region_code=new_region)
    return {"orders_moved": len(open_ids)}
