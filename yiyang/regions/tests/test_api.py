import pytest

pytestmark = pytest.mark.django_db


def test_children_are_limited_to_the_callers_scope(cast, api_as):
    response = api_as(cast.county_admin_a).get("/api/v1/regions/", {"parent": "321000"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "count_capped", "next", "previous", "results"}
    assert [r["code"] for r in body["results"]] == ["321002"]
    assert body["results"][0] == {**body["results"][0], "name": "广陵区", "level": "county"}


def test_city_grant_sees_every_county(cast, api_as):
    codes = [
        r["code"]
        for r in api_as(cast.auditor).get("/api/v1/regions/", {"parent": "321000"}).json()["results"]
    ]
    assert codes == ["321002", "321003"]


def test_region_outside_scope_is_404_and_inside_is_200(cast, api_as):
    client = api_as(cast.county_admin_a)
    assert client.get("/api/v1/regions/321003/").status_code == 404
    assert client.get("/api/v1/regions/321002/").json()["name"] == "广陵区"
    assert client.get("/api/v1/regions/321002001001/").json()["level"] == "village"


def test_bad_parent_code_is_a_field_error(cast, api_as):
    response = api_as(cast.county_admin_a).get("/api/v1/regions/", {"parent": "12x"})
    assert response.status_code == 400 and "parent" in response.json()["errors"]


def test_region_list_query_count_is_constant(cast, api_as):
    """The same number of queries for a page of the cast's regions and for a page with 40 more."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiyang.regions.models import Region

    client = api_as(cast.auditor)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            body = client.get("/api/v1/regions/", {"page_size": 200}).json()
        return len(body["results"]), len(ctx.captured_queries)

    measure()  # warm up: the first request also fills the per-user caches once
    small_rows, small_queries = measure()
    for n in range(40):
        parent = cast.community_a1.parent if n % 2 else cast.community_b1.parent
        Region.objects.create(
            code=f"{parent.code[:9]}{900 + n:03d}", name=f"测试社区{n}", level="village", parent=parent
        )
    large_rows, large_queries = measure()
    assert large_rows == small_rows + 40
    assert large_queries == small_queries <= 6
