"""The database outbox (ARCHITECTURE rule 4): messages that must not be lost.

* ``outbox_put(channel=, payload=, region_code=, key=)`` is called inside the writer's transaction, so
  the message exists exactly when the write committed (a rollback takes it away too). ``key`` is unique:
  putting the same key twice keeps one message (idempotent writers, retried requests).
* ``register_channel(name, handler)`` names who delivers a channel; ``handler(payload, message)`` must be
  idempotent (delivery is at least once: a worker that dies mid-delivery leaves the message to be
  claimed again when its lease ends).
* ``register_channel(name, handler, in_database=True)``: a channel whose delivery is itself a write to
  this database (the in-app notification). Such a message is delivered in the writer's own transaction,
  at once: the row is written as sent and the handler runs right after it. Delivery is then exactly
  once and atomic with the write that caused it, and costs no claim and no second transaction (decision
  0019). A handler that fails fails the writer's transaction: keep such handlers to a plain,
  conflict-ignoring insert. The sweep still delivers such a message if it is ever made pending again
  (``outbox_redeliver``).
* ``deliver_due()`` claims due messages (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  compare-and-swap on ``claim`` everywhere), delivers them outside any lock, and on failure retries with
  exponential backoff until ``OUTBOX_MAX_ATTEMPTS``, then moves the message to the dead letters (死信),
  which a system administrator may send again (``outbox_redeliver``).

It runs from Celery beat (``yiyang.core.tasks.deliver_outbox``), from ``manage.py deliver_outbox`` and,
right after a commit, as the task ``deliver_soon`` (below) queued by ``after_commit``:
with a broker a worker delivers it, so the request that wrote the message only wrote the row (delivery
costs two more transactions per message); without a broker (demo, tests) Celery runs it in-process
after the commit, so demo mode still delivers at once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, connection, connections, models, router, transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from yiyang.core.logging import scrub
from yiyang.core.models import OutboxMessage

log = logging.getLogger("yiyang.outbox")

Handler = Callable[[dict[str, Any], OutboxMessage], None]
CHANNELS: dict[str, Handler] = {}
CHANNEL_LABELS: dict[str, str] = {}
IN_DATABASE: set[str] = set()

S = OutboxMessage.Status


def register_channel(name: str, handler: Handler, *, label: str = "", in_database: bool = False) -> None:
    """Declare who delivers ``name`` (at app start-up, in ``AppConfig.ready``); ``in_database``: the
    delivery is a write to this database, made in the writer's transaction (see the module's text)."""
    CHANNELS[name] = handler
    CHANNEL_LABELS[name] = label or name
    if in_database:
        IN_DATABASE.add(name)
    else:
        IN_DATABASE.discard(name)


def channel_label(name: str) -> str:
    return CHANNEL_LABELS.get(name, name)


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def lease() -> timedelta:
    """How long a claim lasts: a worker that died mid-delivery frees its messages after this."""
    return timedelta(seconds=int(getattr(settings, "OUTBOX_LEASE_SECONDS", 300)))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after ``attempts`` failures: base × 2^(attempts − 1), capped."""
    base = int(getattr(settings, "OUTBOX_BACKOFF_SECONDS", 30))
    cap = int(getattr(settings, "OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def outbox_put(*, channel: str, payload: dict[str, Any], region_code: str = "", key: str) -> OutboxMessage:
    """Queue one message in the caller's transaction (required: call it inside ``transaction.atomic``).

    The message is delivered after the commit (see ``after_commit`` wiring below) or by the next sweep."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}")
    if not connection.in_atomic_block:
        raise RuntimeError("outbox_put must run inside the writer's transaction")
    message = OutboxMessage(channel=channel, payload=payload, region_code=region_code or "", key=key[:200])
    at_once = channel in IN_DATABASE
    if at_once:  # delivered below, in this transaction: recorded as sent by its first attempt
        message.status, message.attempts = S.SENT, 1
        message.sent_at = message.next_attempt_at = timezone.now()
    if not insert_once(message):
        return OutboxMessage.objects.get(key=key[:200])
    if at_once:
        CHANNELS[channel](dict(payload), message)
    else:
        _deliver_soon(message.pk)
    return message


def insert_once(row: models.Model) -> bool:
    """Insert ``row`` unless a row with one of its unique values exists: ``True`` when inserted (its
    primary key set), ``False`` when it already existed (nothing written; the caller's transaction goes
    on). One ``INSERT … ON CONFLICT DO NOTHING RETURNING`` where the database has both; elsewhere an
    insert inside a savepoint, the duplicate caught."""
    alias = router.db_for_write(type(row))
    conn = connections[alias]
    meta = row._meta
    plain = type(row).save is models.Model.save and row.pk is None
    if not (
        plain and conn.features.supports_ignore_conflicts and conn.features.can_return_columns_from_insert
    ):
        try:
            with transaction.atomic(using=alias):  # a savepoint: a duplicate must not break the caller
                row.save(force_insert=True, using=alias)
        except IntegrityError:
            return False
        return True
    query = InsertQuery(type(row), on_conflict=OnConflict.IGNORE)
    query.insert_values([f for f in meta.local_concrete_fields if f is not meta.auto_field], [row])
    compiler = query.get_compiler(alias)
    compiler.returning_fields = [meta.pk]
    ((sql, params),) = compiler.as_sql()
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return False
    row.pk = found[0]
    row._state.adding = False
    row._state.db = alias
    return True


def _deliver_soon(pk: int) -> None:
    """After the commit, hand this one message to a worker (failures are left to the retries)."""
    from yiyang.core.effects import after_commit

    after_commit(deliver_soon, pk, robust=True)


@shared_task(name="yiyang.core.outbox.deliver_soon", ignore_result=True)
def deliver_soon(pk: int) -> dict[str, int]:
    """Deliver one message right after the commit that wrote it. Not a recorded job: it runs once per
    message, and the minute sweep (``yiyang.core.tasks.deliver_outbox``) retries any failure and anything
    this task never reached. Idempotent: the claim is one conditional UPDATE (no lock held across
    statements); a message a sweep claimed first has its next attempt pushed past now, so this finds
    nothing to do."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = OutboxMessage.objects.filter(pk=pk, status=S.PENDING, next_attempt_at__lte=now).update(
        claim=token, attempts=F("attempts") + 1, next_attempt_at=now + lease()
    )
    sent = int(bool(claimed) and deliver_one(pk, token, now))
    return {"claimed": claimed, "sent": sent, "failed": claimed - sent}


def _claim(limit: int, now: datetime, only: list[int] | None) -> list[tuple[int, uuid.UUID]]:
    """Claim up to ``limit`` due messages: each claimed row gets a fresh ``claim`` token, its attempt is
    counted and its next attempt pushed past the lease, so no other worker takes it meanwhile."""
    due = Q(status=S.PENDING, next_attempt_at__lte=now)
    base = OutboxMessage.objects.filter(due)
    if only is not None:
        base = base.filter(pk__in=only)
    claimed: list[tuple[int, uuid.UUID]] = []
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            rows = list(
                base.order_by("next_attempt_at", "pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", "claim")[:limit]
            )
        else:
            rows = list(base.order_by("next_attempt_at", "pk").values_list("pk", "claim")[:limit])
        for pk, old_claim in rows:
            token = uuid.uuid4()
            won = OutboxMessage.objects.filter(due, pk=pk, claim=old_claim).update(
                claim=token, attempts=F("attempts") + 1, next_attempt_at=now + lease()
            )
            if won:
                claimed.append((pk, token))
    return claimed


def _error_text(exc: BaseException) -> str:
    """The exception's type and a scrubbed, shortened message: never the payload."""
    return scrub(f"{type(exc).__name__}: {exc}")[:500]


def deliver_one(pk: int, token: uuid.UUID, now: datetime | None = None) -> bool:
    """Deliver a claimed message; record success, a retry with backoff, or the dead letter."""
    message = OutboxMessage.objects.filter(pk=pk, claim=token).first()
    if message is None:
        return False
    handler = CHANNELS.get(message.channel)
    now = now or timezone.now()
    try:
        if handler is None:
            raise LookupError(f"没有注册投递通道 {message.channel}")
        with transaction.atomic():
            handler(dict(message.payload), message)
            OutboxMessage.objects.filter(pk=pk, claim=token).update(
                status=S.SENT, sent_at=now, claim=None, last_error=""
            )
        return True
    except Exception as exc:
        dead = message.attempts >= max_attempts()
        OutboxMessage.objects.filter(pk=pk, claim=token).update(
            status=S.DEAD if dead else S.PENDING,
            next_attempt_at=now + backoff(message.attempts),
            claim=None,
            last_error=_error_text(exc),
        )
        log.warning(
            "outbox delivery failed",
            extra={
                "channel": message.channel,
                "outbox_message": str(message.public_id),
                "attempts": message.attempts,
                "dead": dead,
                "error": type(exc).__name__,
            },
        )
        return False


def deliver_due(
    *, limit: int = 100, now: datetime | None = None, only: list[int] | None = None
) -> dict[str, int]:
    """Claim and deliver the messages due now; returns counts (claimed, sent, failed)."""
    now = now or timezone.now()
    claimed = _claim(limit, now, only)
    sent = sum(1 for pk, token in claimed if deliver_one(pk, token, now))
    return {"claimed": len(claimed), "sent": sent, "failed": len(claimed) - sent}


def outbox_redeliver(*, message: OutboxMessage, actor: Any) -> OutboxMessage:
    """重新投递: a dead message goes back to pending with a fresh attempt count (scoped and audited)."""
    from yiyang.audit.services import audit_record  # audit is a platform app the kernel may call lazily
    from yiyang.core.errors import Conflict, Forbidden, OutOfScope

    if actor is None or not actor.has_perm("jobs.run"):
        raise Forbidden("无权重新投递消息")
    with transaction.atomic():
        scoped = OutboxMessage.objects.restrict(actor, "jobs.run").filter(pk=message.pk)
        if not scoped.exists():
            raise OutOfScope("没有这条消息")
        moved = scoped.filter(status=S.DEAD).update(
            status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), claim=None
        )
        if not moved:
            raise Conflict("该消息不在死信列表中，无需重新投递", code="illegal_transition")
        audit_record(
            actor=actor,
            region=message.region_code or None,
            event="outbox.redeliver",
            obj=message,
            data={"channel": message.channel, "attempts": message.attempts},
        )
        _deliver_soon(message.pk)
    message.refresh_from_db()
    return message
