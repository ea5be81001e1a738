"""``{% load geo %}``: ``{{ metres|distance }}`` → "850 米" / "4.4 公里" (kilometres above 1,000 m)."""

from __future__ import annotations

from typing import Any

from django import template

from yiyang.core.geo import distance_text

register = template.Library()


@register.filter
def distance(metres: Any) -> str:
    """Metres as people read them; empty for ``None`` or a value that is not a number."""
    if metres is None or metres == "":
        return ""
    try:
        return distance_text(float(metres))
    except (TypeError, ValueError):
        return ""
