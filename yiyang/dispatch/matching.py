"""Matching orders to caregivers, read only: eligibility (``evaluate``), candidates with the reasons each
is eligible or skipped, and the bulk plan (regret-ordered, so scarce orders pick first). Nothing here
writes: the writers (automatic dispatch of one order or many) live in ``yiyang.orders.dispatching`` and
assign through ``orders.services.order_dispatch`` (CAS)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yiyang.core.geo import distance_text, haversine_m
from yiyang.orders.selectors import busy_windows, declined_caregiver_pks
from yiyang.providers.choices import skill_labels
from yiyang.providers.selectors import organisations_administered, staff_serving

if TYPE_CHECKING:
    from yiyang.orders.models import Order
    from yiyang.providers.models import Organisation, Staff


@dataclass
class Candidate:
    staff: Staff
    distance_m: int | None
    load: int
    eligible: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "caregiver": str(self.staff.public_id),
            "name": self.staff.name,
            "provider": self.staff.organisation.name,
            "distance_m": self.distance_m,
            "load": self.load,
            "skills": list(self.staff.skills),
            "eligible": self.eligible,
            "reasons": self.reasons,
            "lat": self.staff.home_lat,
            "lng": self.staff.home_lng,
        }


def region_ancestors(code: str) -> list[str]:
    """The 12-digit codes of a region and every level above it."""
    return sorted({code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)})


def staff_pool(region_code: str, *, organisations: Iterable[Organisation] | None = None) -> list[Staff]:
    """Active staff of the active organisations serving the region (one query + certificates)."""
    return staff_serving(region_codes=region_ancestors(region_code), organisations=organisations)


@dataclass
class BusyBook:
    """Orders each caregiver already holds: per-day load and time windows."""

    windows: dict[int, list[tuple[datetime, datetime, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    @classmethod
    def load_for(cls, staff_ids: list[int], start: datetime, end: datetime) -> BusyBook:
        book = cls()
        rows = busy_windows(caregiver_ids=staff_ids, start=start, end=end)
        for pk, sid, begin, minutes in rows:
            book.add(sid, begin, minutes, pk)
        return book

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> BusyBook:
        """From ``yiyang.orders.selectors.busy_rows`` (read with other rows in one round trip)."""
        book = cls()
        for r in rows:
            book.add(r["caregiver_id"], r["scheduled_start"], r["service_item__standard_minutes"], r["pk"])
        return book

    def add(self, staff_id: int, begin: datetime, minutes: int, order_pk: int) -> None:
        self.windows[staff_id].append((begin, begin + timedelta(minutes=minutes), order_pk))

    def load_on(self, staff_id: int, day: date) -> int:
        return sum(1 for b, _, _ in self.windows.get(staff_id, []) if timezone.localtime(b).date() == day)

    def clash(self, staff_id: int, begin: datetime, end: datetime, order_pk: int | None) -> bool:
        return any(b < end and begin < e and pk != order_pk for b, e, pk in self.windows.get(staff_id, []))


def day_bounds(when: datetime) -> tuple[datetime, datetime]:
    """The day's orders (for load) plus the evening before (a late visit may run past midnight)."""
    local = timezone.localtime(when)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        return start - timedelta(hours=12), start + timedelta(days=1)
    except OverflowError:  # a date at the calendar's edge (orders are refused beyond the horizon now)
        return start - timedelta(hours=12), start.replace(hour=23, minute=59, second=59, microsecond=999999)


def declined_by(order: Order) -> set[int]:
    """Caregivers who declined this order or let it time out: re-dispatch skips them."""
    return declined_caregiver_pks(order)


