"""The demo has a current programme for the demo city with the STANDARDS.md §4 rules and a 200,000 fen cap
(API contract of issue 15), copied from last year's; re-seeding keeps it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from yiyang.accounts.models import User

pytestmark = pytest.mark.django_db


def test_demo_city_programme(tmp_path) -> None:
    with override_settings(VAR_DIR=tmp_path):
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
    client = APIClient()
    client.force_authenticate(User.objects.get(username="county_admin"))
    rows = client.get("/api/v1/renovation/programmes/").json()
    current = [p for p in rows if p["region_code"] == "321000000000" and p["status"] == "active"]
    assert len(current) == 1
    p = current[0]
    assert p["cap_fen"] == 200000 and p["year"] == 2026 and p["copied_from"]
    assert p["target_categories"] == ["tekun_dispersed", "poverty_monitor"]
    assert p["age_threshold"] == 80 and p["feb29_rule"] == "mar1" and p["warranty_years"] == 2
    items = client.get("/api/v1/renovation/catalog/", {"programme": p["id"]}).json()
    assert len(items) == 30 and sum(i["basic"] for i in items) == 7
    assert len([r for r in rows if r["region_code"] == "321000000000"]) == 2
