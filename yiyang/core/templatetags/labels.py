"""``{% load labels %}``: ``{{ code|label:"kind" }}``, ``{{ obj|choice:"field" }}``, ``{{ user|person }}``,
``{{ name|mask_name }}`` — the template side of ``yiyang.core.labels``."""

from __future__ import annotations

from typing import Any

from django import template

from yiyang.core import labels

register = template.Library()


@register.filter
def label(code: Any, kind: str) -> str:
    return labels.label(kind, code)


@register.filter
def choice(obj: Any, field: str) -> str:
    return labels.field_label(type(obj), field, getattr(obj, field, None))


@register.filter
def person(user: Any) -> str:
    return labels.person(user)


@register.filter
def mask_name(name: str) -> str:
    return labels.mask_name(str(name or ""))
