"""Policy values: the finest region's latest valid version wins; changes are new versions, scoped and
audited; the seeded defaults carry their sources."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yiyang.accounts.services import user_create
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import DomainError, Forbidden, OutOfScope
from yiyang.core.policy import POLICIES, policy_minimum, policy_value, policy_value_set
from yiyang.core.policy_models import PolicyValue
from yiyang.regions.models import Region

KEY = "orders.check_in_max_distance"


@pytest.fixture
def city_admin(cast: Any) -> Any:
    return user_create(username="cast_city", password=cast.password, grants=[("city_admin", cast.city.code)])


def test_defaults_are_seeded_with_their_sources(db: Any) -> None:
    seeded = {p.key: p for p in PolicyValue.objects.filter(region_code="")}
    assert set(seeded) == set(POLICIES)
    assert seeded["assessments.routine_interval"].value == 6
    assert "MZ/T 039" in seeded["assessments.routine_interval"].source
    assert {k: int(v.value) for k, v in seeded.items()} == {k: p.default for k, p in POLICIES.items()}
    assert policy_value(KEY, "321002001001") == 300


def test_finest_region_then_latest_valid_version_wins(cast: Any, city_admin: Any) -> None:
    village = cast.community_a1.code
    policy_value_set(
        key=KEY,
        region_code=cast.city.code,
        value=500,
        valid_from=date(2026, 1, 1),
        source="扬州市文件",
        actor=city_admin,
    )
    policy_value_set(
        key=KEY,
        region_code=cast.county_a.code,
        value=200,
        valid_from=date(2026, 6, 1),
        source="广陵区文件",
        actor=city_admin,
    )
    policy_value_set(
        key=KEY,
        region_code=cast.county_a.code,
        value=250,
        valid_from=date(2026, 9, 1),
        valid_to=date(2026, 9, 30),
        source="广陵区临时",
        actor=city_admin,
    )
    assert policy_value(KEY, village, date(2025, 12, 31)) == 300  # platform default
    assert policy_value(KEY, village, date(2026, 3, 1)) == 500  # city
    assert policy_value(KEY, village, date(2026, 7, 1)) == 200  # county overrides city
    assert policy_value(KEY, village, date(2026, 9, 15)) == 250  # newer county version
    assert policy_value(KEY, village, date(2026, 10, 1)) == 200  # that one expired
    assert policy_value(KEY, cast.community_b1.code, date(2026, 7, 1)) == 500  # the other county: city
    assert policy_value(KEY, "440000000000", date(2026, 7, 1)) == 300  # another province: default
    assert policy_minimum(KEY, date(2026, 7, 1)) == 200
    assert PolicyValue.objects.filter(key=KEY).count() == 4  # every version kept


def test_a_change_is_a_new_audited_version_by_the_city_only(cast: Any, city_admin: Any) -> None:
    row = policy_value_set(
        key=KEY,
        region_code=cast.city.code,
        value=400,
        valid_from=date(2026, 1, 1),
        source="扬州市文件",
        actor=city_admin,
    )
    ev = AuditEvent.objects.get(event="policy.set")
    assert ev.data["previous"] == 300 and ev.data["value"] == 400 and ev.object_id == str(row.public_id)
    with pytest.raises(Forbidden):
        policy_value_set(
            key=KEY,
            region_code=cast.county_a.code,
            value=100,
            valid_from=date(2026, 1, 1),
            source="x",
            actor=cast.county_admin_a,
        )
    nanjing = Region.objects.create(code="320100000000", name="南京市", level="city", parent=cast.city.parent)
    other = user_create(username="other_city", password=cast.password, grants=[("city_admin", nanjing.code)])
    with pytest.raises(OutOfScope):
        policy_value_set(
            key=KEY,
            region_code=cast.county_a.code,
            value=100,
            valid_from=date(2026, 1, 1),
            source="x",
            actor=other,
        )
    bads: list[dict[str, Any]] = [
        {"value": "abc"},
        {"value": 0},
        {"value": 12.5},
        {"source": " "},
        {"key": "nope"},
    ]
    for bad in bads:
        args: dict[str, Any] = {"key": KEY, "value": 100, "source": "文件", **bad}
        with pytest.raises(DomainError):
            policy_value_set(
                region_code=cast.city.code, valid_from=date(2026, 1, 1), actor=city_admin, **args
            )
    assert PolicyValue.objects.filter(key=KEY).exclude(region_code="").count() == 1
    assert AuditEvent.objects.filter(event="policy.set").count() == 1


def test_the_city_admin_adds_a_version_on_the_settings_page(cast: Any, city_admin: Any) -> None:
    from django.test import Client

    page = Client()
    page.force_login(city_admin)
    body = page.get("/settings/policy/").content.decode()
    assert "签到位置距老人住址上限（米）" in body and "常规复评间隔（个月）" in body and "MZ/T 039" in body
    r = page.post(
        "/settings/policy/",
        {
            "key": KEY,
            "region_code": cast.county_a.code,
            "value": "150",
            "valid_from": "2026-01-01",
            "source": "区文件",
        },
    )
    assert r.status_code == 302
    assert policy_value(KEY, cast.community_a1.code, date(2026, 2, 1)) == 150
    bad = page.post(
        "/settings/policy/",
        {"key": KEY, "region_code": cast.city.code, "value": "-3", "valid_from": "2026-01-01", "source": "x"},
    )
    assert bad.status_code == 400 and "应为" in bad.content.decode()
    county = Client()
    county.force_login(cast.county_admin_a)
    assert county.get("/settings/policy/").status_code == 200
    assert county.post("/settings/policy/", {"key": KEY, "value": "1"}).status_code == 403
    assert PolicyValue.objects.exclude(region_code="").count() == 1
