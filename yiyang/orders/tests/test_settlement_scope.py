"""Issue 9's settlement leak, as a test: a county-A provider serving county B. Statements are per
provider and county (decision 0006), so A never reads B's elders and B settles its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.orders.models import OrderFlag
from yiyang.orders.tests.factories import make_elder, make_item, make_order, make_provider, make_staff

MONTH = "2026-10"
URL = "/api/v1/settlements/"


def api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def served(elder: Any, org: Any, staff: Any, item: Any, day: int) -> Any:
    start = timezone.make_aware(datetime(2026, 10, day, 9))
    return make_order(
        elder,
        item,
        status="confirmed",
        provider=org,
        caregiver=staff,
        checked_in_at=start,
        checked_out_at=start + timedelta(hours=1),
    )


@pytest.fixture
def across(cast: Any) -> dict[str, Any]:
    org = make_provider(cast.community_a1)
    org.regions_served.add(cast.county_b)
    staff = make_staff(org)
    item = make_item()
    elder_a = make_elder(cast.community_a1)
    elder_b = make_elder(cast.community_b1)
    held_b = make_elder(cast.community_b1)
    served(elder_a, org, staff, item, 5)
    served(elder_b, org, staff, item, 6)
    held = served(held_b, org, staff, item, 7)
    OrderFlag.objects.create(order=held, code="short_service", message="服务时长不足")
    return {"org": org, "elder_a": elder_a, "elder_b": elder_b, "held_b": held_b}


def test_county_a_statement_shows_no_county_b_elder(cast: Any, across: dict[str, Any]) -> None:
    made = api(cast.county_admin_a).post(
        URL, {"provider": str(across["org"].public_id), "month": MONTH}, format="json"
    )
    assert made.status_code == 201
    detail = api(cast.county_admin_a).get(f"{URL}{made.json()['id']}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert across["elder_a"].name in body
    assert across["elder_b"].name not in body
    page = Client()
    page.force_login(cast.county_admin_a)
    html = page.get(f"/services/settlements/{made.json()['id']}/").content.decode()
    assert across["elder_a"].name in html
    assert across["elder_b"].name not in html and across["held_b"].name not in html


def test_county_b_settles_its_own_elders_and_county_a_cannot_read_it(
    cast: Any, across: dict[str, Any]
) -> None:
    made = api(cast.county_admin_b).post(
        URL, {"provider": str(across["org"].public_id), "month": MONTH}, format="json"
    )
    assert made.status_code == 201
    mine = api(cast.county_admin_b).get(f"{URL}{made.json()['id']}/")
    assert mine.status_code == 200
    assert across["elder_b"].name in mine.content.decode()
    assert across["elder_a"].name not in mine.content.decode()
    assert api(cast.county_admin_a).get(f"{URL}{made.json()['id']}/").status_code == 404
    page = Client()
    page.force_login(cast.county_admin_b)
    html = page.get(f"/services/settlements/{made.json()['id']}/").content.decode()
    assert across["held_b"].name in html  # B sees its own held order in the held list
