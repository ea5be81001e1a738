from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiyang.core import nav


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    roles = user.roles() if hasattr(user, "roles") else set()
    # Elders and families get the 适老化 layout: large type and targets, high contrast.
    elder_mode = bool(roles) and roles <= {"family"}
    return {
        "nav_sections": nav.items_for(user),
        "nav_current": current,
        "elder_mode": elder_mode,
        "unread_notifications": _unread(user),
    }


def _unread(user: Any) -> Any:
    """The bell's count, read only if a template shows it (one indexed COUNT)."""
    from django.utils.functional import SimpleLazyObject

    from yiyang.core.models import Notification

    return SimpleLazyObject(lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count())
