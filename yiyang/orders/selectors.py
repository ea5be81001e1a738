"""Reads of orders, flags and settlements, always starting from the scoped queryset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yiyang.orders.choices import FlagStatus, OrderStatus
from yiyang.orders.models import (
    Complaint,
    Order,
    OrderEvent,
    OrderFlag,
    OrderPhoto,
    Settlement,
    SettlementLine,
)
from yiyang.orders.settlement import complaint_hold_q, held_q
from yiyang.orders.transitions import BUSY_STATUSES, COMPLAINT_PENDING, DISPATCHABLE


def order_list(*, user: Any, perm: str = "orders.view") -> QuerySet[Order]:
    return (
        Order.objects.restrict(user, perm)
        .select_related("elder", "elder__region", "service_item", "provider", "caregiver")
        .prefetch_related(Prefetch("flags", queryset=OrderFlag.objects.order_by("raised_at")))
        .distinct()
    )


def _detail_prefetches() -> tuple[Any, ...]:
    return (
        Prefetch("flags", queryset=OrderFlag.objects.order_by("raised_at")),
        Prefetch("timeline", queryset=OrderEvent.objects.order_by("at", "pk")),
        "photos",
    )


def order_detail_queryset(*, user: Any, perm: str = "orders.view") -> QuerySet[Order]:
    return order_list(user=user, perm=perm).prefetch_related(None).prefetch_related(*_detail_prefetches())


def order_transition_queryset(*, user: Any, perm: str = "orders.view") -> QuerySet[Order]:
    """The scoped order with what a transition reads and answers with (elder, item, provider, caregiver)
    and nothing else: no DISTINCT (the scope is a filter on the order's own columns and subqueries, one
    row per order), no prefetches — the timeline, flags, photos and complaints are read once, by
    ``order_answer_parts``, after the move."""
    return Order.objects.restrict(user, perm).select_related("elder", "service_item", "provider", "caregiver")


TIMELINE_VALUES = ("id", "from_status", "to_status", "actor_name", "reason", "data", "at")
FLAG_VALUES = (
    "id",
    "public_id",
    "code",
    "message",
    "status",
    "raised_at",
    "resolved_at",
    "resolution_reason",
)
COMPLAINT_VALUES = ("id", "public_id", "category", "status", "outcome", "created_at")


def order_answer_parts(order: Order, *, user: Any) -> dict[str, list[dict[str, Any]]]:
    """What a detail answer shows besides the order row, as plain values, read after a move: the timeline,
    the flags, the photos' file names and the complaints ``user`` may see — each in the order the detail
    view shows it. On PostgreSQL in one query (each part aggregated to JSON); elsewhere one query each.
    Timestamps come back as datetimes either way."""
    from yiyang.core.reads import SubjectRows, read_together

    parts: dict[str, Any] = {
        "timeline": SubjectRows(OrderEvent, "order_id", order.pk, TIMELINE_VALUES),
        "flags": SubjectRows(OrderFlag, "order_id", order.pk, FLAG_VALUES),
        "photos": SubjectRows(OrderPhoto, "order_id", order.pk, ("id", "image")),
        "complaints": order_complaints(order=order, user=user).values(*COMPLAINT_VALUES),
    }
    rows = read_together(parts, using=Order.objects.db)
    rows["timeline"].sort(key=lambda r: (r["at"], r["id"]))
    rows["flags"].sort(key=lambda r: (r["raised_at"], r["id"]))
    rows["photos"].sort(key=lambda r: r["id"])
    rows["complaints"].sort(key=lambda r: (r["created_at"], r["id"]))
    return rows


def order_get(*, user: Any, public_id: Any, perm: str = "orders.view") -> Order | None:
    try:
        return order_detail_queryset(user=user, perm=perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def open_flags(*, user: Any) -> QuerySet[OrderFlag]:
    return (
        OrderFlag.objects.restrict(user, "orders.supervise")
        .filter(status=FlagStatus.OPEN)
        .select_related("order", "order__elder", "order__service_item", "order__caregiver", "order__provider")
        .order_by("-raised_at")
    )


def settlement_list(*, user: Any, perm: str = "settlements.view") -> QuerySet[Settlement]:
    return (
        Settlement.objects.restrict(user, perm)
        .select_related("provider")
        .order_by("-month", "provider__name")
    )


def settlement_lines(settlement: Settlement) -> QuerySet[SettlementLine]:
    return settlement.lines.select_related(
        "order", "order__elder", "order__service_item", "order__caregiver", "reversed_by", "pending_reversal"
    )


def dispatchable_orders(*, user: Any, limit: int = 2000) -> list[Order]:
    """Orders waiting for a caregiver that the user may dispatch (the bulk auto-dispatch input)."""
    return list(
        Order.objects.restrict(user, "orders.dispatch")
        .filter(status__in=DISPATCHABLE)
        .select_related("elder", "service_item")[:limit]
    )


def settlement_held_orders(*, settlement: Settlement, user: Any) -> QuerySet[Order]:
    """The month's confirmed or rated orders of the settlement's provider and county that are held out of
    it (an open or rejected flag, a pending no-show or an upheld complaint), and only those the viewer may
    see (``orders.view``); none if the user cannot see the statement."""
    if not settlement_list(user=user).filter(pk=settlement.pk).exists():
        return Order.objects.none()
    start = datetime.strptime(settlement.month, "%Y-%m")
    return (
        Order.objects.restrict(user, "orders.view")
        .filter(
            provider=settlement.provider,
            region_code__startswith=settlement.region_code[:6],
            status__in=[OrderStatus.CONFIRMED, OrderStatus.RATED],
            checked_out_at__year=start.year,
            checked_out_at__month=start.month,
        )
        .filter(held_q())
        .select_related("elder", "service_item")
        .prefetch_related("flags", Prefetch("complaints", Complaint.objects.filter(complaint_hold_q())))
    )


def busy_q() -> Q:
    """Orders that occupy their caregiver (dispatched, accepted or checked in)."""
    return Q(status__in=BUSY_STATUSES)


BUSY_VALUES = ("pk", "caregiver_id", "scheduled_start", "service_item__standard_minutes")


def busy_rows(*, caregiver_ids: list[int], start: datetime, end: datetime) -> QuerySet[Order, Any]:
    """The busy orders of these caregivers starting in [start, end), as values (``BUSY_VALUES``)."""
    return Order.objects.filter(
        caregiver_id__in=caregiver_ids,
        status__in=BUSY_STATUSES,
        scheduled_start__gte=start,
        scheduled_start__lt=end,
    ).values(*BUSY_VALUES)


def busy_windows(
    *, caregiver_ids: list[int], start: datetime, end: datetime
) -> list[tuple[int, int, datetime, int]]:
    """(order pk, caregiver pk, scheduled start, standard minutes) of the busy orders starting in [start, end)."""
    rows = busy_rows(caregiver_ids=caregiver_ids, start=start, end=end)
    return [
        (r["pk"], r["caregiver_id"], r["scheduled_start"], r["service_item__standard_minutes"]) for r in rows
    ]


def declines_rows(order: Order) -> QuerySet[OrderEvent, Any]:
    """The timeline rows of this order's declines and time-outs, as values (``data``)."""
    return OrderEvent.objects.filter(
        order=order,
        from_status=OrderStatus.DISPATCHED,
        to_status__in=[OrderStatus.DECLINED, OrderStatus.CREATED],
    ).values("data")


