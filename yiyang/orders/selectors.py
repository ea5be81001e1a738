"""Reads of orders, flags and settlements, always starting from the scoped queryset."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from yiyang.orders.choices import FlagStatus, OrderStatus
from yiyang.orders.models import Complaint, Order, OrderEvent, OrderFlag, Settlement, SettlementLine
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
    """The scoped order with what a transition reads (elder, item, provider, caregiver) and nothing it
    would have to re-read afterwards: the timeline, flags and photos are loaded once, by
    ``order_refresh_detail``, after the move."""
    return order_list(user=user, perm=perm).prefetch_related(None)


def order_refresh_detail(order: Order) -> Order:
    """(Re)load the relations a detail answer shows after a transition changed them (three queries)."""
    cache = getattr(order, "_prefetched_objects_cache", None)
    if cache:
        for name in ("flags", "timeline", "photos"):
            cache.pop(name, None)
    prefetch_related_objects([order], *_detail_prefetches())
    return order


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


def busy_windows(
    *, caregiver_ids: list[int], start: datetime, end: datetime
) -> list[tuple[int, int, datetime, int]]:
    """(order pk, caregiver pk, scheduled start, standard minutes) of the busy orders starting in [start, end)."""
    return list(
        Order.objects.filter(
            caregiver_id__in=caregiver_ids,
            status__in=BUSY_STATUSES,
            scheduled_start__gte=start,
            scheduled_start__lt=end,
        ).values_list("pk", "caregiver_id", "scheduled_start", "service_item__standard_minutes")
    )


def declined_caregiver_pks(order: Order) -> set[int]:
    """Caregivers who declined this order or let it time out."""
    ids = OrderEvent.objects.filter(
        order=order,
        from_status=OrderStatus.DISPATCHED,
        to_status__in=[OrderStatus.DECLINED, OrderStatus.CREATED],
    ).values_list("data", flat=True)
    return {int(d["caregiver_pk"]) for d in ids if isinstance(d, dict) and d.get("caregiver_pk")}


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
