import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from yiyang.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_one_login_per_role_and_rerun_keeps_them(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
        accounts = json.loads((tmp_path / "demo_accounts.json").read_text(encoding="utf-8"))
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
        again = json.loads((tmp_path / "demo_accounts.json").read_text(encoding="utf-8"))
    assert accounts == again
    assert {a["role"] for a in accounts} == set(Role.values)
    for a in accounts:
        assert set(a) >= {"username", "password", "role", "region_code"}
        assert len(a["region_code"]) in (6, 12)
    counties = {a["region_code"] for a in accounts if a["role"] == "county_admin"}
    assert counties == {"321002", "321003"}
    from rest_framework.test import APIClient

    for a in accounts:
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": a["username"], "password": a["password"]}
        )
        assert response.status_code == 200, a["username"]


@pytest.mark.parametrize(
    ("hour", "expected"),
    [(3, (0, 9)), (9, (0, 10)), (12, (0, 13)), (13, (1, 9)), (23, (1, 9))],
)
def test_demo_work_starts_within_working_hours_whatever_the_hour(hour, expected):
    from datetime import datetime, timedelta

    from django.utils import timezone

    from yiyang.orders.demo import work_base

    now = timezone.make_aware(datetime(2026, 11, 23, hour, 41))
    base = timezone.localtime(work_base(now))
    assert ((base.date() - now.date()).days, base.hour) == (expected[0], expected[1])
    # The day's demo visits (base + 0..7 h) end before the demo caregiver's 22:00.
    assert timezone.localtime(base + timedelta(hours=8)).hour <= 22


def test_demo_dispatcher_finds_an_eligible_caregiver_for_every_waiting_order(tmp_path):
    from yiyang.dispatch.matching import order_candidates
    from yiyang.orders.models import Order

    with override_settings(VAR_DIR=tmp_path):
        call_command("seed_demo", "--seed", "1", "--elders", "60", stdout=io.StringIO())
    waiting = list(Order.objects.filter(status="created").select_related("elder", "service_item"))
    assert waiting
    for order in waiting:
        assert any(c.eligible for c in order_candidates(order=order)), order.service_item.code
