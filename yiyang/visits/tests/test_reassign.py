"""Reassigning planned visits: the page (ticked visits, eligible visitors with their load, a reason) and
the API (``POST /api/v1/visit-plans/<id>/reassign/``, ``GET …/visitors/``); audited, refused naming the
field."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.visits.models import PlanItem
from yiyang.visits.tests.factories import plan_for_reassign, reassign_body


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.mark.django_db
def test_page_lists_due_visits_and_visitors_with_their_load(cast: Any) -> None:
    world = plan_for_reassign(cast)
    plan = world["plan"]
    client = _client(cast.community_worker_a1)
    overview = client.get(f"/visits/?region={plan.region_code}&period={plan.period}").content.decode()
    assert 'data-testid="reassign-link"' in overview
    page = client.get(f"/visits/reassign/?region={plan.region_code}&period={plan.period}")
    assert page.status_code == 200
    html = page.content.decode()
    due = plan.items.filter(status="due").count()
    assert html.count('name="items"') == due
    holder = plan.items.first().visitor
    assert f"{holder.display_name}（本月未完成 {due} 次 / 共 {due} 次）" in html
    assert f"{world['visitor'].display_name}（本月未完成 0 次 / 共 0 次）" in html


@pytest.mark.django_db
def test_page_reassigns_several_visits_with_a_reason(cast: Any) -> None:
    world = plan_for_reassign(cast)
    plan, other = world["plan"], world["visitor"]
    chosen = world["items"][:2]
    response = _client(cast.community_worker_a1).post(
        "/visits/reassign/",
        {
            "region": plan.region_code,
            "period": plan.period,
            "items": chosen,
            "visitor": str(other.public_id),
            "reason": "网格员住院",
        },
    )
    assert response.status_code == 302
    assert set(PlanItem.objects.filter(visitor=other).values_list("public_id", flat=True)) == {
        PlanItem.objects.get(public_id=k).public_id for k in chosen
    }
    event = AuditEvent.objects.get(event="visits.reassigned")
    assert event.data["reason"] == "网格员住院" and sorted(event.data["items"]) == sorted(chosen)
    assert event.actor == cast.community_worker_a1 and "网格员住院" in event.summary


@pytest.mark.django_db
def test_page_errors_name_the_field_and_change_nothing(cast: Any) -> None:
    world = plan_for_reassign(cast)
    outsider = plan_for_reassign(cast, cast.community_b1)
    plan = world["plan"]
    body = reassign_body(plan)
    client = _client(cast.community_worker_a1)
    before = list(PlanItem.objects.order_by("pk").values_list("visitor_id", flat=True))
    cases: list[tuple[dict[str, Any], str]] = [
        ({"items": []}, "请选择要改派的探访"),
        ({"reason": ""}, "请填写改派理由"),
        ({"visitor": str(outsider["visitor"].public_id)}, "只能改派给本社区"),
        ({"visitor": "不是id"}, "只能改派给本社区"),
        ({"items": outsider["items"][:1]}, "不是本计划的探访"),
        ({"visitor": str(plan.items.first().visitor.public_id)}, "已由"),
    ]
    for change, text in cases:
        form = {"region": plan.region_code, "period": plan.period, **body, **change}
        response = client.post("/visits/reassign/", form)
        assert response.status_code == 400, change
        assert text in response.content.decode(), change
    assert list(PlanItem.objects.order_by("pk").values_list("visitor_id", flat=True)) == before
    assert not AuditEvent.objects.filter(event="visits.reassigned").exists()
    # county B's admin cannot reach county A's page at all
    assert (
        _client(cast.county_admin_b)
        .post("/visits/reassign/", {**body, "region": plan.region_code, "period": plan.period})
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_a_done_visit_is_not_reassigned(cast: Any) -> None:
    world = plan_for_reassign(cast)
    plan = world["plan"]
    first = plan.items.order_by("slot_start", "pk").first()
    PlanItem.objects.filter(pk=first.pk).update(status="done")
    response = _api(cast.community_worker_a1).post(
        f"/api/v1/visit-plans/{plan.public_id}/reassign/",
        {"items": [str(first.public_id)], "visitor": str(world["visitor"].public_id), "reason": "调整"},
        format="json",
    )
    assert response.status_code == 400
    assert "已完成" in response.json()["errors"]["items"][0]


@pytest.mark.django_db
def test_api_lists_visitors_and_reassigns(cast: Any) -> None:
    world = plan_for_reassign(cast)
    plan, other = world["plan"], world["visitor"]
    api = _api(cast.community_worker_a1)
    visitors = api.get(f"/api/v1/visit-plans/{plan.public_id}/visitors/")
    assert visitors.status_code == 200
    rows = {r["id"]: r for r in visitors.json()}
    assert rows[str(other.public_id)]["due"] == 0 and len(rows) == 3  # the worker and two volunteers
    response = api.post(
        f"/api/v1/visit-plans/{plan.public_id}/reassign/",
        {"items": world["items"], "visitor": str(other.public_id), "reason": "网格员休假"},
        format="json",
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert {i["visitor_id"] for i in items if i["status"] == "due"} == {str(other.public_id)}
    after = {r["id"]: r for r in api.get(f"/api/v1/visit-plans/{plan.public_id}/visitors/").json()}
    assert after[str(other.public_id)]["due"] == len(world["items"])
    bad = api.post(
        f"/api/v1/visit-plans/{plan.public_id}/reassign/",
        {"items": world["items"], "visitor": str(other.public_id)},
        format="json",
    )
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
