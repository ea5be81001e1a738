"""Candidates explain themselves; automatic dispatch picks the nearest qualified available caregiver;
bulk dispatch beats greedy nearest-first on travel; concurrent dispatch assigns exactly one caregiver."""

from __future__ import annotations

import threading
from datetime import time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.dispatch.matching import order_candidates, plan_bulk
from yiyang.orders.dispatching import order_auto_dispatch
from yiyang.orders.models import Order
from yiyang.orders.services import orders_sla_sweep
from yiyang.orders.tests.factories import HOME, make_elder, make_item, make_order, make_provider, make_staff
from yiyang.regions.scope import SYSTEM


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def test_candidates_give_distance_and_reasons_for_each(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    near = make_staff(org, lat=HOME[0], lng=HOME[1] + 0.002, name="近")
    far = make_staff(org, lat=HOME[0] + 0.05, lng=HOME[1], name="远")
    unskilled = make_staff(org, skills=("meal",), name="无技能")
    expired = make_staff(org, certified=False, name="无证")
    off = make_staff(org, name="下班")
    off.work_start, off.work_end = time(8, 0), time(8, 1)
    off.save()
    order = make_order(make_elder(cast.community_a1), make_item())
    candidates = order_candidates(order=order)
    # Every caregiver of the provider is listed, ineligible ones with their reasons, none twice.
    assert sorted(c.staff.pk for c in candidates) == sorted(
        s.pk for s in (near, far, unskilled, expired, off)
    )
    found = {c.staff.name: c for c in candidates}
    assert found["近"].eligible and found["远"].eligible
    near_m, far_m = found["近"].distance_m, found["远"].distance_m
    assert near_m is not None and far_m is not None and near_m < far_m
    assert [c.staff.name for c in order_candidates(order=order)][:2] == ["近", "远"]
    assert "缺少所需技能" in found["无技能"].reasons[0]
    assert "无有效资格证书" in found["无证"].reasons
    assert "预约时间不在其工作时间内" in found["下班"].reasons
    assert not any(found[n].eligible for n in ["无技能", "无证", "下班"])
    assert found["无技能"].staff.pk == unskilled.pk and found["无证"].staff.pk == expired.pk


def test_staff_of_a_provider_not_serving_the_region_are_not_candidates(cast: Any) -> None:
    other = make_provider(cast.community_b1)
    make_staff(other)
    order = make_order(make_elder(cast.community_a1), make_item())
    assert order_candidates(order=order) == []


def test_busy_caregiver_is_skipped_for_an_overlapping_window(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    staff = make_staff(org)
    item = make_item()
    elder = make_elder(cast.community_a1)
    start = timezone.now() + timedelta(hours=3)
    make_order(elder, item, scheduled_start=start, caregiver=staff, provider=org, status="accepted")
    order = make_order(elder, item, scheduled_start=start + timedelta(minutes=30))
    cand = order_candidates(order=order)[0]
    assert not cand.eligible and "该时段已有其他工单" in cand.reasons


def test_auto_dispatch_picks_the_nearest_eligible(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    make_staff(org, lat=HOME[0] + 0.02, lng=HOME[1])
    nearest = make_staff(org, lat=HOME[0] + 0.001, lng=HOME[1])
    make_staff(org, lat=HOME[0], lng=HOME[1], certified=False)
    order = make_order(make_elder(cast.community_a1), make_item())
    r = client(cast.county_admin_a).post(f"/api/v1/orders/{order.public_id}/auto-dispatch/")
    assert r.status_code == 200 and r.json()["caregiver"]["id"] == str(nearest.public_id)


def test_auto_dispatch_without_candidates_is_400_and_leaves_the_order(cast: Any) -> None:
    order = make_order(make_elder(cast.community_a1), make_item())
    r = client(cast.county_admin_a).post(f"/api/v1/orders/{order.public_id}/auto-dispatch/")
    assert r.status_code == 400 and r.json()["code"] == "no_candidate"
    assert Order.objects.get(pk=order.pk).status == "created"


def test_bulk_dispatch_respects_capacity_and_travels_no_more_than_greedy(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    a = make_staff(org, lat=HOME[0], lng=HOME[1])
    b = make_staff(org, lat=HOME[0] + 0.03, lng=HOME[1])
    for s in (a, b):
        s.max_daily_orders = 1
        s.save()
    item = make_item()
    # Both visits fall on one local day whatever the wall clock says (09:00 and 11:00 tomorrow).
    day = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
    # x sits between both caregivers; y is only close to a. Greedy (time order) gives a to x first.
    x = make_order(make_elder(cast.community_a1, lat=HOME[0] + 0.012, lng=HOME[1]), item, scheduled_start=day)
    y = make_order(
        make_elder(cast.community_a1, lat=HOME[0] - 0.01, lng=HOME[1]),
        item,
        scheduled_start=day + timedelta(hours=2),
    )
    orders = list(Order.objects.filter(pk__in=[x.pk, y.pk]).select_related("elder", "service_item"))
    greedy, _ = plan_bulk(orders, greedy=True)
    regret, unplaced = plan_bulk(orders)
    assert not unplaced and len(regret) == 2 and {c.staff.pk for c in regret.values()} == {a.pk, b.pk}
    total = sum(c.distance_m or 0 for c in regret.values())
    assert total <= sum(c.distance_m or 0 for c in greedy.values())
    r = client(cast.county_admin_a).post("/api/v1/orders/auto-dispatch/", {}, format="json")
    assert r.status_code == 200 and len(r.json()["dispatched"]) == 2
    assert Order.objects.get(pk=y.pk).caregiver == a


def test_sla_sweep_redispatches_then_escalates(cast: Any, settings: Any) -> None:
    settings.ORDERS_MAX_DISPATCH_ATTEMPTS = 2
    org = make_provider(cast.community_a1)
    first, second = (
        make_staff(org, lat=HOME[0], lng=HOME[1]),
        make_staff(org, lat=HOME[0] + 0.01, lng=HOME[1]),
    )
    order = make_order(make_elder(cast.community_a1), make_item())
    order_auto_dispatch(order=order, actor=cast.county_admin_a)
    assert Order.objects.get(pk=order.pk).caregiver == first
    later = timezone.now() + timedelta(hours=1)
    assert orders_sla_sweep(actor=SYSTEM, now=later) == {"timed_out": 1, "redispatched": 1, "escalated": 0}
    order.refresh_from_db()
    assert order.status == "dispatched" and order.caregiver == second
    Order.objects.filter(pk=order.pk).update(dispatched_at=timezone.now() - timedelta(hours=2))
    assert orders_sla_sweep(actor=SYSTEM) == {"timed_out": 1, "redispatched": 0, "escalated": 1}
    order.refresh_from_db()
    assert order.status == "created" and order.escalated_at is not None
    reasons = list(order.timeline.values_list("reason", flat=True))
    assert reasons.count("超时未接单，收回重派") == 2


def test_sla_job_is_recorded(cast: Any) -> None:
    from yiyang.core.models import JobRun
    from yiyang.orders.tasks import orders_sla_sweep as job

    job.delay()
    run = JobRun.objects.get(name="yiyang.orders.tasks.orders_sla_sweep")
    assert run.result == {"timed_out": 0, "redispatched": 0, "escalated": 0}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL")
def test_two_dispatchers_at_once_end_with_one_caregiver() -> None:
    from yiyang.core.testing import build_cast

    cast = build_cast()
    org = make_provider(cast.community_a1)
    staff = [make_staff(org, lat=HOME[0] + i * 0.001, lng=HOME[1]) for i in range(2)]
    order = make_order(make_elder(cast.community_a1), make_item())
    barrier = threading.Barrier(2)
    results: list[int] = []
    bodies: list[dict[str, Any]] = []

    def go(s: Any) -> None:
        try:
            c = client(cast.county_admin_a)
            barrier.wait()
            r = c.post(
                f"/api/v1/orders/{order.public_id}/dispatch/", {"caregiver": str(s.public_id)}, format="json"
            )
            results.append(r.status_code)
            bodies.append(r.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=go, args=(s,)) for s in staff]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    loser = next(b for b in bodies if b.get("code"))
    assert loser["current_status"] == "dispatched" and "已派单" in loser["message"]
    order.refresh_from_db()
    assert order.status == "dispatched" and order.caregiver in staff
    assert order.timeline.filter(to_status="dispatched").count() == 1
