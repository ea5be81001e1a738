"""The API contract of issue 14: the risk endpoint, recording a visit, coverage."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from yiyang.visits.models import Visit
from yiyang.visits.tests.factories import elder

pytestmark = pytest.mark.django_db


def test_risk_of_an_elder_created_a_moment_ago(cast: Any, api_as: Any) -> None:
    from yiyang.elders.tests.factories import id_number
    from yiyang.visits.tests.factories import born

    api = api_as(cast.county_admin_a)
    r = api.post(
        "/api/v1/elders/",
        {
            "name": "王秀英",
            "id_number": id_number(birth=born(83)),
            "region_code": cast.community_a1.code,
            "sex": "F",
            "living_situation": "alone",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = api.get(f"/api/v1/elders/{r.json()['id']}/risk/").json()
    assert body["class"] == "A"
    assert body["overridden"] is False
    assert body["reasons"][0]["rule"] == "A1"
    assert "独居" in body["reasons"][0]["message"]
    assert body["rule_set"]["version"] == 1
    # the register changes: the class follows at once
    api.patch(f"/api/v1/elders/{r.json()['id']}/", {"living_situation": "with_children"}, format="json")
    assert api.get(f"/api/v1/elders/{r.json()['id']}/risk/").json()["class"] is None


def test_a_street_worker_reads_the_risk_class(cast: Any, api_as: Any) -> None:
    # 401/403/404 of this endpoint: the ObjectGetCase "elder-risk" (test_scope_generated_reads.py).
    e = elder(cast, living="alone")
    assert api_as(cast.street_worker_a1).get(f"/api/v1/elders/{e.public_id}/risk/").json()["class"] == "B"


def _visit(e: Any, **kw: Any) -> dict[str, Any]:
    return {
        "elder": str(e.public_id),
        "method": "phone",
        "visited_at": timezone.now().isoformat(),
        "seen": True,
        "findings": {"health": "good", "mood": "good"},
        **kw,
    }


def test_record_visit_201_and_outside_scope_404(cast: Any, api_as: Any) -> None:
    e = elder(cast, living="alone")
    api = api_as(cast.community_worker_a1)
    r = api.post("/api/v1/visits/", _visit(e), format="json")
    assert r.status_code == 201, r.content
    assert Visit.objects.get(public_id=r.json()["id"]).seen
    before = Visit.objects.count()
    assert api_as(cast.county_admin_b).post("/api/v1/visits/", _visit(e), format="json").status_code == 404
    assert Visit.objects.count() == before


def test_in_person_stores_distance_to_home(cast: Any, api_as: Any) -> None:
    e = elder(cast, living="alone", lat=32.39, lng=119.42)
    r = api_as(cast.community_worker_a1).post(
        "/api/v1/visits/", _visit(e, method="in_person", lat=32.391, lng=119.42), format="json"
    )
    assert r.status_code == 201
    assert 100 <= r.json()["distance_m"] <= 120


def test_bad_findings_are_named(cast: Any, api_as: Any) -> None:
    e = elder(cast, living="alone")
    r = api_as(cast.community_worker_a1).post(
        "/api/v1/visits/", _visit(e, findings={"hazards": ["flood"]}), format="json"
    )
    assert r.status_code == 400
    assert "findings.hazards" in r.json()["errors"]


def test_coverage_counts_a_seen_visit_at_once(cast: Any, api_as: Any) -> None:
    period = timezone.localdate().strftime("%Y-%m")
    api = api_as(cast.county_admin_a)
    url = f"/api/v1/visits/coverage/?region={cast.county_a.code}&period={period}"
    assert api.get(url).json() == {"due": 0, "done": 0, "overdue": 0, "rate": None}
    e = elder(cast, living="empty_nest")  # C: one visit this month, due from today
    assert api.get(url).json() == {"due": 1, "done": 0, "overdue": 0, "rate": 0.0}
    worker = api_as(cast.community_worker_a1)
    worker.post("/api/v1/visits/", _visit(e, seen=False), format="json")
    assert api.get(url).json()["done"] == 0  # nobody seen: recorded, not done
    worker.post("/api/v1/visits/", _visit(e), format="json")
    assert api.get(url).json() == {"due": 1, "done": 1, "overdue": 0, "rate": 1.0}
    assert api_as(cast.county_admin_b).get(url).status_code == 404
    assert api.get(f"/api/v1/visits/coverage/?region={cast.county_a.code}&period=2026-13").status_code == 400
    assert api.get(f"/api/v1/visits/coverage/?region=abc&period={period}").status_code == 400
    assert (
        api.get(f"/api/v1/visits/coverage/?region=990000000000&period={period}").status_code == 404
    )  # no such


def test_visit_follow_up_creates_a_home_service_order(cast: Any, api_as: Any) -> None:
    from datetime import timedelta

    from yiyang.orders.models import Order
    from yiyang.orders.tests.factories import make_item

    e = elder(cast, living="alone")
    item = make_item()
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    r = api_as(cast.community_worker_a1).post(
        "/api/v1/visits/",
        _visit(
            e,
            findings={"food": "short", "needs": "需要助餐"},
            follow_ups=[
                {"kind": "order", "service_item": str(item.public_id), "scheduled_start": when.isoformat()}
            ],
        ),
        format="json",
    )
    assert r.status_code == 201, r.content
    order = Order.objects.get(elder=e)
    assert r.json()["follow_ups"][0]["target"] == str(order.public_id)
    assert order.channel == "community"


def test_visit_plans_api(cast: Any, api_as: Any) -> None:
    from yiyang.visits.tests.factories import volunteer

    vol = volunteer(cast)
    elder(cast, age=85, living="alone")
    period = timezone.localdate().strftime("%Y-%m")
    api = api_as(cast.community_worker_a1)
    r = api.post("/api/v1/visit-plans/", {"region": cast.community_a1.code, "period": period}, format="json")
    assert r.status_code == 201, r.content
    items = r.json()["items"]
    assert items and {i["visitor"] for i in items} <= {vol.display_name, "文昌社区网格员"}
    listed = api.get(f"/api/v1/visit-plans/?period={period}").json()
    assert r.json()["id"] in str(listed)
    assert api_as(cast.county_admin_b).get(f"/api/v1/visit-plans/{r.json()['id']}/").status_code == 404
