from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from yiyang.audit.models import AuditEvent

VIEW = "audit.view"


def audit_event_list(
    *,
    user: Any,
    actor: str | None = None,
    event: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.restrict(user, VIEW).select_related("region", "actor")
    if actor:
        qs = qs.filter(Q(actor_username=actor) | Q(actor__display_name=actor))
    if event:
        qs = qs.filter(event__startswith=event) if event.endswith(".") else qs.filter(event=event)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs
