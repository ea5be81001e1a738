"""``{% hotline_family_incidents %}``: the family page's emergency card (their elders' open and recent
incidents, and the one-key SOS button), one line to include in a family page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("hotline/_family_incidents.html", takes_context=True)
def hotline_family_incidents(context: Any) -> dict[str, Any]:
    from yiyang.elders.selectors import elder_list
    from yiyang.hotline.selectors import family_incidents

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("incidents.view"):
        return {"incidents": [], "elders": [], "can_sos": False, "request": request}
    can_sos = user.has_perm("incidents.open") and "family" in user.roles()
    elders = list(elder_list(user=user, perm="incidents.open").filter(status="active")[:5]) if can_sos else []
    return {
        "incidents": list(family_incidents(user=user)[:10]),
        "elders": elders,
        "can_sos": can_sos,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
