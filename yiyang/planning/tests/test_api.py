"""GET /api/v1/coverage/: the contract (issue 17), a hand-computed case, scope and input bounds."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient

from yiyang.core.policy import policy_value_set
from yiyang.planning.tests.factories import elder_at, facility_at

URL = "/api/v1/coverage/"
S = (32.39, 119.42)  # the station, in county A


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def world(cast):
    facility_at(cast.county_a, *S)
    facility_at(cast.county_a, 32.30, 119.30, org_type="care_home", beds=40)  # not a community facility
    elder_at(cast, cast.community_a1, 32.398, 119.42)  # 889.6 m north: covered at 1,000 m
    elder_at(cast, cast.community_a1, 32.400, 119.42)  # 1,111.9 m north: not covered
    elder_at(cast, cast.community_a1, None, None)  # not located: never covered
    elder_at(cast, cast.community_b1, 32.39, 119.4295)  # county B, 893 m east of A's station: covered
    return cast


@pytest.mark.django_db
def test_city_admin_gets_the_contract_for_the_city(world) -> None:
    response = _client(world.city_admin).get(URL, {"region": "321000", "distance_m": "1000"})
    assert response.status_code == 200
    assert response.json() == {
        "elders": 4,
        "covered": 2,
        "share": 0.5,
        "uncovered_communities": [
            {
                "code": "321002001001",
                "name": "文昌社区",
                "town": "文昌街道",
                "elders": 3,
                "covered": 1,
                "uncovered": 2,
                "share": 0.3333,
            }
        ],
    }


@pytest.mark.django_db
def test_the_distance_changes_who_is_covered(world) -> None:
    client = _client(world.county_admin_a)
    assert client.get(URL, {"region": "321002", "distance_m": "1200"}).json()["covered"] == 2
    assert client.get(URL, {"region": "321002", "distance_m": "800"}).json()["covered"] == 0
    body = client.get(URL, {"region": "321002001001", "distance_m": "1000"}).json()
    assert (body["elders"], body["covered"], body["share"]) == (3, 1, 0.3333)


@pytest.mark.django_db
def test_the_default_distance_is_the_policy_value_of_the_region(world) -> None:
    client = _client(world.county_admin_a)
    assert client.get(URL, {"region": "321002"}).json()["covered"] == 1  # 1,000 m platform default
    policy_value_set(
        key="planning.walk_distance",
        region_code="321002",
        value=1200,
        valid_from=date(2020, 1, 1),
        source="测试：区政府文件",
        actor=world.city_admin,
    )
    assert client.get(URL, {"region": "321002"}).json()["covered"] == 2


@pytest.mark.django_db
def test_a_station_across_the_county_border_covers_without_being_named(world) -> None:
    body = _client(world.county_admin_b).get(URL, {"region": "321003", "distance_m": "1000"}).json()
    assert body == {"elders": 1, "covered": 1, "share": 1.0, "uncovered_communities": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query,field",
    [
        ({"region": "321002", "distance_m": "99"}, "distance_m"),
        ({"region": "321002", "distance_m": "5001"}, "distance_m"),
        ({"region": "321002", "distance_m": "1e3"}, "distance_m"),
        ({"region": "321002", "distance_m": ""}, "distance_m"),
        ({"region": "32100"}, "region"),
        ({"region": "abc"}, "region"),
        ({}, "region"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, query, field) -> None:
    response = _client(world.city_admin).get(URL, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_queries_do_not_grow_with_communities(world, django_assert_max_num_queries) -> None:
    for i in range(5):
        elder_at(world, world.community_a1, 32.40 + i * 0.001, 119.42)
    with django_assert_max_num_queries(12):
        assert _client(world.city_admin).get(URL, {"region": "321000"}).status_code == 200
