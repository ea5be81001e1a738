import pytest
from django.test import Client

from yiyang.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _events(cast):
    audit_record(
        actor=cast.county_admin_a, region=cast.community_a1, event="auth.login", obj=cast.county_admin_a
    )
    audit_record(
        actor=cast.county_admin_b, region=cast.community_b1, event="auth.login", obj=cast.county_admin_b
    )


def test_county_admin_sees_only_their_countys_events_in_the_api(cast, api_as):
    _events(cast)
    rows = api_as(cast.county_admin_a).get("/api/v1/audit/events/").json()["results"]
    assert {r["actor_username"] for r in rows} == {"cast_county_a"}
    assert all(r["region_code"].startswith("321002") for r in rows)


def test_county_admin_audit_page_shows_none_of_the_other_countys_events(cast):
    _events(cast)
    client = Client()
    client.force_login(cast.county_admin_a)
    page = client.get("/audit/").content.decode()
    assert "甲县管理员" in page and "乙县管理员" not in page


def test_city_auditor_sees_both_counties(cast, api_as):
    _events(cast)
    rows = api_as(cast.auditor).get("/api/v1/audit/events/").json()["results"]
    assert {r["actor_username"] for r in rows} == {"cast_county_a", "cast_county_b"}


def test_filters_by_actor_event_object_and_time(cast, api_as):
    _events(cast)
    audit_record(actor=cast.county_admin_a, region=cast.county_a, event="jobs.run", data={"job": "x"})
    client = api_as(cast.auditor)
    assert client.get("/api/v1/audit/events/", {"actor": "cast_county_b"}).json()["count"] == 1
    assert client.get("/api/v1/audit/events/", {"event": "jobs.run"}).json()["count"] == 1
    assert client.get("/api/v1/audit/events/", {"event": "auth."}).json()["count"] == 2
    oid = str(cast.county_admin_b.public_id)
    assert client.get("/api/v1/audit/events/", {"object_id": oid}).json()["count"] == 1
    assert client.get("/api/v1/audit/events/", {"since": "2199-01-01T00:00:00Z"}).json()["count"] == 0
    bad = client.get("/api/v1/audit/events/", {"since": "yesterday"})
    assert bad.status_code == 400 and "since" in bad.json()["errors"]


def test_event_names_the_object_by_public_id_the_region_by_code_and_keeps_anonymous_actors_blank(cast):
    """What audit_record itself decides (Django's own atomic() is not ours to test): the object is
    named by its public id, never the database pk; a region is accepted as a row or a 12-digit code;
    an anonymous actor is stored as nobody; the summary is cut to the column's 300 characters."""
    from django.contrib.auth.models import AnonymousUser

    named = audit_record(
        actor=cast.county_admin_a, region=cast.county_a, event="accounts.update", obj=cast.county_admin_b
    )
    named.refresh_from_db()
    assert (named.object_type, named.object_id) == ("accounts.user", str(cast.county_admin_b.public_id))
    assert named.object_id != str(cast.county_admin_b.pk)
    assert (named.actor_id, named.actor_username) == (cast.county_admin_a.pk, "cast_county_a")
    assert named.region_id == cast.county_a.code

    anonymous = audit_record(
        actor=AnonymousUser(), region=cast.community_b1.code, event="auth.failed", summary="失" * 400
    )
    anonymous.refresh_from_db()
    assert (anonymous.actor_id, anonymous.actor_username) == (None, "")
    assert anonymous.region_id == cast.community_b1.code
    assert (anonymous.object_type, anonymous.object_id, anonymous.data) == ("", "", {})
    assert len(anonymous.summary) == 300


def test_audit_page_filters_by_event_with_htmx(cast):
    _events(cast)
    client = Client()
    client.force_login(cast.auditor)
    partial = client.get("/audit/", {"event": "auth.login"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "甲县管理员" in partial