def evaluate(
    order: Order,
    staff: Staff,
    book: BusyBook,
    *,
    declined: set[int] | None = None,
    certificates: list[Any] | None = None,
) -> Candidate:
    """Whether ``staff`` may take ``order``, and why not. ``certificates``: the staff's certificates when the
    caller read them already (else they are read, or taken from a prefetch)."""
    elder = order.elder
    item = order.service_item
    day = timezone.localtime(order.scheduled_start).date()
    end = order.scheduled_start + timedelta(minutes=item.standard_minutes)
    blocking: list[str] = []
    notes: list[str] = []
    distance: int | None = None
    if (
        elder.lat is not None
        and elder.lng is not None
        and staff.home_lat is not None
        and staff.home_lng is not None
    ):
        distance = round(haversine_m(staff.home_lat, staff.home_lng, elder.lat, elder.lng))
        notes.append(f"距离 {distance_text(distance)}")
    else:
        notes.append("缺少坐标，无法计算距离")
    missing = [s for s in item.skills_required if s not in staff.skills]
    if missing:
        blocking.append("缺少所需技能：" + "、".join(skill_labels(missing)))
    valid = (
        [c for c in certificates if c.is_valid_on(day)]
        if certificates is not None
        else staff.valid_certificates(day)
    )
    if not valid:
        blocking.append("无有效资格证书")
    if staff.liability_insurance_until is None or staff.liability_insurance_until < day:
        blocking.append("责任险已过期或未投保")
    if not staff.works_at(order.scheduled_start):
        blocking.append("预约时间不在其工作时间内")
    load = book.load_on(staff.pk, day)
    if load >= staff.max_daily_orders:
        blocking.append(f"当日已满（{load}/{staff.max_daily_orders} 单）")
    elif book.clash(staff.pk, order.scheduled_start, end, order.pk):
        blocking.append("该时段已有其他工单")
    if declined and staff.pk in declined:
        blocking.append("已拒绝过此工单")
    if not blocking:
        notes.append(f"当日已有 {load} 单")
    return Candidate(
        staff=staff,
        distance_m=distance,
        load=load,
        eligible=not blocking,
        reasons=blocking + notes if blocking else ["符合条件", *notes],
    )


def sort_key(c: Candidate) -> tuple[int, float, int]:
    return (0 if c.eligible else 1, c.distance_m if c.distance_m is not None else float("inf"), c.load)


def order_candidates(*, order: Order, organisations: Iterable[Organisation] | None = None) -> list[Candidate]:
    """Every caregiver of a provider serving the elder's region, eligible first, nearest first."""
    pool = staff_pool(order.elder.region_id, organisations=organisations)
    start, end = day_bounds(order.scheduled_start)
    book = BusyBook.load_for([s.pk for s in pool], start, end)
    declined = declined_by(order)
    return sorted((evaluate(order, s, book, declined=declined) for s in pool), key=sort_key)


def dispatch_organisations(user: Any) -> list[Organisation] | None:
    """A provider admin dispatches only to their own staff; region-scoped dispatchers to any serving one."""
    if user.is_superuser or user.scope_prefixes("orders.dispatch"):
        return None
    return list(organisations_administered(user))


def plan_bulk(
    orders: list[Order], *, organisations: Iterable[Organisation] | None = None, greedy: bool = False
) -> tuple[dict[int, Candidate], list[Order]]:
    """Assign many orders without executing: returns {order.pk: chosen} and the orders left unassigned.

    ``greedy`` is the nearest-first baseline (orders in time order, each takes its nearest free
    caregiver). Otherwise orders are taken by regret — the gap between their best and second-best
    distance — so an order with one good option is not robbed of it by an order with many.
    """
    if not orders:
        return {}, []
    orgs = list(organisations) if organisations is not None else None
    pools: dict[str, list[Staff]] = {}
    for o in orders:
        if o.elder.region_id not in pools:
            pools[o.elder.region_id] = staff_pool(o.elder.region_id, organisations=orgs)
    all_staff = {s.pk: s for pool in pools.values() for s in pool}
    first = min(o.scheduled_start for o in orders)
    last = max(o.scheduled_start for o in orders)
    book = BusyBook.load_for(list(all_staff), day_bounds(first)[0], day_bounds(last)[1])
    chosen: dict[int, Candidate] = {}
    pending = sorted(orders, key=lambda o: o.scheduled_start)
    if greedy:
        for o in pending:
            best = min(
                (c for c in (evaluate(o, s, book) for s in pools[o.elder.region_id]) if c.eligible),
                key=sort_key,
                default=None,
            )
            if best is not None:
                chosen[o.pk] = best
                book.add(best.staff.pk, o.scheduled_start, o.service_item.standard_minutes, o.pk)
        return chosen, [o for o in orders if o.pk not in chosen]
    ranked: dict[int, list[Candidate]] = {}
    regret: dict[int, float] = {}
    for o in pending:
        options = sorted(
            (c for c in (evaluate(o, s, book) for s in pools[o.elder.region_id]) if c.eligible), key=sort_key
        )
        ranked[o.pk] = options
        if options:
            d0 = options[0].distance_m or 0
            regret[o.pk] = ((options[1].distance_m or 0) - d0) if len(options) > 1 else float("inf")
    for o in sorted((o for o in pending if ranked[o.pk]), key=lambda o: -regret[o.pk]):
        for option in ranked[o.pk]:
            # Re-check against the assignments made so far (load and time windows change).
            again = evaluate(o, option.staff, book)
            if again.eligible:
                chosen[o.pk] = again
                book.add(option.staff.pk, o.scheduled_start, o.service_item.standard_minutes, o.pk)
                break
    return chosen, [o for o in orders if o.pk not in chosen]
