from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.core.tasks.clear_expired_sessions", "清理过期登录会话")
def clear_expired_sessions() -> dict[str, int]:
    """Delete expired sessions (periodic, daily). Idempotent."""
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"removed": removed}
