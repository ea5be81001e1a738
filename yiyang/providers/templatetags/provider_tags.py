"""``{{ some_date|expiry }}`` → ``expired`` / ``soon`` (within 30 days) / ``ok`` / ``missing``."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

from yiyang.providers.selectors import expiry_state

register = template.Library()


@register.filter
def expiry(day: date | None) -> str:
    return expiry_state(day, timezone.localdate())
