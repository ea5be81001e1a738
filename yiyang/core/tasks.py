from __future__ import annotations

from celery import shared_task
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


@shared_task(name="yiyang.core.tasks.deliver_outbox_soon", ignore_result=True)
def deliver_outbox_soon(pk: int) -> dict[str, int]:
    """Deliver one outbox message right after the commit that wrote it (queued by ``outbox_put``).

    Not a recorded job: it runs once per message, and the minute sweep (``deliver_outbox``) retries any
    failure and anything this task never reached. Idempotent: a message already claimed or sent is
    skipped."""
    from yiyang.core.outbox import deliver_due

    return deliver_due(only=[pk])
