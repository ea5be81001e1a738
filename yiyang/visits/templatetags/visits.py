"""``{% visits_family_card %}``: the date and method of the last visit of each of the family's elders."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("visits/_family_card.html", takes_context=True)
def visits_family_card(context: Any) -> dict[str, Any]:
    from yiyang.elders.selectors import elder_list
    from yiyang.visits.selectors import last_visits

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("elders.view"):
        return {"show": False}
    elders = list(elder_list(user=user).filter(status="active").order_by("pk")[:10])
    if not elders:
        return {"show": False}
    last = last_visits([e.pk for e in elders])
    return {"show": True, "rows": [{"elder": e, "visit": last.get(e.pk)} for e in elders]}
