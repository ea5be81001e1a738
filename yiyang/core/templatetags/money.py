"""``{% load money %}``: ``{{ fen|yuan }}`` → "12.34"; ``{{ bp|percent_bp }}`` → "33.33%"."""

from __future__ import annotations

from django import template

from yiyang.core import money

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals (empty for ``None``)."""
    if fen is None or fen == "":
        return ""
    return money.yuan(int(fen))


@register.filter
def percent_bp(bp: int | None) -> str:
    """Basis points as a percentage with two decimals (empty for ``None``)."""
    if bp is None or bp == "":
        return ""
    return money.bp_percent(int(bp))
