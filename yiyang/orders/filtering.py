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
