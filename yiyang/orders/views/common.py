"""Helpers shared by the order pages."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from yiyang.core.errors import DomainError


def uuid_or_none(value: Any) -> Any:
    """A posted id as a UUID, or None (so a malformed value is simply not found, never a 500)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


def roles(user: Any) -> set[str]:
    return set(user.roles()) if hasattr(user, "roles") else set()


def fail(request: HttpRequest, exc: DomainError) -> None:
    detail = "；".join(m for msgs in exc.errors.values() for m in msgs if m not in exc.message)
    messages.error(request, exc.message + (f"（{detail}）" if detail else ""))
