"""The API contract of issue 12 (incidents, calls, work orders), as the acceptance checks call it."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.core.models import OutboxMessage
from yiyang.hotline.models import Call, Incident
from yiyang.hotline.tests.factories import make_work_order, phone_elder

pytestmark = pytest.mark.django_db


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def test_incident_lifecycle_over_the_api(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, family=cast.family)
    api = client(cast.county_admin_a)
    r = api.post(
        "/api/v1/incidents/",
        {"elder": str(elder.public_id), "kind": "fall", "source": "call", "notes": "摔倒"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "open" and body["opened_at"] and body["id"]
    iid = body["id"]
    listed = api.get("/api/v1/incidents/", {"elder": str(elder.public_id), "status": "open"}).json()
    assert [i["id"] for i in listed["results"]] == [iid]
    # A move the state does not allow → 409 with the current status.
    wrong = api.post(f"/api/v1/incidents/{iid}/arrive/")
    assert wrong.status_code == 409 and wrong.json()["current_status"] == "open"
    assert api.post(f"/api/v1/incidents/{iid}/acknowledge/").json()["status"] == "acknowledged"
    d = api.post(f"/api/v1/incidents/{iid}/dispatch/", {"responder": "王师傅"}, format="json")
    assert d.status_code == 200 and d.json()["responder"] == "王师傅"
    a = api.post(f"/api/v1/incidents/{iid}/arrive/")
    assert a.status_code == 200 and a.json()["arrival_minutes"] == 0
    c = api.post(f"/api/v1/incidents/{iid}/close/", {"outcome": "handled_at_home"}, format="json")
    assert (
        c.status_code == 200 and c.json()["status"] == "closed" and c.json()["outcome"] == "handled_at_home"
    )
    detail = api.get(f"/api/v1/incidents/{iid}/").json()
    assert [e["new"] for e in detail["timeline"]] == [
        "open",
        "acknowledged",
        "dispatched",
        "arrived",
        "closed",
    ]
    assert detail["arrival_minutes"] == 0
    assert api.post(f"/api/v1/incidents/{iid}/close/", {"outcome": "other"}, format="json").status_code == 409
    assert AuditEvent.objects.filter(event__startswith="incidents.").count() == 5
    # The family was told at each step through the outbox (in-app) and the emergency contact by SMS.
    assert OutboxMessage.objects.filter(channel="notifications", key__contains=":family:").count() == 4
    assert OutboxMessage.objects.filter(channel="sms").count() == 3


def test_a_second_report_joins_the_open_incident(cast: Any) -> None:
    elder = phone_elder(cast.community_a1)
    api = client(cast.county_admin_a)
    first = api.post(
        "/api/v1/incidents/", {"elder": str(elder.public_id), "kind": "sos", "source": "page"}, format="json"
    )
    second = api.post(
        "/api/v1/incidents/", {"elder": str(elder.public_id), "kind": "fall", "source": "call"}, format="json"
    )
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Incident.objects.filter(elder=elder).count() == 1
    assert "合并新的呼援" in [e["reason"] for e in second.json()["timeline"]]


def test_incident_for_an_elder_outside_scope_is_404(cast: Any) -> None:
    theirs = phone_elder(cast.community_b1)
    r = client(cast.county_admin_a).post(
        "/api/v1/incidents/", {"elder": str(theirs.public_id), "kind": "sos", "source": "call"}, format="json"
    )
    assert r.status_code == 404 and not Incident.objects.exists()


def test_invalid_incident_kind_is_400(cast: Any) -> None:
    elder = phone_elder(cast.community_a1)
    r = client(cast.county_admin_a).post(
        "/api/v1/incidents/", {"elder": str(elder.public_id), "kind": "fire", "source": "call"}, format="json"
    )
    assert r.status_code == 400 and "kind" in r.json()["errors"]


def test_call_matches_elders_in_scope_by_phone(cast: Any) -> None:
    mine = phone_elder(cast.community_a1, "13955556666")
    phone_elder(cast.community_b1, "13955556666")  # same number in county B: not matched for A
    r = client(cast.county_admin_a).post(
        "/api/v1/calls/",
        {"direction": "in", "number": "13955556666", "kind": "emergency", "notes": "老人呼救"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    matched = r.json()["matched_elders"]
    assert [m["id"] for m in matched] == [str(mine.public_id)]
    assert matched[0]["name"] == mine.name[0] + "*" * (len(mine.name) - 1)
    call = Call.objects.get()
    assert "13955556666" not in call.number_enc and call.number_masked == "139****6666"
    none = client(cast.county_admin_a).post(
        "/api/v1/calls/", {"direction": "out", "number": "13800000000", "kind": "care_call"}, format="json"
    )
    assert none.status_code == 201 and none.json()["matched_elders"] == []


def test_work_order_transitions_and_409(cast: Any) -> None:
    wo = make_work_order(cast.community_a1)
    api = client(cast.county_admin_a)
    base = f"/api/v1/work-orders/{wo.public_id}"
    assert api.post(f"{base}/resolve/", {"result": "x"}, format="json").status_code == 409
    assert api.post(f"{base}/follow-up/", {"satisfaction": "satisfied"}, format="json").status_code == 409
    r = api.post(f"{base}/assign/", {"handler_kind": "community", "handler_name": "文昌社区"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    assert (
        api.post(
            f"{base}/assign/", {"handler_kind": "community", "handler_name": "文昌社区"}, format="json"
        ).status_code
        == 409
    )
    t = api.post(
        f"{base}/transfer/",
        {"handler_kind": "street", "handler_name": "文昌街道", "reason": "不属社区"},
        format="json",
    )
    assert t.status_code == 200 and t.json()["handler_name"] == "文昌街道"
    assert api.post(f"{base}/resolve/", {"result": "已修复"}, format="json").json()["status"] == "resolved"
    assert api.post(f"{base}/rework/", {"reason": "群众不满意"}, format="json").json()["status"] == "handling"
    assert api.post(f"{base}/resolve/", {"result": "已彻底修复"}, format="json").status_code == 200
    f = api.post(f"{base}/follow-up/", {"satisfaction": "satisfied"}, format="json")
    assert f.status_code == 200 and f.json()["status"] == "closed"
    detail = api.get(f"{base}/").json()
    assert detail["external_id"] == "" and [e["new"] for e in detail["timeline"]] == [
        "assigned",
        "assigned",
        "resolved",
        "handling",
        "resolved",
        "closed",
    ]
    assert (
        api.post(
            f"{base}/transfer/", {"handler_kind": "street", "handler_name": "x", "reason": "y"}, format="json"
        ).status_code
        == 409
    )


def test_strings_are_strings(cast: Any) -> None:
    elder = phone_elder(cast.community_a1)
    api = client(cast.county_admin_a)
    r = api.post(
        "/api/v1/incidents/",
        {"elder": str(elder.public_id), "kind": "sos", "source": "call", "notes": 5},
        format="json",
    )
    assert r.status_code == 400
    r = api.post(
        "/api/v1/calls/", {"direction": "in", "number": 13900000000, "kind": "emergency"}, format="json"
    )
    assert r.status_code == 400


def test_work_order_moves_with_empty_bodies_use_defaults(cast: Any) -> None:
    wo = make_work_order(cast.community_a1)
    api = client(cast.county_admin_a)
    base = f"/api/v1/work-orders/{wo.public_id}"
    r = api.post(f"{base}/assign/", {}, format="json")
    assert (
        r.status_code == 200
        and r.json()["handler_kind"] == "community"
        and r.json()["handler_name"] == "文昌社区"
    )
    assert api.post(f"{base}/resolve/", {}, format="json").json()["result"] == "已办结"
    f = api.post(f"{base}/follow-up/", {}, format="json")
    assert f.status_code == 200 and f.json()["status"] == "closed" and f.json()["satisfaction"] == ""


def test_a_relative_calling_matches_the_elders_whose_contact_they_are(cast: Any) -> None:
    from yiyang.elders.models import ElderContact
    from yiyang.elders.services import elder_update

    mother = phone_elder(cast.community_a1, "13955550001")
    father = phone_elder(cast.community_a1, "13955550002")
    other = phone_elder(cast.community_b1, "13955550003")
    # Contacts saved through the elder service carry the blind index of their phone.
    for elder, actor in (
        (mother, cast.county_admin_a),
        (father, cast.county_admin_a),
        (other, cast.county_admin_b),
    ):
        elder_update(
            actor=actor,
            elder=elder,
            contacts=[{"name": "王小明", "relation": "son", "phone": "138-1234-5678", "is_emergency": True}],
        )
    assert ElderContact.objects.filter(elder=mother, phone_hash="").count() == 0
    r = client(cast.county_admin_a).post(
        "/api/v1/calls/", {"direction": "in", "number": "13812345678", "kind": "consultation"}, format="json"
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    # County B's elder with the same relative is not matched for county A.
    assert [m["id"] for m in body["matched_elders"]] == [str(mother.public_id), str(father.public_id)]
    assert body["calling_contacts"] == [
        {"elder": str(mother.public_id), "name": "王**", "relation": "son", "relation_label": "儿子"},
        {"elder": str(father.public_id), "name": "王**", "relation": "son", "relation_label": "儿子"},
    ]
    assert "13812345678" not in str(body) and "王小明" not in str(body)
    assert str(other.public_id) not in str(body)
    # The elder calling themself: matched, no relative named.
    own = (
        client(cast.county_admin_a)
        .post(
            "/api/v1/calls/",
            {"direction": "in", "number": "13955550001", "kind": "consultation"},
            format="json",
        )
        .json()
    )
    assert [m["id"] for m in own["matched_elders"]] == [str(mother.public_id)] and own[
        "calling_contacts"
    ] == []