def declined_from_rows(rows: Any) -> set[int]:
    return {
        int(r["data"]["caregiver_pk"])
        for r in rows
        if isinstance(r["data"], dict) and r["data"].get("caregiver_pk")
    }


def declined_caregiver_pks(order: Order) -> set[int]:
    """Caregivers who declined this order or let it time out."""
    return declined_from_rows(declines_rows(order))


# --- complaints -----------------------------------------------------------------------------------------


def complaint_list(*, user: Any, perm: str = "complaints.view") -> QuerySet[Complaint]:
    return (
        Complaint.objects.restrict(user, perm)
        .select_related(
            "order", "order__elder", "order__elder__region", "order__service_item", "order__provider"
        )
        .order_by("-created_at", "-pk")
    )


def complaint_get(*, user: Any, public_id: Any, perm: str = "complaints.view") -> Complaint | None:
    try:
        return complaint_list(user=user, perm=perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None


def overdue_q(now: datetime | None = None) -> Q:
    """Complaints not resolved by their deadline."""
    return Q(status__in=COMPLAINT_PENDING, sla_due_at__lt=now or timezone.now())


def pending_complaints(*, user: Any, perm: str = "complaints.handle") -> QuerySet[Complaint]:
    return complaint_list(user=user, perm=perm).filter(status__in=COMPLAINT_PENDING)


def order_complaints(*, order: Order, user: Any) -> QuerySet[Complaint]:
    """The complaints about one order the user may see (none for a caregiver)."""
    return (
        Complaint.objects.restrict(user, "complaints.view").filter(order=order).order_by("created_at", "pk")
    )
