"""The filters the order lists share (orders, supervision): community (any region level in scope),
appointment date range, provider and the elder's name. One parser and one ``apply`` for the count and
the list, so a tab's number is always the length of the list under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.dateparse import parse_date

from yiyang.regions.models import Region

MAX_REGION_CHOICES = 2000


@dataclass(frozen=True)
class OrderFilters:
    region: str = ""
    date_from: date | None = None
    date_to: date | None = None
    provider: str = ""
    name: str = ""

    @classmethod
    def from_params(cls, params: QueryDict | dict[str, Any]) -> OrderFilters:
        def text(key: str, limit: int) -> str:
            return str(params.get(key, "") or "").strip()[:limit]

        def day(key: str) -> date | None:
            try:
                return parse_date(text(key, 10))
            except ValueError:
                return None

        region = text("region", 12)
        return cls(
            region=region if region.isdigit() else "",
            date_from=day("date_from"),
            date_to=day("date_to"),
            provider=text("provider", 36),
            name=text("name", 50),
        )

    @property
    def active(self) -> bool:
        return any([self.region, self.date_from, self.date_to, self.provider, self.name])

    def apply(self, qs: QuerySet[Any], prefix: str = "") -> QuerySet[Any]:
        """Filter ``qs`` (orders, or rows with an ``order`` when ``prefix`` is ``"order__"``)."""
        if self.region:
            region = Region.objects.filter(code=self.region).only("code", "level").first()
            qs = qs.filter(**{f"{prefix}region_code__startswith": region.short_code}) if region else qs.none()
        if self.date_from:
            qs = qs.filter(**{f"{prefix}scheduled_start__date__gte": self.date_from})
        if self.date_to:
            qs = qs.filter(**{f"{prefix}scheduled_start__date__lte": self.date_to})
        if self.provider:
            try:
                qs = qs.filter(**{f"{prefix}provider__public_id": self.provider})
            except (ValueError, TypeError):
                qs = qs.none()
        if self.name:
            qs = qs.filter(**{f"{prefix}elder__name__icontains": self.name})
        return qs


def filter_choices(*, user: Any, perm: str, rows: QuerySet[Any], prefix: str = "") -> dict[str, Any]:
    """The dropdowns: the regions in the user's scope (streets and communities indented under their
    county), and the providers that appear in ``rows`` (what the user can see, nothing more)."""
    regions = (
        Region.objects.restrict(user, perm)
        .filter(level__in=["county", "town", "village"])
        .only("code", "name", "level")
        .order_by("code")[:MAX_REGION_CHOICES]
    )
    indent = {"county": "", "town": "　", "village": "　　"}
    providers = (
        rows.order_by()
        .exclude(**{f"{prefix}provider__isnull": True})
        .values_list(f"{prefix}provider__public_id", f"{prefix}provider__name")
        .distinct()
    )
    return {
        "region_choices": [(r.code, indent.get(r.level, "") + r.name) for r in regions],
        "provider_choices": sorted(((str(pk), name) for pk, name in providers), key=lambda p: p[1]),
    }


# --- The lists' querysets: one function per list, used by the page and by its .xlsx export -----------------


def _describe(filters: OrderFilters, extra: list[str], user: Any, perm: str) -> str:
    parts = list(extra)
    if filters.name:
        parts.append(f"老人姓名包含“{filters.name}”")
    if filters.region:
        name = Region.objects.filter(code=filters.region).values_list("name", flat=True).first()
        parts.append(f"区域：{name or '（不存在）'}")
    if filters.provider:
        from yiyang.providers.selectors import organisation_in_scope

        org = organisation_in_scope(user=user, perm=perm, public_id=filters.provider)
        parts.append(f"服务机构：{org.name if org else '（不在管辖范围内）'}")
    if filters.date_from or filters.date_to:
        start = filters.date_from.isoformat() if filters.date_from else "不限"
        end = filters.date_to.isoformat() if filters.date_to else "不限"
        parts.append(f"预约日期：{start} 至 {end}")
    return "；".join(parts) or "全部"


def orders_listed(*, user: Any, params: QueryDict | dict[str, Any]) -> tuple[QuerySet[Any], str]:
    """The service-order list as the page shows it (status, 仅看异常 and the shared filters), newest
    appointment first, with the filters in words (the export's subtitle)."""
    from yiyang.orders.choices import OrderStatus
    from yiyang.orders.selectors import order_list

    qs = order_list(user=user).order_by("-scheduled_start", "-pk")
    extra: list[str] = []
    status = str(params.get("status", "") or "")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
        extra.append(f"状态：{OrderStatus(status).label}")
    if params.get("flagged"):
        qs = qs.filter(flags__status="open").distinct()
        extra.append("仅看有待核查异常")
    filters = OrderFilters.from_params(params)
    return filters.apply(qs), _describe(filters, extra, user, "orders.view")


def flags_listed(
    *, user: Any, params: QueryDict | dict[str, Any]
) -> tuple[QuerySet[Any], QuerySet[Any], str]:
    """The supervision list: (all open flags under the shared filters — the tab counts' base —, the rows
    of the chosen tab, the filters in words)."""
    from yiyang.orders.choices import FlagCode
    from yiyang.orders.selectors import open_flags

    filters = OrderFilters.from_params(params)
    base = filters.apply(open_flags(user=user), prefix="order__")
    code = str(params.get("code", "") or "")
    extra: list[str] = []
    if code in FlagCode.values:
        extra.append(f"异常类型：{FlagCode(code).label}")
        return base, base.filter(code=code), _describe(filters, extra, user, "orders.supervise")
    return base, base, _describe(filters, extra, user, "orders.supervise")


def complaints_listed(*, user: Any, params: QueryDict | dict[str, Any]) -> tuple[QuerySet[Any], str]:
    """The complaint list (status — 未办结 or one state —, category, 仅看已超期), newest first."""
    from yiyang.orders.choices import ComplaintCategory, ComplaintStatus
    from yiyang.orders.selectors import complaint_list, overdue_q

    qs = complaint_list(user=user)
    parts: list[str] = []
    status = str(params.get("status", "") or "")
    if status == "pending":
        qs = qs.filter(status__in=[ComplaintStatus.OPEN, ComplaintStatus.HANDLING])
        parts.append("状态：未办结")
    elif status in ComplaintStatus.values:
        qs = qs.filter(status=status)
        parts.append(f"状态：{ComplaintStatus(status).label}")
    category = str(params.get("category", "") or "")
    if category in ComplaintCategory.values:
        qs = qs.filter(category=category)
        parts.append(f"类别：{ComplaintCategory(category).label}")
    if params.get("overdue"):
        qs = qs.filter(overdue_q())
        parts.append("仅看已超期")
    return qs, "；".join(parts) or "全部"
