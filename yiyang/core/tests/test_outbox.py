"""The outbox (ARCHITECTURE rule 4): written in the writer's transaction, delivered once after the commit,
retried with backoff, moved to the dead letters after the last attempt, redelivered by an administrator;
and ``after_commit`` runs work only once the transaction commits."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.core.channels import notify, sms_send
from yiyang.core.effects import after_commit
from yiyang.core.models import JobRun, Notification, OutboxMessage
from yiyang.core.outbox import CHANNELS, deliver_due, outbox_put, register_channel

SENT_SMS: list[tuple[str, str]] = []


def recording_gateway(phone: str, text: str) -> None:
    """An SMS gateway adapter for the tests (the platform's default only logs)."""
    SENT_SMS.append((phone, text))


class FailingChannel:
    """A test channel that fails its first ``failures`` deliveries."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, payload: dict[str, Any], message: OutboxMessage) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError(f"gateway down for {payload.get('phone', '')}")


@pytest.fixture
def flaky() -> Any:
    def make(failures: int) -> FailingChannel:
        channel = FailingChannel(failures)
        register_channel("test-flaky", channel)
        return channel

    yield make
    CHANNELS.pop("test-flaky", None)


@pytest.mark.django_db
def test_message_and_write_commit_or_roll_back_together(cast: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        JobRun.objects.create(name="the write")
        notify(recipient=cast.county_admin_a, title="新工单", key="rollback-1")
        raise RuntimeError("the write fails after the message was queued")
    assert not JobRun.objects.exists() and not OutboxMessage.objects.exists()

    with transaction.atomic():
        JobRun.objects.create(name="the write")
        notify(recipient=cast.county_admin_a, title="新工单", key="commit-1")
        sms_send(phone="13912345678", text="工单已派", key="commit-2")
    assert JobRun.objects.count() == 1
    # The in-app notification is written with the write (no delivery after the commit is needed); the
    # text message waits for its delivery.
    assert OutboxMessage.objects.get(channel="notifications").status == "sent"
    assert Notification.objects.get().title == "新工单"
    assert OutboxMessage.objects.get(channel="sms").status == "pending"


@pytest.mark.django_db
def test_a_notification_is_delivered_once(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(
            recipient=cast.family, title="服务已派单", body="护理员将按时上门", link="/services/", key="n-1"
        )
        notify(recipient=cast.family, title="服务已派单", key="n-1")  # same key: one message
    message = OutboxMessage.objects.get()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at is not None
    assert deliver_due() == {"claimed": 0, "sent": 0, "failed": 0}
    # A second delivery of the same message (a worker died after delivering): still one notification.
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", next_attempt_at=timezone.now())
    assert deliver_due()["sent"] == 1
    note = Notification.objects.get()
    assert (note.recipient, note.title, note.read_at) == (cast.family, "服务已派单", None)

    client = Client()
    client.force_login(cast.family)
    assert '通知 <span class="badge badge-info">1' in client.get("/notifications/").content.decode()
    assert Notification.objects.get().read_at is not None  # opening the page read it
    assert "条未读" not in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_failures_are_retried_with_backoff_then_delivered(flaky: Any, settings: Any) -> None:
    settings.OUTBOX_BACKOFF_SECONDS = 30
    channel = flaky(2)
    with transaction.atomic():
        outbox_put(channel="test-flaky", payload={"n": 1}, key="retry-1")
    start = timezone.now()
    assert deliver_due(now=start) == {"claimed": 1, "sent": 0, "failed": 1}
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1
    assert timedelta(seconds=29) < message.next_attempt_at - start <= timedelta(seconds=31)
    assert deliver_due(now=start + timedelta(seconds=10))["claimed"] == 0  # not due yet
    later = start + timedelta(seconds=31)
    assert deliver_due(now=later)["failed"] == 1
    message.refresh_from_db()
    assert message.attempts == 2 and message.next_attempt_at - later > timedelta(seconds=59)  # doubled
    assert deliver_due(now=later + timedelta(seconds=61))["sent"] == 1
    message.refresh_from_db()
    assert message.status == "sent" and channel.calls == 3 and message.last_error == ""


@pytest.mark.django_db
def test_after_the_last_attempt_the_message_is_dead_and_an_admin_redelivers_it(
    cast: Any, flaky: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    channel = flaky(3)
    with transaction.atomic():
        outbox_put(
            channel="test-flaky",
            payload={"phone": "13912345678"},
            region_code=cast.community_a1.code,
            key="dead-1",
        )
    now = timezone.now()
    for step in range(3):
        deliver_due(now=now + timedelta(days=step))
    message = OutboxMessage.objects.get()
    assert message.status == "dead" and message.attempts == 3 and channel.calls == 3
    assert message.last_error.startswith("ConnectionError") and "13912345678" not in message.last_error
    assert deliver_due(now=now + timedelta(days=30))["claimed"] == 0  # dead letters are not retried

    admin, other = Client(), Client()
    admin.force_login(cast.county_admin_a)
    other.force_login(cast.county_admin_b)
    page = admin.get("/outbox/dead/").content.decode()
    assert "重新投递" in page and "test-flaky" in page
    assert "重新投递</button>" not in other.get("/outbox/dead/").content.decode()  # other region
    url = f"/outbox/{message.public_id}/redeliver/"
    assert other.post(url).status_code == 404
    nobody = Client()
    nobody.force_login(cast.family)
    assert nobody.get("/outbox/dead/").status_code == 403 and nobody.post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(url).status_code == 302
    message.refresh_from_db()
    assert message.status == "sent" and channel.calls == 4  # delivered right after the commit
    assert AuditEvent.objects.filter(event="outbox.redeliver", object_id=str(message.public_id)).count() == 1


@pytest.mark.django_db
def test_sms_leaves_through_the_configured_gateway_and_is_stored_encrypted(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SMS_GATEWAY = "yiyang.core.tests.test_outbox.recording_gateway"
    SENT_SMS.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        sms_send(phone="13912345678", text="您预约的助浴服务明天上午上门", key="sms-1")
    assert SENT_SMS == [("13912345678", "您预约的助浴服务明天上午上门")]
    stored = OutboxMessage.objects.get()
    assert stored.status == "sent" and "13912345678" not in str(stored.payload)


@pytest.mark.django_db
def test_the_default_sms_gateway_only_logs_a_masked_number(caplog: Any) -> None:
    with transaction.atomic():
        sms_send(phone="13912345678", text="测试", key="sms-2")
    with caplog.at_level("INFO", logger="yiyang.sms"):
        assert deliver_due()["sent"] == 1
    assert "13912345678" not in caplog.text and all(
        getattr(r, "to", "") == "139****5678" for r in caplog.records if r.name == "yiyang.sms"
    )


@pytest.mark.django_db
def test_after_commit_runs_on_commit_only(django_capture_on_commit_callbacks: Any) -> None:
    ran: list[str] = []
    with django_capture_on_commit_callbacks(execute=True) as queued, transaction.atomic():
        after_commit(ran.append, "committed")
        assert ran == []
    assert ran == ["committed"] and len(queued) == 1
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        after_commit(ran.append, "rolled back")
        raise RuntimeError
    assert ran == ["committed"] and queued == []


@pytest.mark.django_db
def test_a_celery_task_is_queued_after_commit(django_capture_on_commit_callbacks: Any) -> None:
    from yiyang.core.tasks import clear_expired_sessions

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        after_commit(clear_expired_sessions, _trigger="manual")
        assert not JobRun.objects.exists()
    assert JobRun.objects.get().trigger == "manual"


@pytest.mark.django_db
def test_deliver_outbox_command_runs_once(cast: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    with transaction.atomic():
        notify(recipient=cast.family, title="测试", key="cmd-1")
    OutboxMessage.objects.update(status="pending", next_attempt_at=timezone.now())  # as after a redelivery
    out = StringIO()
    call_command("deliver_outbox", "--once", stdout=out)
    assert "sent=1" in out.getvalue() and Notification.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions")
def test_concurrent_workers_claim_disjoint_messages(transactional_db: Any, cast: Any) -> None:
    from django.db import connections

    from yiyang.core.outbox import _claim

    with transaction.atomic():
        for i in range(40):
            notify(recipient=cast.family, title=f"消息 {i}", key=f"race-{i}")
    # The commit already delivered them (after_commit); make them all due again for the race.
    OutboxMessage.objects.update(status="pending", attempts=0, claim=None, next_attempt_at=timezone.now())
    barrier = threading.Barrier(4)
    claims: list[list[int]] = []
    now = timezone.now()

    def worker() -> None:
        try:
            barrier.wait()
            claims.append([pk for pk, _ in _claim(15, now, None)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [pk for claim in claims for pk in claim]
    assert len(every) == len(set(every)) == 40  # each message claimed exactly once
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}
