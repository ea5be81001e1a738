from __future__ import annotations

from typing import Any

from django.db import models

from yiyang.audit.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    region: Any,
    event: str,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """Record an audit event. Call inside the service's transaction so the event and the change commit
    (or roll back) together. ``region`` is a Region, a 12-digit code or None (platform-wide)."""
    region_code = getattr(region, "code", region) or None
    object_id = ""
    object_type = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(getattr(obj, "public_id", None) or getattr(obj, "id", None) or obj.pk)
    authenticated = bool(actor is not None and getattr(actor, "is_authenticated", False))
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_username=getattr(actor, "username", "") if authenticated else "",
        region_id=region_code,
        event=event,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        data=data or {},
    )
