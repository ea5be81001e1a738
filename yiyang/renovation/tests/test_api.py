"""The API contract of issue 15: programmes, catalog, eligibility (nothing created, 404 outside scope),
applications (400 with the failing rules), the workflow to payment, 409 for an illegal move."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from rest_framework.test import APIClient

from yiyang.assessments.models import Assessment, ExternalAssessmentResult
from yiyang.core.testing import snapshot, snapshot_diff
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.models import Application, ApplicationEvent, ExternalGrant
from yiyang.renovation.tests.factories import (
    BASIC,
    make_application,
    make_programme,
    make_target_elder,
    orgs,
    png,
)

pytestmark = pytest.mark.django_db


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.fixture
def programme(cast: Any) -> Any:
    return make_programme()


def body(programme: Any, elder: Any, **extra: Any) -> dict[str, Any]:
    return {
        "programme": str(programme.public_id),
        "elder": str(elder.public_id),
        "application_date": "2026-11-01",
        "housing_right": True,
        "in_demolition_plan": False,
        **extra,
    }


def check(cast: Any, programme: Any, elder: Any, user: Any = None, **extra: Any) -> Any:
    return client(user or cast.county_admin_a).post(
        "/api/v1/renovation/eligibility/", body(programme, elder, **extra), format="json"
    )


def passed(response: Any) -> dict[str, bool]:
    return {r["code"]: r["passed"] for r in response.json()["rules"]}


def test_programmes_list_shows_the_city_programme_to_a_county(cast: Any, programme: Any) -> None:
    r = client(cast.county_admin_a).get("/api/v1/renovation/programmes/")
    assert r.status_code == 200
    rows = r.json()
    assert isinstance(rows, list)
    row = next(p for p in rows if p["id"] == str(programme.public_id))
    assert row["year"] == 2026 and row["region_code"] == "321000000000" and row["cap_fen"] == 200000


def test_catalog_has_thirty_items_and_seven_basic(cast: Any, programme: Any) -> None:
    r = client(cast.street_worker_a1).get(
        "/api/v1/renovation/catalog/", {"programme": str(programme.public_id)}
    )
    assert r.status_code == 200
    items = r.json()
    assert [i["code"] for i in items] == [f"SLH-{n:02d}" for n in range(1, 31)]
    assert {i["code"] for i in items if i["basic"]} == set(BASIC)
    assert {i["category"] for i in items} == {"C1", "C2", "C3", "C4", "C5", "C6", "C7"}
    by_code = {i["code"]: i for i in items}
    assert by_code["SLH-04"]["name"] == by_code["SLH-13"]["name"] == "安装扶手"
    assert by_code["SLH-04"]["category"] == "C1" and by_code["SLH-13"]["category"] == "C4"
    assert (
        client(cast.street_worker_a1).get("/api/v1/renovation/catalog/", {"programme": "x"}).status_code
        == 400
    )
    missing = client(cast.street_worker_a1).get(
        "/api/v1/renovation/catalog/", {"programme": "00000000-0000-0000-0000-000000000000"}
    )
    assert missing.status_code == 404


def test_eligibility_creates_nothing_and_explains(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1, birth=date(1946, 11, 1))
    before = snapshot()
    r = check(cast, programme, elder)
    assert r.status_code == 200, r.json()
    assert r.json()["eligible"] is True and r.json()["earlier_grant"] is None
    assert passed(r)["age_80"] is True
    assert snapshot_diff(before, snapshot()) == []
    r = check(cast, programme, elder, application_date="2026-10-31")
    assert r.json()["eligible"] is False and passed(r)["age_80"] is False


def test_eligibility_outside_scope_is_404(cast: Any, programme: Any) -> None:
    theirs = make_target_elder(cast.community_b1)
    assert check(cast, programme, theirs).status_code == 404
    assert check(cast, programme, theirs, user=cast.county_admin_b).status_code == 200
    assert check(cast, programme, theirs, user=cast.nobody).status_code == 403


def test_eligibility_reads_the_register_and_assessments(cast: Any, programme: Any) -> None:
    young = date(1960, 5, 5)
    plain = make_target_elder(cast.community_a1, birth=young, categories=("poverty_monitor",))
    r = check(cast, programme, plain)
    assert r.json()["eligible"] is False and passed(r)["one_of_age_capability_certificate"] is False

    tekun = make_target_elder(cast.community_a1, birth=young, categories=("poverty_monitor",))
    answers = {"eat": 0, "dress": 0, "bed": 0, "toilet": 0, "walk": 1, "bathe": 1}
    Assessment.objects.create(
        elder=tekun,
        standard="tekun6",
        reason="first",
        status="completed",
        answers=answers,
        final_level=2,
        assessed_on=date(2026, 6, 1),
        valid_until=date(2027, 6, 1),
    )
    r = check(cast, programme, tekun)
    assert passed(r)["disabled_capability"] is True and r.json()["eligible"] is True

    three = make_target_elder(cast.community_a1, birth=young, categories=("poverty_monitor",))
    Assessment.objects.create(
        elder=three,
        standard="tekun6",
        reason="first",
        status="completed",
        answers={**answers, "toilet": 1},
        final_level=1,
        assessed_on=date(2026, 6, 1),
    )
    assert passed(check(cast, programme, three))["disabled_capability"] is False

    ltc = make_target_elder(cast.community_a1, birth=young, categories=("tekun_dispersed",))
    ExternalAssessmentResult.objects.create(
        elder=ltc,
        source="医保局",
        standard="ltc2021",
        level=3,
        label="重度失能一级",
        assessed_on=date(2026, 1, 1),
    )
    assert passed(check(cast, programme, ltc))["disabled_capability"] is True

    cert = make_target_elder(
        cast.community_a1, birth=young, categories=("poverty_monitor", "disabled"), certificate="third"
    )
    r = check(cast, programme, cert)
    assert passed(r)["disability_certificate"] is True and r.json()["eligible"] is True
    nocert = make_target_elder(cast.community_a1, birth=young, categories=("poverty_monitor", "disabled"))
    assert passed(check(cast, programme, nocert))["disability_certificate"] is False


def test_eligibility_counts_the_registers_recorded_capability(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1, birth=date(1960, 5, 5), categories=("tekun_dispersed",))
    assert passed(check(cast, programme, elder))["disabled_capability"] is False
    elder.capability_standard, elder.capability_level = "tekun6", 2
    elder.capability_assessed_on, elder.capability_valid_until = date(2019, 1, 1), date(2020, 1, 1)
    elder.save()
    r = check(cast, programme, elder)
    assert passed(r)["disabled_capability"] is True and r.json()["eligible"] is True


def test_eligibility_leap_day_birth(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1, birth=date(1944, 2, 29))
    assert passed(check(cast, programme, elder, application_date="2024-02-28"))["age_80"] is False
    assert passed(check(cast, programme, elder, application_date="2024-02-29"))["age_80"] is True


def test_housing_and_demolition(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1)
    r = check(cast, programme, elder, housing_right=False, in_demolition_plan=True)
    assert r.json()["eligible"] is False
    assert passed(r)["housing_right"] is False and passed(r)["not_demolition"] is False
    r = client(cast.county_admin_a).post(
        "/api/v1/renovation/eligibility/",
        {"programme": str(programme.public_id), "elder": str(elder.public_id)},
        format="json",
    )
    assert r.status_code == 200 and passed(r)["housing_right"] is False


def test_already_subsidised_names_the_earlier_application_and_refuses(cast: Any, programme: Any) -> None:
    earlier = make_application(cast.community_a1, S.PAID, programme=programme)
    r = check(cast, programme, earlier.elder)
    assert r.json()["eligible"] is False
    grant = r.json()["earlier_grant"]
    assert grant["kind"] == "application" and grant["id"] == str(earlier.public_id) and grant["year"] == 2026
    count = Application.objects.count()
    refused = client(cast.county_admin_a).post(
        "/api/v1/renovation/applications/", body(programme, earlier.elder), format="json"
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "ineligible"
    assert refused.json()["earlier_grant"]["id"] == str(earlier.public_id)
    assert "not_already_subsidised" in refused.json()["errors"]
    assert Application.objects.count() == count


def test_a_withdrawn_application_is_no_grant_but_an_open_one_is(cast: Any, programme: Any) -> None:
    open_app = make_application(cast.community_a1, S.SUBMITTED, programme=programme)
    assert check(cast, programme, open_app.elder).json()["earlier_grant"]["status"] == "submitted"
    withdrawn = make_application(cast.community_a1, S.WITHDRAWN, programme=programme)
    assert check(cast, programme, withdrawn.elder).json()["eligible"] is True


def test_grants_of_other_departments_count(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1)
    r = client(cast.street_worker_a1).post(
        "/api/v1/renovation/grants/",
        {
            "elder": str(elder.public_id),
            "source": "dpf",
            "programme_name": "残疾人家庭无障碍改造",
            "year": 2023,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert ExternalGrant.objects.filter(elder=elder).count() == 1
    r = check(cast, programme, elder)
    assert r.json()["eligible"] is False
    assert r.json()["earlier_grant"]["name"] == "残疾人家庭无障碍改造"
    assert "残联" in r.json()["earlier_grant"]["source"]


def test_ineligible_create_is_400_with_failing_rules(cast: Any, programme: Any) -> None:
    elder = make_target_elder(cast.community_a1, birth=date(1960, 1, 1), categories=("dibao",))
    r = client(cast.community_worker_a1).post(
        "/api/v1/renovation/applications/", body(programme, elder), format="json"
    )
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"target_category", "one_of_age_capability_certificate"}
    assert len(r.json()["rules"]) == 8
    assert not Application.objects.filter(elder=elder).exists()


def _post(user: Any, app_id: Any, action: str, data: dict[str, Any] | None = None) -> Any:
    return client(user).post(f"/api/v1/renovation/applications/{app_id}/{action}/", data or {}, format="json")


def test_whole_workflow_over_the_api_cost_above_cap_pays_the_cap(cast: Any, programme: Any) -> None:
    from yiyang.core.testing import cast_user
    from yiyang.orders.tests.factories import make_provider

    contractor_admin = cast_user("reno_contractor", "provider_admin", cast.county_a)
    contractor, supervisor = (
        make_provider(cast.community_a1, admin=contractor_admin),
        make_provider(cast.community_a1),
    )
    elder = make_target_elder(cast.community_a1)
    r = client(cast.community_worker_a1).post(
        "/api/v1/renovation/applications/", body(programme, elder), format="json"
    )
    assert r.status_code == 201, r.json()
    app_id = r.json()["id"]
    assert r.json()["status"] == "submitted"
    street, county = cast.street_worker_a1, cast.county_admin_a
    assert _post(street, app_id, "review", {"note": "材料齐全"}).json()["status"] == "publicity"
    assert (
        _post(
            cast.community_worker_a1, app_id, "object", {"text": "邻居称其有房产", "raised_by": "张三"}
        ).status_code
        == 201
    )
    assert _post(street, app_id, "close-publicity").status_code == 400  # an objection needs a ruling
    assert (
        _post(street, app_id, "close-publicity", {"ruling": "经核实不属实"}).json()["status"] == "publicised"
    )
    assert _post(county, app_id, "pay").status_code == 409
    r = _post(
        county,
        app_id,
        "approve",
        {"contractor": str(contractor.public_id), "supervisor": str(supervisor.public_id)},
    )
    assert r.status_code == 200, r.json()
    r = _post(county, app_id, "assess", {"note": "卫生间无扶手，地面湿滑", "assessor_name": "评估员王"})
    assert r.json()["status"] == "assessed"
    items = [{"code": c, "included": True, "unit_price_fen": 50000} for c in BASIC[:6]]
    r = _post(county, app_id, "plan", {"items": items})
    assert r.json()["status"] == "planned"
    r = _post(cast.community_worker_a1, app_id, "sign", {"signed_by": "老人", "relation": "elder"})
    assert r.status_code == 400 and "防走失装置" in r.json()["message"]  # SLH-29 left out without a reason
    items.append({"code": "SLH-29", "included": False, "not_applicable_reason": "老人无失智，无需防走失"})
    assert _post(county, app_id, "plan", {"items": items}).status_code == 200
    assert (
        _post(cast.community_worker_a1, app_id, "sign", {"signed_by": "老人", "relation": "elder"}).json()[
            "status"
        ]
        == "signed"
    )
    builder = client(contractor_admin)
    assert (
        builder.post(f"/api/v1/renovation/applications/{app_id}/start/").status_code == 400
    )  # no before photos
    for code in BASIC[:6]:
        r = builder.post(
            f"/api/v1/renovation/applications/{app_id}/photo/",
            {"code": code, "kind": "before", "image": _file()},
            format="multipart",
        )
        assert r.status_code == 201, r.json()
    assert builder.post(f"/api/v1/renovation/applications/{app_id}/start/").json()["status"] == "building"
    done = [{"code": c, "done": True, "actual_cost_fen": 50000} for c in BASIC[:6]]
    assert (
        builder.post(
            f"/api/v1/renovation/applications/{app_id}/complete/", {"items": done}, format="json"
        ).status_code
        == 400
    )
    for code in BASIC[:6]:
        builder.post(
            f"/api/v1/renovation/applications/{app_id}/photo/",
            {"code": code, "kind": "after", "image": _file()},
            format="multipart",
        )
    r = builder.post(f"/api/v1/renovation/applications/{app_id}/complete/", {"items": done}, format="json")
    assert r.json()["status"] == "completed" and r.json()["actual_cost_fen"] == 300000
    accept = {"passed": True, "note": "合格", "street_inspector": "街道李", "supervisor_inspector": "监理赵"}
    assert _post(street, app_id, "accept", accept).json()["status"] == "accepted"
    r = _post(county, app_id, "pay", {"payment_ref": "BK-20261130"})
    assert r.status_code == 200
    d = r.json()
    assert (d["actual_cost_fen"], d["subsidy_fen"], d["household_fen"]) == (300000, 200000, 100000)
    assert d["warranty_until"] is not None
    assert _post(county, app_id, "pay").status_code == 409
    detail = client(cast.auditor).get(f"/api/v1/renovation/applications/{app_id}/").json()
    assert detail["subsidy_fen"] == 200000
    assert [e["new"] for e in detail["timeline"]] == [
        "submitted",
        "publicity",
        "publicised",
        "approved",
        "assessed",
        "planned",
        "signed",
        "building",
        "completed",
        "accepted",
        "paid",
    ]
    assert all(len(p["photos"]) == 2 for p in detail["plan"] if p["included"])
    # warranty claim and repair
    assert (
        _post(cast.community_worker_a1, app_id, "warranty-claim", {"description": "扶手松动"}).status_code
        == 201
    )
    claim = client(county).get(f"/api/v1/renovation/applications/{app_id}/").json()["claims"][0]["id"]
    r = builder.post(
        f"/api/v1/renovation/applications/{app_id}/warranty-repair/",
        {"claim": claim, "note": "已紧固"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["claims"][0]["status"] == "repaired"


def _file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", png(), content_type="image/png")


def test_cost_below_cap_is_reimbursed_at_cost(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.PAID, programme=programme, cost_fen=123456)
    assert (app.actual_cost_fen, app.subsidy_fen, app.household_fen) == (123456, 123456, 0)


def test_cost_at_exactly_the_cap(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.PAID, programme=programme, cost_fen=200000)
    assert (app.subsidy_fen, app.household_fen) == (200000, 0)
    above = make_application(cast.community_a1, S.PAID, programme=programme, cost_fen=200001)
    assert (above.subsidy_fen, above.household_fen) == (200000, 1)


def test_illegal_transition_is_409_with_current_status(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.SUBMITTED, programme=programme)
    r = _post(cast.county_admin_a, app.public_id, "start")
    assert r.status_code == 409 and r.json()["current_status"] == "submitted"
    assert ApplicationEvent.objects.filter(application=app).count() == 1


def test_rejection_and_withdrawal_need_a_reason(cast: Any, programme: Any) -> None:
    app = make_application(cast.community_a1, S.SUBMITTED, programme=programme)
    assert _post(cast.street_worker_a1, app.public_id, "reject", {"reason": ""}).status_code == 400
    r = _post(cast.street_worker_a1, app.public_id, "reject", {"reason": "非本辖区户籍"})
    assert r.json()["status"] == "rejected" and r.json()["closing_reason"] == "非本辖区户籍"
    # after publicity the district decides: the street may not reject
    other = make_application(cast.community_a1, S.PUBLICISED, programme=programme)
    assert _post(cast.street_worker_a1, other.public_id, "reject", {"reason": "x"}).status_code == 403
    w = make_application(cast.community_a1, S.SIGNED, programme=programme)
    assert (
        _post(cast.community_worker_a1, w.public_id, "withdraw", {"reason": "老人入住养老院"}).json()[
            "status"
        ]
        == "withdrawn"
    )
    b = make_application(cast.community_a1, S.BUILDING, programme=programme)
    assert _post(cast.community_worker_a1, b.public_id, "withdraw", {"reason": "x"}).status_code == 409


def test_quota_limits_district_approval(cast: Any, programme: Any) -> None:
    from yiyang.regions.scope import SYSTEM
    from yiyang.renovation import services

    services.quota_set(actor=SYSTEM, programme=programme, county=cast.county_a, households=1)
    make_application(cast.community_a1, S.APPROVED, programme=programme)
    second = make_application(cast.community_a1, S.PUBLICISED, programme=programme)
    contractor, supervisor = orgs(cast.community_a1)
    r = _post(
        cast.county_admin_a,
        second.public_id,
        "approve",
        {"contractor": str(contractor.public_id), "supervisor": str(supervisor.public_id)},
    )
    assert r.status_code == 409 and "任务数" in r.json()["message"]


def test_contractor_sees_only_its_households(cast: Any, programme: Any) -> None:
    from yiyang.core.testing import cast_user

    admin = cast_user("reno_builder", "provider_admin", cast.county_a)
    mine = make_application(cast.community_a1, S.SIGNED, programme=programme, contractor_admin=admin)
    other = make_application(cast.community_a1, S.SIGNED, programme=programme)
    listed = client(admin).get("/api/v1/renovation/applications/").json()
    ids = {row["id"] for row in listed["results"]}
    assert str(mine.public_id) in ids and str(other.public_id) not in ids
    assert client(admin).get(f"/api/v1/renovation/applications/{other.public_id}/").status_code == 404
    r = client(admin).post(
        f"/api/v1/renovation/applications/{other.public_id}/photo/",
        {"code": "SLH-01", "kind": "before", "image": _file()},
        format="multipart",
    )
    assert r.status_code == 404


def test_programme_copy_and_versioning(cast: Any, programme: Any) -> None:
    from yiyang.core.errors import Conflict
    from yiyang.regions.scope import SYSTEM
    from yiyang.renovation import services

    with pytest.raises(Conflict):
        services.programme_update(actor=SYSTEM, programme=programme, cap_fen=300000)
    r = client(cast.city_admin).post(
        f"/api/v1/renovation/programmes/{programme.public_id}/copy/", {"year": 2027}, format="json"
    )
    assert r.status_code == 201, r.json()
    copy = r.json()
    assert (
        copy["year"] == 2027 and copy["status"] == "draft" and copy["copied_from"] == str(programme.public_id)
    )
    from yiyang.renovation.models import Programme

    new = Programme.objects.get(public_id=copy["id"])
    services.programme_update(actor=cast.city_admin, programme=new, cap_fen=300000, prices={"SLH-01": 70000})
    new.refresh_from_db()
    programme.refresh_from_db()
    assert new.cap_fen == 300000 and programme.cap_fen == 200000
    assert new.items.get(code="SLH-01").reference_price_fen == 70000
    assert programme.items.get(code="SLH-01").reference_price_fen == 60000
    # a county admin may not edit the city's programme
    r = client(cast.county_admin_a).post(
        f"/api/v1/renovation/programmes/{programme.public_id}/copy/", {}, format="json"
    )
    assert r.status_code == 404
    r = client(cast.city_admin).post(
        f"/api/v1/renovation/programmes/{new.public_id}/activate/", {}, format="json"
    )
    assert r.json()["status"] == "active"


def test_detail_queries_do_not_grow_with_photos(cast: Any, programme: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yiyang.regions.scope import SYSTEM
    from yiyang.renovation import services
    from yiyang.renovation.tests.factories import upload

    app = make_application(cast.community_a1, S.PAID, programme=programme)
    c = client(cast.county_admin_a)
    for code in BASIC[4:6]:
        services.application_add_photo(
            actor=SYSTEM, application=app, code=code, kind="repair", upload=upload()
        )
    with CaptureQueriesContext(connection) as before:
        assert c.get(f"/api/v1/renovation/applications/{app.public_id}/").status_code == 200
    for code in BASIC[:4]:
        services.application_add_photo(
            actor=SYSTEM, application=app, code=code, kind="repair", upload=upload()
        )
    with CaptureQueriesContext(connection) as after:
        r = c.get(f"/api/v1/renovation/applications/{app.public_id}/")
    assert sum(len(p["photos"]) for p in r.json()["plan"]) == 18

    def ours(ctx: Any) -> int:  # the caller's grants are cached per user object, and may be read again
        return len([q for q in ctx.captured_queries if "accounts_grant" not in q["sql"]])

    assert ours(after) == ours(before)
