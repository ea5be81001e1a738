"""点菜式下单: a cart of several catalog items for one elder, priced before confirming with the same subsidy
rule the monthly statement charges by (``yiyang.orders.settlement.subsidy_split``), then placed as one
order per visit sharing a batch id.

Visits follow each other: a line of quantity 2 is two visits, and every visit of the cart starts when
the one before it ends (by the item's standard time), in the order chosen, from the appointment time.
The preview counts the month's quota as the statement will: subsidised services already charged, plus
the elder's orders not yet charged that month which the rule would subsidise, then this cart's visits in
order. The price is the catalog price in the elder's county; the statement charges the provider's
contract price where one is agreed (decision 0008)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from yiyang.core.errors import DomainError
from yiyang.elders.choices import ElderStatus
from yiyang.orders.choices import LineKind
from yiyang.orders.choices import OrderStatus as S
from yiyang.orders.models import Order, SettlementLine
from yiyang.orders.services import _is_contact, order_create
from yiyang.orders.settlement import quota_used_settled, subsidy_split
from yiyang.providers.selectors import catalog_price_fen, monthly_quota_list, subsidy_rule_list
from yiyang.regions.scope import require_actor, require_scope

if TYPE_CHECKING:
    from yiyang.elders.models import Elder
    from yiyang.providers.models import ServiceItem

#: Most lines and visits one cart may hold.
MAX_LINES = 10
MAX_QUANTITY = 10

# Orders not yet charged that will be (or may be) served: they count against the month's quota.
_PENDING = (
    S.CREATED,
    S.DISPATCHED,
    S.DECLINED,
    S.ACCEPTED,
    S.CHECKED_IN,
    S.CHECKED_OUT,
    S.CONFIRMED,
    S.RATED,
)


@dataclass
class CartLine:
    item: ServiceItem
    quantity: int = 1


@dataclass
class QuoteVisit:
    start: datetime
    price_fen: int
    government_fen: int
    elder_fen: int
    government_bp: int
    within_quota: bool


@dataclass
class QuoteLine:
    item: ServiceItem
    quantity: int
    visits: list[QuoteVisit] = field(default_factory=list)

    @property
    def price_fen(self) -> int:
        return sum(v.price_fen for v in self.visits)

    @property
    def government_fen(self) -> int:
        return sum(v.government_fen for v in self.visits)

    @property
    def elder_fen(self) -> int:
        return sum(v.elder_fen for v in self.visits)

    @property
    def unit_price_fen(self) -> int:
        return self.visits[0].price_fen if self.visits else 0


@dataclass
class Quote:
    elder: Elder
    lines: list[QuoteLine]
    month: str
    categories: list[str]
    quota: int
    quota_used: int  # before this cart
    cart_quota: int  # subsidised visits of this cart in that month

    @property
    def price_fen(self) -> int:
        return sum(line.price_fen for line in self.lines)

    @property
    def government_fen(self) -> int:
        return sum(line.government_fen for line in self.lines)

    @property
    def elder_fen(self) -> int:
        return sum(line.elder_fen for line in self.lines)

    @property
    def month_label(self) -> str:
        year, month = self.month.split("-")
        return f"{year}年{int(month)}月"

    @property
    def quota_left(self) -> int:
        return max(self.quota - self.quota_used, 0)

    @property
    def quota_left_after(self) -> int:
        return max(self.quota - self.quota_used - self.cart_quota, 0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "elder": str(self.elder.public_id),
            "month": self.month,
            "quota": self.quota,
            "quota_used": self.quota_used,
            "quota_left": self.quota_left,
            "quota_left_after": self.quota_left_after,
            "price_fen": self.price_fen,
            "government_fen": self.government_fen,
            "elder_fen": self.elder_fen,
            "lines": [
                {
                    "service_item": str(line.item.public_id),
                    "name": line.item.name,
                    "quantity": line.quantity,
                    "unit_price_fen": line.unit_price_fen,
                    "price_fen": line.price_fen,
                    "government_fen": line.government_fen,
                    "elder_fen": line.elder_fen,
                    "visits": [
                        {
                            "start": v.start,
                            "price_fen": v.price_fen,
                            "government_fen": v.government_fen,
                            "elder_fen": v.elder_fen,
                            "within_quota": v.within_quota,
                        }
                        for v in line.visits
                    ],
                }
                for line in self.lines
            ],
        }


def _invalid(field_name: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field_name: [message]})


def _check_lines(lines: list[CartLine]) -> None:
    if not lines:
        raise _invalid("lines", "请至少选择一项服务")
    if len(lines) > MAX_LINES:
        raise _invalid("lines", f"一次最多选择 {MAX_LINES} 项服务")
    seen: set[int] = set()
    for line in lines:
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise _invalid("lines", f"每项服务的数量应为 1–{MAX_QUANTITY}")
        if not line.item.is_active:
            raise _invalid("lines", f"「{line.item.name}」已停用")
        if line.item.pk in seen:
            raise _invalid("lines", f"「{line.item.name}」选了两次，请合并为一项并填写数量")
        seen.add(line.item.pk)


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def quota_used_pending(*, elder: Elder, month: str, rules: list[Any], quotas: list[Any]) -> int:
    """The elder's orders of ``month`` not yet charged (not cancelled) that the rule would subsidise."""
    from yiyang.orders.settlement import parse_month

    start, end = parse_month(month)
    pending = (
        Order.objects.filter(
            elder=elder, status__in=_PENDING, scheduled_start__gte=start, scheduled_start__lt=end
        )
        .exclude(Exists(SettlementLine.objects.filter(order=OuterRef("pk"), kind=LineKind.CHARGE)))
        .select_related("service_item")
        .order_by("scheduled_start", "pk")
    )
    used = 0
    for order in pending:
        day = timezone.localtime(order.scheduled_start).date()
        split = subsidy_split(
            elder=elder,
            price_fen=order.price_fen,
            service_category=order.service_item.category,
            day=day,
            used=used,
            rules=rules,
            quotas=quotas,
        )
        used += split.within_quota
    return used


