"""Escalation of unacknowledged incidents along the duty roster (state in the database, so a restart
loses nothing), the SMS gateway over HTTP, and the family's page showing the incident."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from yiyang.core.models import Notification, OutboxMessage
from yiyang.core.outbox import deliver_due
from yiyang.core.testing import cast_user
from yiyang.hotline import services
from yiyang.hotline.models import Incident
from yiyang.hotline.tasks import hotline_sweep
from yiyang.hotline.tests.factories import make_shift, make_work_order, phone_elder
from yiyang.hotline.tests.fake_http import fake_server

pytestmark = pytest.mark.django_db


def _roster(cast: Any) -> dict[str, Any]:
    op1 = cast_user("op1", "operator", cast.county_a)
    op2 = cast_user("op2", "operator", cast.county_a)
    boss = cast_user("boss", "dispatcher", cast.county_a)
    now = timezone.now()
    make_shift(op1, cast.county_a, starts_at=now - timedelta(hours=2))
    make_shift(op2, cast.county_a, starts_at=now - timedelta(hours=1))
    make_shift(boss, cast.county_a, "supervisor")
    make_shift(cast_user("op_b", "operator", cast.county_b), cast.county_b)  # another centre: never rung
    return {"op1": op1, "op2": op2, "boss": boss}


def _recipients(key_part: str) -> set[int]:
    return {
        int(m.payload["recipient"])
        for m in OutboxMessage.objects.filter(channel="notifications", key__contains=key_part)
    }


def test_unacknowledged_incident_rings_the_next_operator_then_the_supervisor(cast: Any) -> None:
    people = _roster(cast)
    elder = phone_elder(cast.community_a1)
    # Every operator on duty is rung at once (not the other county's, not the supervisor).
    incident, _ = services.incident_open(actor=cast.county_admin_a, elder=elder, kind="sos", source="call")
    assert _recipients(":ring:0:") == {people["op1"].pk, people["op2"].pk}
    # Suppose op2 came on duty only after the ring: the escalation rings op2 as the next operator.
    Incident.objects.filter(pk=incident.pk).update(rung_users=[people["op1"].pk])
    assert services.incidents_escalate_due() == {"escalated": 0}  # not yet due
    later = timezone.now() + timedelta(seconds=61)
    assert services.incidents_escalate_due(now=later) == {"escalated": 1}
    assert _recipients(":ring:1:") == {people["op2"].pk}
    assert services.incidents_escalate_due(now=later) == {"escalated": 0}  # due again only after the timeout
    assert services.incidents_escalate_due(now=later + timedelta(seconds=61)) == {"escalated": 1}
    assert _recipients(":ring:2:") == {people["boss"].pk}
    incident.refresh_from_db()
    assert incident.escalation_level == 2 and incident.ack_due_at is None
    assert [e.reason for e in incident.timeline.all() if e.data.get("escalation_level")] == [
        "超时未确认，升级轮呼下一位话务员：op2",
        "超时未确认，升级至值班长：boss",
    ]


def test_an_acknowledged_incident_never_escalates(cast: Any) -> None:
    _roster(cast)
    incident, _ = services.incident_open(
        actor=cast.county_admin_a, elder=phone_elder(cast.community_a1), kind="sos", source="call"
    )
    services.incident_acknowledge(incident=incident, actor=cast.county_admin_a)
    assert services.incidents_escalate_due(now=timezone.now() + timedelta(hours=1)) == {"escalated": 0}


def test_the_sweep_job_runs_from_the_database_state(cast: Any) -> None:
    """The periodic job reads only rows: an incident opened before a restart escalates after it."""
    people = _roster(cast)
    incident, _ = services.incident_open(
        actor=cast.county_admin_a, elder=phone_elder(cast.community_a1), kind="fall", source="page"
    )
    Incident.objects.filter(pk=incident.pk).update(ack_due_at=timezone.now() - timedelta(seconds=1))
    make_work_order(cast.community_a1, "handling", deadline=timezone.now() - timedelta(hours=1))
    result = hotline_sweep.apply().get()
    assert result == {"escalated": 1, "supervised": 1, "appointments_reminded": 0}
    assert people["boss"].pk not in _recipients(":ring:1:")


def test_sms_goes_out_through_the_http_gateway(cast: Any) -> None:
    with (
        fake_server() as gateway,
        override_settings(
            SMS_GATEWAY="yiyang.hotline.sms.http_gateway",
            SMS_GATEWAY_URL=gateway.url,
            SMS_GATEWAY_TOKEN="t0k",
        ),
    ):
        services.incident_open(
            actor=cast.county_admin_a, elder=phone_elder(cast.community_a1), kind="sos", source="call"
        )
        deliver_due()
        assert [r["phone"] for r in gateway.received] == ["13700000001"]
        assert "紧急呼援" in gateway.received[0]["text"]
        assert gateway.headers[0]["Authorization"] == "Bearer t0k"
        # The phone is never stored in clear in the outbox.
        assert "13700000001" not in str(OutboxMessage.objects.get(channel="sms").payload)


def test_family_page_shows_the_open_incident_and_sends_sos(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, family=cast.family)
    page = Client()
    page.force_login(cast.family)
    html = page.get("/services/family/").content.decode()
    assert f"为{elder.name}一键呼救" in html
    r = page.post("/hotline/sos/", {"elder": str(elder.public_id), "next": "/services/family/"})
    assert r.status_code == 302 and r["Location"] == "/services/family/"
    incident = Incident.objects.get(elder=elder)
    assert incident.source == "page" and incident.opened_by == cast.family
    services.incident_acknowledge(incident=incident, actor=cast.county_admin_a)
    services.incident_dispatch(incident=incident, actor=cast.county_admin_a, responder="李医生")
    html = page.get("/services/family/").content.decode()
    assert "处置人员 李医生" in html and "已派员" in html
    deliver_due()
    assert Notification.objects.filter(recipient=cast.family, title="已派员上门").exists()


def test_family_of_another_elder_cannot_raise_sos(cast: Any) -> None:
    stranger = phone_elder(cast.community_a1)
    page = Client()
    page.force_login(cast.family)
    assert page.post("/hotline/sos/", {"elder": str(stranger.public_id)}).status_code == 404
    assert not Incident.objects.exists()


def test_sweep_command_for_cron(cast: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("hotline_sweep", stdout=out)
    assert out.getvalue().strip() == "升级 0 起，督办 0 件，预约提醒 0 条"
