"""Writes to complaints (投诉). A complaint is raised on an order that has been dispatched, then accepted
(handling), resolved upheld (属实) or dismissed (不属实), and — once, if the complainant disputes a
dismissal — reopened. Every step is one CAS transition that writes a row in the complaint's timeline
(``ComplaintEvent``) and the audit event in the same transaction.

Money: the settlement eligibility query (``yiyang.orders.settlement.held_q``) holds an order out of the
statement while a 未上门/虚假服务 complaint is pending and for good once any complaint is upheld; an
upheld complaint on an order already settled queues the reversal of its charge for the provider's next
statement (``settlement_reverse``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiyang.core.errors import Conflict, DomainError
from yiyang.core.policy import policy_value
from yiyang.core.statemachine import IllegalTransition, timeline_write, transition
from yiyang.orders.choices import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
    LineKind,
)
from yiyang.orders.choices import OrderStatus as S
from yiyang.orders.models import Complaint, ComplaintEvent, Order, PendingReversal, SettlementLine
from yiyang.orders.services import _audit, _is_contact, _name
from yiyang.orders.transitions import (
    COMPLAINABLE,
    COMPLAINT_MACHINE,
    COMPLAINT_PENDING,
    MAX_REOPENS,
    ORDER_MACHINE,
)
from yiyang.regions.scope import require_scope


def resolve_sla(region_code: str | None = None) -> timedelta:
    """Time allowed from a complaint (or its reopening) to its resolution: the policy value
    ``complaints.resolve_deadline`` (hours) of the elder's region."""
    return timedelta(hours=policy_value("complaints.resolve_deadline", region_code))


def can_complain(order: Order) -> bool:
    return order.status in COMPLAINABLE and order.provider_id is not None


def _default_channel(actor: Any) -> str:
    roles = actor.roles() if hasattr(actor, "roles") else set()
    if "family" in roles:
        return ComplaintChannel.FAMILY
    if roles & {"community_worker", "street_worker"}:
        return ComplaintChannel.COMMUNITY
    return ComplaintChannel.HOTLINE


def _data(complaint: Complaint, **more: Any) -> dict[str, Any]:
    """Audit data of a complaint step (the timeline row names the complaint by its foreign key)."""
    return {
        "complaint": str(complaint.public_id),
        "category": complaint.category,
        "complaint_status": complaint.status,
        **more,
    }


def _audit_step(complaint: Complaint, actor: Any, reason: str, event: str, **more: Any) -> None:
    order = complaint.order
    _audit(order, order.status, order.status, actor, reason, _data(complaint, **more), event)


def _label(complaint: Complaint) -> str:
    return str(ComplaintCategory(complaint.category).label)


def _duplicate() -> Conflict:
    return Conflict(
        "该工单已有同类投诉正在处理，请勿重复投诉",
        code="duplicate",
        errors={"category": ["该工单已有同类投诉正在处理，请勿重复投诉"]},
    )


def complaint_raise(
    *, order: Order, actor: Any, category: str, description: str, channel: str = ""
) -> Complaint:
    if not can_complain(order):
        raise Conflict(
            f"当前状态为「{ORDER_MACHINE.label(order.status)}」，工单尚未派单，不能投诉",
            code="illegal_transition",
            extra={"current_status": order.status},
        )
    errors: dict[str, list[str]] = {}
    if category not in ComplaintCategory.values:
        errors["category"] = ["请选择投诉类别"]
    if not description.strip():
        errors["description"] = ["请填写投诉内容"]
    if channel and channel not in ComplaintChannel.values:
        errors["channel"] = ["无效的投诉渠道"]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="validation_error", errors=errors)
    channel = channel or _default_channel(actor)
    with transaction.atomic():
        require_scope(actor, "orders.complain", order.region_code, own=_is_contact(order.elder_id, actor))
        if Complaint.objects.filter(order=order, category=category, status__in=COMPLAINT_PENDING).exists():
            raise _duplicate()
        try:
            with transaction.atomic():  # the constraint decides a race the check above cannot see
                complaint = Complaint.objects.create(
                    order=order,
                    region_code=order.region_code,
                    raised_by=actor if getattr(actor, "is_authenticated", False) else None,
                    raised_by_name=_name(actor),
                    channel=channel,
                    category=category,
                    description=description.strip()[:1000],
                    sla_due_at=timezone.now() + resolve_sla(order.region_code),
                )
        except IntegrityError as exc:
            raise _duplicate() from exc
        reason = f"收到投诉（{_label(complaint)}）"
        timeline_write(
            timeline=ComplaintEvent,
            subject=complaint,
            old="",
            new=complaint.status,
            actor=actor,
            reason=reason,
            data={"channel": channel, "category": category},
        )
        _audit_step(complaint, actor, reason, "complaints.raised", channel=channel)
    return complaint


def complaint_handle(*, complaint: Complaint, actor: Any) -> Complaint:
    """受理: the complaint is taken on by the acting supervisor."""

    reason = f"受理投诉（{_label(complaint)}）"

    def moved(old: str, new: str) -> None:
        require_scope(actor, "complaints.handle", complaint.region_code)
        _audit_step(complaint, actor, reason, "complaints.handling")

    transition(
        obj=complaint,
        to=ComplaintStatus.HANDLING,
        machine=COMPLAINT_MACHINE,
        timeline=ComplaintEvent,
        actor=actor,
        reason=reason,
        on_moved=moved,
        updates={
            "handler": actor if getattr(actor, "is_authenticated", False) else None,
            "handler_name": _name(actor),
            "handling_at": timezone.now(),
        },
    )
    return complaint


