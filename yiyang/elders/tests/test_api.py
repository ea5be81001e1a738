from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiyang.audit.models import AuditEvent
from yiyang.core.hooks import ElderStatusChanged, elder_status_changed
from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import id_number, make_elder

URL = "/api/v1/elders/"


def body(cast: Any, **kw: Any) -> dict[str, Any]:
    data = {
        "name": "王秀英",
        "id_number": id_number(),
        "phone": "13812345678",
        "region_code": cast.community_a1.code,
        "address": "扬州市广陵区文昌中路 18 号",
    }
    data.update(kw)
    return data


def test_create_returns_masked_values_and_uuid(cast: Any, api_as: Any) -> None:
    number = id_number(birth=date(1940, 5, 1))
    r = api_as(cast.county_admin_a).post(URL, body(cast, id_number=number), format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert len(data["id"]) == 36
    assert data["id_number"] == number[:6] + "********" + number[14:]
    assert data["phone"] == "138****5678"
    assert number not in str(data) and "13812345678" not in str(data)
    assert data["age"] >= 80 and data["is_advanced_age"] is True
    assert data["warnings"] == []


@pytest.mark.parametrize(
    "bad,reason",
    [
        ("32100219480307", "长度"),
        ("32100219480307001A", "格式"),
        ("321002194803070010", "校验码"),
    ],
)
def test_bad_id_is_refused_with_the_reason(cast: Any, api_as: Any, bad: str, reason: str) -> None:
    r = api_as(cast.county_admin_a).post(URL, body(cast, id_number=bad), format="json")
    assert r.status_code == 400
    assert reason in r.json()["errors"]["id_number"][0]
    assert not Elder.objects.exists()


def test_impossible_birth_date_is_refused(cast: Any, api_as: Any) -> None:
    from yiyang.core.identifiers import resident_id_check_char

    first17 = "32100219480230001"
    r = api_as(cast.county_admin_a).post(
        URL, body(cast, id_number=first17 + resident_id_check_char(first17)), format="json"
    )
    assert r.status_code == 400
    assert "出生日期" in r.json()["errors"]["id_number"][0]


@pytest.mark.parametrize("prefix", ["440524", "321027"])
def test_historical_birthplace_is_accepted_with_warning(cast: Any, api_as: Any, prefix: str) -> None:
    r = api_as(cast.county_admin_a).post(URL, body(cast, id_number=id_number(address=prefix)), format="json")
    assert r.status_code == 201
    assert [w["code"] for w in r.json()["warnings"]] == ["historical_region"]
    again = api_as(cast.county_admin_a).get(URL + r.json()["id"] + "/")
    assert [w["code"] for w in again.json()["warnings"]] == ["historical_region"]


def test_fifteen_digit_number_is_converted(cast: Any, api_as: Any) -> None:
    r = api_as(cast.county_admin_a).post(URL, body(cast, id_number="321002480307002"), format="json")
    assert r.status_code == 201
    assert r.json()["id_number"].startswith("321002") and len(r.json()["id_number"]) == 18
    assert r.json()["birth_date"] == "1948-03-07"
    assert "converted_15" in [w["code"] for w in r.json()["warnings"]]


def test_duplicate_is_409_even_across_counties(cast: Any, api_as: Any) -> None:
    number = id_number()
    assert (
        api_as(cast.county_admin_a).post(URL, body(cast, id_number=number), format="json").status_code == 201
    )
    again = api_as(cast.county_admin_a).post(URL, body(cast, id_number=number), format="json")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    other = api_as(cast.county_admin_b).post(
        URL, body(cast, id_number=number, region_code=cast.community_b1.code), format="json"
    )
    assert other.status_code == 409 and other.json()["code"] == "duplicate"
    assert "existing_id" not in other.json()
    assert Elder.objects.count() == 1


def test_create_with_categories_contacts_and_hukou(cast: Any, api_as: Any) -> None:
    r = api_as(cast.county_admin_a).post(
        URL,
        body(
            cast,
            hukou_region_code="321003",
            lat=32.39,
            lng=119.45,
            living_situation="alone",
            notes="独居，需关注",
            categories=[
                "dibao",
                {
                    "category": "disabled",
                    "disability_certificate": "third",
                    "disability_grade": 2,
                    "valid_from": "2020-01-01",
                },
            ],
            contacts=[{"name": "李强", "relation": "son", "phone": "13900002222", "is_emergency": True}],
        ),
        format="json",
    )
    assert r.status_code == 201, r.json()
    data = r.json()
    assert sorted(c["category"] for c in data["categories"]) == ["dibao", "disabled"]
    assert data["hukou_region_code"] == "321003000000"
    assert data["contacts"][0]["phone"] == "139****2222"
    assert data["living_situation"] == "alone"


def test_region_out_of_scope_is_refused(cast: Any, api_as: Any) -> None:
    r = api_as(cast.county_admin_a).post(URL, body(cast, region_code=cast.community_b1.code), format="json")
    # A region outside scope is answered like one that does not exist (404), the field named.
    assert r.status_code == 404 and "region_code" in r.json()["errors"]


def test_search_filters(cast: Any, api_as: Any) -> None:
    a_number = id_number(birth=date(1938, 1, 1))
    a = make_elder(
        cast,
        cast.community_a1,
        name="张桂兰",
        id_number=a_number,
        phone="13811112222",
        categories=["dibao"],
        living_situation="alone",
    )
    b = make_elder(
        cast,
        cast.community_a1,
        name="刘建国",
        id_number=id_number(birth=date(1960, 6, 1)),
        phone="13833334444",
    )
    client = api_as(cast.county_admin_a)

    def ids(**params: Any) -> set[str]:
        r = client.get(URL, params)
        assert r.status_code == 200, r.json()
        return {row["id"] for row in r.json()["results"]}

    sa, sb = str(a.public_id), str(b.public_id)
    assert ids(q="桂") == {sa}
    assert ids(id_number=a_number) == {sa}
    assert ids(phone_tail="4444") == {sb}
    assert ids(category="dibao") == {sa}
    assert ids(category="advanced_age") == {sa}
    assert ids(living_situation="alone") == {sa}
    assert ids(age_min=80) == {sa}
    assert ids(age_max=70) == {sb}
    assert ids(region="321002001") == {sa, sb}
    assert ids(region="321003") == set()
    assert ids(status="active") == {sa, sb}
    names = [row["name"] for row in client.get(URL, {"ordering": "birth_date"}).json()["results"]]
    assert names == ["张桂兰", "刘建国"]
    assert client.get(URL, {"ordering": "password"}).status_code == 400
    assert client.get(URL, {"phone_tail": "12"}).status_code == 400


def test_list_query_count_is_constant(cast: Any, api_as: Any, django_assert_max_num_queries: Any) -> None:
    client = api_as(cast.county_admin_a)
    for _ in range(3):
        make_elder(cast, cast.community_a1, categories=["dibao"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(15):
        make_elder(cast, cast.community_a1, categories=["dibao", "disabled"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get(URL)
    assert r.json()["count"] == 18


def test_reveal_is_audited_and_forbidden_without_permission(cast: Any, api_as: Any) -> None:
    elder = make_elder(cast, cast.community_a1, phone="13855556666")
    url = f"{URL}{elder.public_id}/reveal/"
    r = api_as(cast.county_admin_a).post(url, {"field": "phone"}, format="json")
    assert r.status_code == 200 and r.json() == {"field": "phone", "value": "13855556666"}
    assert AuditEvent.objects.filter(event="elders.reveal", object_id=str(elder.public_id)).count() == 1
    denied = api_as(cast.auditor).post(url, {"field": "phone"}, format="json")
    assert denied.status_code == 403
    other = api_as(cast.county_admin_b).post(url, {"field": "phone"}, format="json")
    assert other.status_code == 404
    assert AuditEvent.objects.filter(event="elders.reveal").count() == 1


def test_status_change_runs_handlers_and_refuses_illegal_transitions(cast: Any, api_as: Any) -> None:
    calls: list[tuple[str, str]] = []

    def handler(event: ElderStatusChanged) -> dict[str, Any]:
        calls.append((event.old, event.new))
        return {"test_handler_stopped": 2}

    # only this handler: other apps' handlers add their own effects
    with elder_status_changed.only(handler):
        elder = make_elder(cast, cast.community_a1)
        url = f"{URL}{elder.public_id}/status/"
        client = api_as(cast.county_admin_a)
        r = client.post(url, {"status": "deceased", "date": "2026-01-05", "reason": "病故"}, format="json")
        assert r.status_code == 200 and r.json()["status"] == "deceased"
        assert calls == [("active", "deceased")]
        again = client.post(
            url, {"status": "moved_out", "date": "2026-01-06", "reason": "迁出"}, format="json"
        )
        assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
        assert elder.status_changes.get().data["test_handler_stopped"] == 2


def test_patch_transfers_within_scope(cast: Any, api_as: Any) -> None:
    from yiyang.regions.models import Region

    other = Region.objects.create(code="321002001002", name="新社区", level="village", parent=cast.street_a1)
    elder = make_elder(cast, cast.community_a1)
    r = api_as(cast.county_admin_a).patch(
        f"{URL}{elder.public_id}/", {"region_code": other.code, "name": "王秀兰"}, format="json"
    )
    assert r.status_code == 200, r.json()
    assert r.json()["region_code"] == other.code and r.json()["name"] == "王秀兰"
    assert AuditEvent.objects.filter(event="elders.transfer").exists()


def test_elder_update_refuses_status_and_other_non_editable_fields(cast: Any) -> None:
    from yiyang.core.errors import DomainError
    from yiyang.elders.services import elder_update

    elder = make_elder(cast, cast.community_a1)
    for forbidden in ({"status": "deceased"}, {"id_number_hash": "x"}, {"status_date": date(2026, 1, 1)}):
        with pytest.raises(DomainError) as caught:
            elder_update(actor=cast.county_admin_a, elder=elder, name="王秀兰", **forbidden)
        assert set(caught.value.errors) == set(forbidden)
    elder.refresh_from_db()
    assert elder.status == "active" and elder.name != "王秀兰"
    assert not AuditEvent.objects.filter(event="elders.update").exists()


def test_family_sees_only_the_elders_they_are_linked_to(cast: Any, api_as: Any) -> None:
    mine = make_elder(
        cast, cast.community_a1, contacts=[{"name": "家属", "relation": "son", "user": cast.family}]
    )
    make_elder(cast, cast.community_a1)
    r = api_as(cast.family).get(URL)
    assert r.status_code == 200 and [row["id"] for row in r.json()["results"]] == [str(mine.public_id)]
    assert (
        api_as(cast.family)
        .post(f"{URL}{mine.public_id}/reveal/", {"field": "phone"}, format="json")
        .status_code
        == 403
    )


def test_list_count_is_capped_with_a_flag(cast: Any, api_as: Any, settings: Any) -> None:
    settings.YIYANG_COUNT_CAP = 2
    for _ in range(3):
        make_elder(cast, cast.community_a1, categories=["dibao"])
    make_elder(cast, cast.community_a1)
    client = api_as(cast.county_admin_a)
    body = client.get(URL).json()  # 20 a page: the counting window covers the first page
    assert body["count"] == 4 and body["count_capped"] is False and len(body["results"]) == 4
    dibao = client.get(URL, {"category": "dibao", "page_size": 1}).json()
    assert dibao["count"] == 2 and dibao["count_capped"] is True and dibao["next"]
    last = client.get(URL, {"category": "dibao", "page_size": 1, "page": 3}).json()
    assert last["count"] == 3 and last["count_capped"] is False and last["next"] is None
    settings.YIYANG_COUNT_CAP = 3
    dibao = client.get(URL, {"category": "dibao", "page_size": 1}).json()
    assert dibao["count"] == 3 and dibao["count_capped"] is False


def test_name_search_is_contains_and_ignores_latin_case(cast: Any, api_as: Any) -> None:
    make_elder(cast, cast.community_a1, name="王秀英")
    make_elder(cast, cast.community_a1, name="李王氏")
    make_elder(cast, cast.community_a1, name="Maria Wang")
    client = api_as(cast.county_admin_a)

    def names(q: str) -> set[str]:
        return {r["name"] for r in client.get(URL, {"q": q}).json()["results"]}

    assert names("王") == {"王秀英", "李王氏"}
    assert names("秀英") == {"王秀英"}
    assert names("wang") == names("WANG") == {"Maria Wang"}
