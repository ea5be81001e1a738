"""``{% devices_family_card %}``: the family page's card of their elders' device alarms, device status
and the away form (暂停无活动告警), one line to include in a family page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("devices/_family_card.html", takes_context=True)
def devices_family_card(context: Any) -> dict[str, Any]:
    from yiyang.devices.selectors import alarm_list, device_list
    from yiyang.elders.selectors import elder_list

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("alarms.view"):
        return {"show": False}
    devices = list(device_list(user=user).exclude(status="removed").order_by("elder_id", "type")[:30])
    can_away = user.has_perm("devices.away")
    return {
        "show": True,
        "alarms": list(alarm_list(user=user).order_by("-raised_at")[:10]),
        "devices": devices,
        "elders": list(elder_list(user=user, perm="devices.away").filter(living_situation="alone")[:5])
        if can_away
        else [],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
