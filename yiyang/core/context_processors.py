from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from yiyang.core import nav

ELDER_MODE_KEY = "elder_mode"


def elder_mode_choice(request: HttpRequest) -> bool | None:
    """The 长辈模式 switch of this session (None: not chosen, the role decides)."""
    session = getattr(request, "session", None)
    value = session.get(ELDER_MODE_KEY) if session is not None else None
    return None if value is None else bool(value)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    choice = elder_mode_choice(request)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "elder_mode": bool(choice)}
    current = request.resolver_match.view_name if request.resolver_match else ""
    roles = user.roles() if hasattr(user, "roles") else set()
    # Elders and families get the 适老化 layout (large type and targets, high contrast) and a short
    # menu in their words; anyone can switch 长辈模式 on or off for the session.
    family = bool(roles) and roles <= {"family"}
    elder_mode = family if choice is None else choice
    return {
        "nav_sections": nav.family_items_for(user) if family else nav.items_for(user),
        "is_family": family,
        "nav_current": current,
        "elder_mode": elder_mode,
        "unread_notifications": _unread(user),
    }


def _unread(user: Any) -> Any:
    """The bell's count, read only if a template shows it (one indexed COUNT)."""
    from django.utils.functional import SimpleLazyObject

    from yiyang.core.models import Notification

    return SimpleLazyObject(lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count())