def cart_quote(*, elder: Elder, lines: list[CartLine], scheduled_start: datetime) -> Quote:
    """Price a cart (read only; the caller has found ``elder`` in their scope)."""
    _check_lines(lines)
    rules = list(subsidy_rule_list())
    quotas = list(monthly_quota_list())
    when = timezone.localtime(scheduled_start)
    month = _month(when.date())
    used: dict[str, int] = {}

    def used_in(m: str) -> int:
        if m not in used:
            elder_id = int(elder.pk)
            used[m] = quota_used_settled(elder_id=elder_id, month=m) + quota_used_pending(
                elder=elder, month=m, rules=rules, quotas=quotas
            )
        return used[m]

    before = used_in(month)
    out: list[QuoteLine] = []
    start = when
    cart_quota = 0
    categories: list[str] = []
    quota = 0
    for line in lines:
        q = QuoteLine(item=line.item, quantity=line.quantity)
        price = catalog_price_fen(item=line.item, region_code=elder.region_id)
        for _ in range(line.quantity):
            day = timezone.localtime(start).date()
            m = _month(day)
            split = subsidy_split(
                elder=elder,
                price_fen=price,
                service_category=line.item.category,
                day=day,
                used=used_in(m),
                rules=rules,
                quotas=quotas,
            )
            if split.within_quota:
                used[m] += 1
                cart_quota += m == month
            if m == month:
                categories, quota = split.categories, split.quota
            q.visits.append(
                QuoteVisit(
                    start=start,
                    price_fen=price,
                    government_fen=split.government_fen,
                    elder_fen=split.elder_fen,
                    government_bp=split.government_bp,
                    within_quota=split.within_quota,
                )
            )
            start = start + timedelta(minutes=line.item.standard_minutes)
        out.append(q)
    return Quote(
        elder=elder,
        lines=out,
        month=month,
        categories=categories,
        quota=quota,
        quota_used=before,
        cart_quota=cart_quota,
    )


def cart_place(
    *,
    actor: Any,
    elder: Elder,
    lines: list[CartLine],
    scheduled_start: datetime,
    channel: str = "",
    note: str = "",
) -> tuple[uuid.UUID, list[Order]]:
    """Place the cart: one order per visit (``order_create``, which checks the scope and records the
    channel), all in one transaction sharing a batch id, so a refused visit places none."""
    require_actor(actor)
    _check_lines(lines)
    if elder.status != ElderStatus.ACTIVE:
        raise _invalid("elder", "老人已故或已迁出，不能下单")
    batch = uuid.uuid4()
    orders: list[Order] = []
    with transaction.atomic():
        # The gate first: a caller out of scope learns nothing from the checks of the visits.
        require_scope(actor, "orders.add", elder.region_id, own=_is_contact(elder.pk, actor))
        start = scheduled_start
        for line in lines:
            for _ in range(line.quantity):
                orders.append(
                    order_create(
                        actor=actor,
                        elder=elder,
                        service_item=line.item,
                        scheduled_start=start,
                        channel=channel,
                        note=note,
                        batch=batch,
                    )
                )
                start = start + timedelta(minutes=line.item.standard_minutes)
    return batch, orders


def batch_orders(*, batch: Any, user: Any) -> Any:
    """The orders of one cart the user may see, in visit order."""
    return (
        Order.objects.restrict(user, "orders.view")
        .filter(batch=batch)
        .select_related("elder", "service_item")
        .order_by("scheduled_start", "pk")
    )
