from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiyang.regions.selectors import region_chain


def region_breadcrumbs(request: HttpRequest) -> dict[str, Any]:
    """Breadcrumbs of the user's primary region (province › city › county …)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    grant = user.primary_grant()
    return {"region_crumbs": region_chain(grant.region_id) if grant else []}
