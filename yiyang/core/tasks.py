from __future__ import annotations

from django.contrib.sessions.models import Session
from django.utils import timezone

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.core.tasks.clear_expired_sessions", "清理过期登录会话")
def clear_expired_sessions() -> dict[str, int]:
    """Delete expired sessions (periodic, daily). Idempotent."""
    removed, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"removed": removed}


@recorded_job("yiyang.core.tasks.deliver_outbox", "投递待发消息（通知、短信）")
def deliver_outbox() -> dict[str, int]:
    """Deliver the outbox messages that are due (periodic, every minute). Safe to run concurrently."""
    from yiyang.core.outbox import deliver_due

    return deliver_due(limit=500)
