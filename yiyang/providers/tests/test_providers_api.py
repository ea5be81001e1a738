"""Providers: USCC validated per GB 32100 (letters allowed), scope by region or own organisation,
staff shown masked."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from yiyang.core.identifiers import uscc_check_char
from yiyang.orders.tests.factories import make_provider, make_staff
from yiyang.providers.models import Organisation
from yiyang.providers.services import staff_create
from yiyang.regions.scope import SYSTEM


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


def test_register_organisation_with_a_letter_uscc_and_reject_a_bad_checksum(cast: Any) -> None:
    first17 = "Y1321002MA1XYT2K3"
    good = first17 + uscc_check_char(first17)
    body = {
        "name": "颐年助餐点",
        "uscc": good.lower(),
        "org_type": "canteen",
        "region": cast.community_a1.code,
    }
    r = client(cast.county_admin_a).post("/api/v1/providers/", body, format="json")
    assert r.status_code == 201 and r.json()["uscc"] == good
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    r = client(cast.county_admin_a).post("/api/v1/providers/", {**body, "uscc": bad}, format="json")
    assert r.status_code == 400 and "uscc" in r.json()["errors"]
    dup = client(cast.county_admin_a).post("/api/v1/providers/", body, format="json")
    assert dup.status_code == 409
    assert Organisation.objects.count() == 1


def test_provider_admin_sees_only_their_organisation(cast: Any) -> None:
    from yiyang.accounts.services import user_create

    admin = user_create(
        username="pa", password=cast.password, grants=[("provider_admin", cast.county_a.code)]
    )
    mine = make_provider(cast.community_a1, admin=admin)
    make_provider(cast.community_a1)
    listed = client(admin).get("/api/v1/providers/").json()["results"]
    assert [o["id"] for o in listed] == [str(mine.public_id)]


def test_staff_are_listed_masked_with_certificates(cast: Any, django_assert_max_num_queries: Any) -> None:
    org = make_provider(cast.community_a1)
    staff_create(
        actor=SYSTEM, organisation=org, name="王秀兰", id_number="11010519491231002X", phone="13812345678"
    )
    for _ in range(5):
        make_staff(org)
    c = client(cast.county_admin_a)
    with django_assert_max_num_queries(10):
        r = c.get(f"/api/v1/providers/{org.public_id}/staff/")
    rows = r.json()
    named = next(s for s in rows if s["name"] == "王秀兰")
    assert named["id_number"] == "110105********002X" and named["phone"] == "138****5678"
    assert "11010519491231002X" not in r.content.decode()
    assert len(rows) == 6 and rows[1]["certificates"] and rows[1]["work_start"] == "00:00"
