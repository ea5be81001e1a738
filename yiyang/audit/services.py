from __future__ import annotations

from typing import Any

from django.db import models

from yiyang.audit.models import AuditEvent
from yiyang.regions.scope import SYSTEM, require_actor

SYSTEM_NAME = "系统"


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
    (or roll back) together.

    ``actor`` is the acting user or ``SYSTEM`` (jobs, tasks, seeding: recorded as 系统); ``None`` raises.
    ``region`` is a Region or a 12-digit code: the region the event is *about* (the elder's for a row
    naming an elder, the organisation's for a provider row, the city's for the catalog), so that the
    auditors of that region see it. ``None`` is only for platform-wide events (the region table itself)."""
    row = audit_row(actor=actor, region=region, event=event, obj=obj, data=data, summary=summary)
    row.save(force_insert=True)
    return row


def audit_row(
    *,
    actor: Any,
    region: Any,
    event: str,
    obj: models.Model | None = None,
    data: dict[str, Any] | None = None,
    summary: str = "",
) -> AuditEvent:
    """The event ``audit_record`` writes, not yet saved: for a writer that inserts it in the same round
    trip as its change (``yiyang.core.statemachine.transition(rows=…)``), in the same transaction."""
    require_actor(actor)
    region_code = getattr(region, "code", region) or None
    object_id = ""
    object_type = ""
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = str(getattr(obj, "public_id", None) or getattr(obj, "id", None) or obj.pk)
    authenticated = bool(getattr(actor, "is_authenticated", False))
    username = getattr(actor, "username", "") if authenticated else ""
    if actor is SYSTEM:
        username = SYSTEM_NAME
    return AuditEvent(
        actor=actor if authenticated else None,
        actor_username=username,
        region_id=region_code,
        event=event,
        object_type=object_type,
        object_id=object_id,
        summary=summary[:300],
        data=data or {},
    )