def _reverse_settled(complaint: Complaint, actor: Any) -> PendingReversal | None:
    """An upheld complaint on a settled order: queue the reversal of its charge for the provider's next
    statement (the statement that holds the charge is closed)."""
    from yiyang.orders.settlement import settlement_reverse

    order = complaint.order
    charge = (
        SettlementLine.objects.filter(
            order=order, kind=LineKind.CHARGE, reversed_by__isnull=True, pending_reversal__isnull=True
        )
        .select_related("settlement", "settlement__provider")
        .first()
    )
    if charge is None:
        return None
    return settlement_reverse(
        settlement=charge.settlement,
        order=order,
        actor=actor,
        reason=f"投诉属实（{_label(complaint)}），冲正",
        permission="complaints.handle",
    )


def complaint_resolve(*, complaint: Complaint, actor: Any, outcome: str, resolution: str) -> Complaint:
    """办结 with a ruling and its reasons. Upheld: the order is never paid (held out of settlement), or its
    charge is reversed if it was already settled."""
    if not COMPLAINT_MACHINE.can(complaint.status, ComplaintStatus.RESOLVED):
        raise IllegalTransition(
            f"当前状态为「{COMPLAINT_MACHINE.label(complaint.status)}」，不能办结（请先受理）",
            extra={"current_status": complaint.status},
        )
    errors: dict[str, list[str]] = {}
    if outcome not in ComplaintOutcome.values:
        errors["outcome"] = ["请选择处理结论：属实或不属实"]
    if not resolution.strip():
        errors["resolution"] = ["请填写办理结果"]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], code="validation_error", errors=errors)
    order = complaint.order

    reason = f"投诉办结（{ComplaintOutcome(outcome).label}）：{resolution.strip()}"

    data: dict[str, Any] = {"outcome": outcome}

    def moved(old: str, new: str) -> None:
        require_scope(actor, "complaints.handle", complaint.region_code)
        reversal = None
        if outcome == ComplaintOutcome.UPHELD and order.status == S.SETTLED:
            reversal = _reverse_settled(complaint, actor)
        data["reversed_fen"] = -reversal.charge.amount_fen if reversal else 0
        _audit_step(complaint, actor, reason, "complaints.resolved", **data)

    transition(
        obj=complaint,
        to=ComplaintStatus.RESOLVED,
        machine=COMPLAINT_MACHINE,
        timeline=ComplaintEvent,
        actor=actor,
        reason=reason,
        data=data,
        on_moved=moved,
        updates={
            "outcome": outcome,
            "resolution": resolution.strip()[:1000],
            "handler": actor if getattr(actor, "is_authenticated", False) else None,
            "handler_name": _name(actor),
            "resolved_at": timezone.now(),
        },
    )
    return complaint


def complaint_reopen(*, complaint: Complaint, actor: Any, reason: str) -> Complaint:
    """The complainant disputes a dismissal: back to handling, once, with a fresh resolution deadline."""
    if complaint.status == ComplaintStatus.RESOLVED and not complaint.can_reopen:
        why = (
            "投诉已认定属实，无需重新处理"
            if complaint.outcome == ComplaintOutcome.UPHELD
            else f"该投诉已重新处理过 {MAX_REOPENS} 次，不能再次重开"
        )
        raise IllegalTransition(why, extra={"current_status": complaint.status})
    if complaint.status != ComplaintStatus.RESOLVED:
        raise IllegalTransition(
            f"当前状态为「{COMPLAINT_MACHINE.label(complaint.status)}」，尚未办结，不能重新处理",
            extra={"current_status": complaint.status},
        )
    if not reason.strip():
        raise DomainError("请填写不满意的理由", code="validation_error", errors={"reason": ["请填写理由"]})
    now = timezone.now()

    if (
        Complaint.objects.filter(
            order_id=complaint.order_id, category=complaint.category, status__in=COMPLAINT_PENDING
        )
        .exclude(pk=complaint.pk)
        .exists()
    ):
        raise _duplicate()
    why = f"投诉人不满意，重新处理：{reason.strip()}"
    try:
        with transaction.atomic():
            _reopen_move(complaint, actor, why, reason, now)
    except IntegrityError as exc:  # another complaint of this category became pending meanwhile
        raise _duplicate() from exc
    return complaint


def _reopen_move(complaint: Complaint, actor: Any, why: str, reason: str, now: Any) -> None:
    def moved(old: str, new: str) -> None:
        require_scope(
            actor, "orders.complain", complaint.region_code, own=_is_contact(complaint.order.elder_id, actor)
        )
        _audit_step(complaint, actor, why, "complaints.reopened")

    transition(
        obj=complaint,
        to=ComplaintStatus.HANDLING,
        machine=COMPLAINT_MACHINE,
        timeline=ComplaintEvent,
        actor=actor,
        reason=why,
        on_moved=moved,
        updates={
            "outcome": "",
            "reopen_count": complaint.reopen_count + 1,
            "reopen_reason": reason.strip()[:300],
            "reopened_at": now,
            "resolved_at": None,
            "sla_due_at": now + resolve_sla(complaint.region_code),
        },
    )
