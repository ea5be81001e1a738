from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from yiyang.core.regioncodes import ancestor_codes, normalize_region_code
from yiyang.regions.models import Region

VIEW = "regions.view"


def region_list(*, user: Any, parent: str | None = None) -> QuerySet[Region]:
    qs = Region.objects.restrict(user, VIEW).annotate(
        has_children=Exists(Region.objects.filter(parent_id=OuterRef("code")))
    )
    if parent:
        qs = qs.filter(parent_id=normalize_region_code(parent))
    return qs


def region_roots(*, user: Any) -> QuerySet[Region]:
    """The highest regions the user may see (their grants), for the region browser."""
    visible = region_list(user=user)
    if user.is_superuser:
        return visible.filter(parent__isnull=True)
    codes = {g.region_id for g in user.active_grants()}
    return visible.filter(code__in=codes)


def region_chain(code: str) -> list[Region]:
    """The region and its ancestors, top-down (names of higher levels are public, not scoped)."""
    c = normalize_region_code(code)
    found = {r.code: r for r in Region.objects.filter(code__in=[*ancestor_codes(c), c])}
    return [found[k] for k in [*ancestor_codes(c), c] if k in found]
