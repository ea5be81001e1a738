"""The map, 15-minute circle and siting pages: what each role sees, drill-down, the .xlsx export."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from yiyang.planning.tests.factories import elder_at, facility_at


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast):
    facility_at(cast.county_a, 32.39, 119.42, name="文昌社区养老服务站")
    facility_at(cast.county_b, 32.39, 119.46, name="汶河日间照料中心", org_type="day_care")
    for i in range(6):  # a cluster 1.1 km north of the station: uncovered at 1,000 m
        elder_at(cast, cast.community_a1, 32.400 + i * 0.0001, 119.42)
    elder_at(cast, cast.community_a1, 32.392, 119.42)  # covered
    elder_at(cast, cast.community_b1, 32.391, 119.46)
    return cast


@pytest.mark.django_db
def test_the_bare_map_opens_the_users_widest_region(world) -> None:
    assert _login(world.city_admin).get("/planning/map/")["Location"] == "/planning/map/321000/"
    assert _login(world.county_admin_a).get("/planning/map/")["Location"] == "/planning/map/321002/"
    assert _login(world.county_admin_a).get("/planning/coverage/")["Location"] == "/planning/coverage/321002/"
    assert _login(world.county_admin_a).get("/planning/siting/")["Location"] == "/planning/siting/321002/"


@pytest.mark.django_db
def test_the_city_map_shows_counties_facilities_and_uncovered_communities(world) -> None:
    response = _login(world.city_admin).get("/planning/map/321000/")
    assert response.status_code == 200
    payload = response.context["payload"]
    assert payload["outline"] == ["321002", "321003"]
    assert {c["name"] for c in payload["children"]} == {"广陵区", "邗江区"}
    assert {f["name"] for f in payload["facilities"]} == {
        "文昌社区养老服务站服务点",
        "汶河日间照料中心服务点",
    }
    assert [u["name"] for u in payload["uncovered"]] == ["文昌社区"]
    assert payload["uncovered"][0]["uncovered"] == 6
    # six elders in one ~500 m cell are drawn as a cell; the lone ones are only counted
    assert [cell[2] for cell in payload["density"]] == [6]
    assert payload["density_hidden"] == 2
    html = response.content.decode()
    assert "示意" in html and "文昌社区" in html


@pytest.mark.django_db
def test_a_county_admin_sees_only_their_county(world) -> None:
    response = _login(world.county_admin_a).get("/planning/map/321002/")
    payload = response.context["payload"]
    assert payload["outline"] == ["321002"]
    assert {f["name"] for f in payload["facilities"]} == {"文昌社区养老服务站服务点"}
    assert "汶河" not in response.content.decode()
    assert _login(world.county_admin_a).get("/planning/map/321003/").status_code == 404
    assert _login(world.county_admin_a).get("/planning/map/321000/").status_code == 404


@pytest.mark.django_db
def test_drill_down_from_county_to_street_to_community(world) -> None:
    client = _login(world.city_admin)
    county = client.get("/planning/map/321002/").context["payload"]
    assert [c["code"] for c in county["children"]] == ["321002001000"]
    street = client.get("/planning/map/321002001000/").context["payload"]
    assert [(c["name"], c["elders"], c["covered"]) for c in street["children"]] == [("文昌社区", 7, 1)]
    assert client.get("/planning/map/321002001001/").status_code == 200


@pytest.mark.django_db
def test_individual_elders_never_reach_the_map(world) -> None:
    payload = _login(world.city_admin).get("/planning/map/321002/").context["payload"]
    text = str(payload)
    assert "32.4" not in text and "测试老人" not in text


@pytest.mark.django_db
def test_the_coverage_page_lists_gaps_and_beds_against_the_norm(world) -> None:
    facility_at(world.county_a, 32.30, 119.30, org_type="care_home", beds=10)
    response = _login(world.county_admin_a).get("/planning/coverage/321002/?distance_m=1000")
    assert response.status_code == 200
    gaps = response.context["gaps"]
    assert [(g["name"], g["elders"], g["covered"], g["uncovered"]) for g in gaps] == [("文昌社区", 7, 1, 6)]
    beds = response.context["beds"]
    assert [(b["region"].name, b["elders"], b["beds"], b["norm"]) for b in beds] == [("广陵区", 7, 10, 30)]
    assert beds[0]["per_1000"] == pytest.approx(1428.6)
    assert beds[0]["meets"]


@pytest.mark.django_db
def test_a_refused_distance_is_named_and_the_default_used(world) -> None:
    response = _login(world.county_admin_a).get("/planning/coverage/321002/?distance_m=7")
    assert response.status_code == 200
    assert response.context["distance"] == 1000
    assert "步行距离" in response.content.decode()


@pytest.mark.django_db
def test_siting_covers_the_cluster_and_reports_the_optimum(world) -> None:
    response = _login(world.county_admin_a).get(
        "/planning/siting/321002/?n=1&distance_m=1000&candidates=grid"
    )
    result = response.context["result"]
    assert (result["before"], result["after"], result["elders"]) == (1, 7, 7)
    assert result["sites"][0]["gain"] == 6
    assert result["optimum_checked"] and result["optimum"] == 6 and result["gap"] == 0
    assert "即为最优" in response.content.decode()


@pytest.mark.django_db
def test_siting_export_is_a_workbook_with_the_sites(world) -> None:
    response = _login(world.county_admin_a).get(
        "/planning/siting/321002/export/?n=2&distance_m=1000&candidates=both"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    header = rows.index(
        [
            "序号",
            "候选点",
            "类型",
            "所在社区（村）",
            "所在街道（乡镇）",
            "纬度（WGS-84）",
            "经度（WGS-84）",
            "新增覆盖老人",
            "累计覆盖老人",
        ]
    )
    first = rows[header + 1]
    assert first[0] == 1 and first[7] == 6 and first[8] == 7
    assert rows[3][:4] == ["新增后覆盖人数", 7, "覆盖率", "100.0%"]


@pytest.mark.django_db
def test_without_n_the_export_sends_back_to_the_form(world) -> None:
    response = _login(world.county_admin_a).get("/planning/siting/321002/export/")
    assert response.status_code == 302 and response["Location"] == "/planning/siting/321002/"
