"""The assessment workflow: transitions, assessors required, server-side scoring, effects on the elder,
history differences, recognition policy, immediate re-assessment and the PDF report."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from yiyang.accounts.services import user_create
from yiyang.assessments import services
from yiyang.assessments.models import Assessment, AssessmentEvent, Status
from yiyang.assessments.report import render_pdf
from yiyang.assessments.rules import add_months, derive_flags
from yiyang.assessments.selectors import assessment_diff, elder_tab_context, recognized_level
from yiyang.assessments.tests.factories import (
    answers_for,
    make_agency,
    make_assessment,
    make_assessor,
    make_elder,
)
from yiyang.audit.models import AuditEvent
from yiyang.core.errors import DomainError, Forbidden
from yiyang.core.policy import policy_value_set
from yiyang.core.statemachine import IllegalTransition
from yiyang.regions.scope import SYSTEM

URL = "/api/v1/assessments/"


def _assign(api_as: Any, cast: Any, a: Assessment, people: list[Any], agency: Any) -> Any:
    return api_as(cast.county_admin_a).post(
        f"{URL}{a.public_id}/assign/",
        {"agency": str(agency.public_id), "assessors": [str(p.public_id) for p in people]},
        format="json",
    )


def test_county_admin_requests_assigns_and_assessors_complete_via_api(api_as: Any, cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    created = api_as(cast.county_admin_a).post(
        URL, {"elder": str(elder.public_id), "reason": "first"}, format="json"
    )
    assert created.status_code == 201, created.json()
    a = Assessment.objects.get(public_id=created.json()["id"])
    assert created.json()["status"] == "requested"
    agency = make_agency(cast)
    p1, p2 = list(agency.assessors.all())
    assert _assign(api_as, cast, a, [p1, p2], agency).status_code == 200
    answers = answers_for("gbt42195")
    answers["B1.1"] = 0  # total 86 → preliminary level 1
    first = dict(list(answers.items())[:10])
    rest = dict(list(answers.items())[10:])
    r = api_as(p1).post(f"{URL}{a.public_id}/answers/", {"answers": first}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert (
        api_as(p2).post(f"{URL}{a.public_id}/answers/", {"answers": rest}, format="json").status_code == 200
    )
    record = {
        "diagnoses": ["dementia"],
        "risk_events": {"fall": 1, "wander": 1},
        "informant_name": "王女儿",
        "informant_relation": "子女",
        "health": {"A5.11": "无", "A5.3": ["擦伤"]},
    }
    r = api_as(p1).post(f"{URL}{a.public_id}/record/", record, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["flags"] == {
        "coma": False,
        "dementia": True,
        "mental_disorder": False,
        "risk_events_30d": 2,
    }
    for p in (p1, p2):
        assert (
            api_as(p).post(f"{URL}{a.public_id}/sign/", {"role": "assessor"}, format="json").status_code
            == 200
        )
    png = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kg"
        "AAAABJRU5ErkJggg=="
    )
    assert (
        api_as(p1)
        .post(
            f"{URL}{a.public_id}/sign/", {"role": "informant", "name": "王女儿", "image": png}, format="json"
        )
        .status_code
        == 200
    )
    # A client-sent total or level is ignored: the server scores the saved answers.
    r = api_as(p1).post(f"{URL}{a.public_id}/submit/", {"total": 90, "final_level": 0}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["total"], body["preliminary_level"], body["final_level"]) == (86, 1, 3)
    assert set(body["rules_applied"]) >= {"diagnosis", "risk_events"}
    r = api_as(p2).post(f"{URL}{a.public_id}/complete/", format="json")
    assert r.status_code == 200 and r.json()["status"] == "completed"
    elder.refresh_from_db()
    assert (elder.capability_level, elder.capability_standard, elder.disabled_moderate_plus) == (
        3,
        "gbt42195",
        True,
    )
    assert elder.capability_valid_until == add_months(elder.capability_assessed_on, 12)
    statuses = list(AssessmentEvent.objects.filter(assessment=a).values_list("to_status", flat=True))
    assert statuses == ["requested", "assigned", "in_progress", "submitted", "completed"]
    assert AuditEvent.objects.filter(event="assessments.completed", object_id=str(a.public_id)).exists()
    assert AuditEvent.objects.filter(event="elders.capability").exists()


def test_illegal_transition_is_409_with_current_status(api_as: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    response = api_as(cast.county_admin_a).post(f"{URL}{a.public_id}/complete/", format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["current_status"] == "requested"


def test_submit_before_assignment_is_409_not_a_scoring_error(api_as: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    response = api_as(cast.county_admin_a).post(f"{URL}{a.public_id}/submit/", {}, format="json")
    assert response.status_code == 409 and response.json()["current_status"] == "requested"


def test_completed_assessment_cannot_be_cancelled_or_edited(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed")
    with pytest.raises(IllegalTransition):
        services.assessment_cancel(assessment=a, reason="错了", actor=SYSTEM)
    with pytest.raises(DomainError):
        services.assessment_save_answers(assessment=a, answers={"B1.1": 1}, actor=SYSTEM)


def test_at_least_two_assessors_for_a_home_visit(api_as: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    agency = make_agency(cast)
    one = list(agency.assessors.all())[:1]
    response = _assign(api_as, cast, a, one, agency)
    assert response.status_code == 400
    assert "assessors" in response.json()["errors"]
    a.refresh_from_db()
    assert a.status == Status.REQUESTED


def test_policy_may_require_more_assessors_per_region_and_the_interval_is_a_policy_value(cast: Any) -> None:
    services.policy_set(region=cast.county_a, actor=SYSTEM, assessors_required=3)
    services.policy_set(region=cast.street_a1, actor=SYSTEM, assessors_required=2)
    street = make_assessment(cast, cast.community_a1)
    assert services.assessors_required(street) == 2  # the street's policy is the most specific
    assert services.policy_for(cast.county_a)["assessors_required"] == 3
    # MZ/T 039 4.3.5: every 6 months unless the region's policy value says otherwise.
    assert services.policy_for(cast.community_a1)["routine_interval_months"] == 6
    done = make_assessment(cast, cast.community_a1, status="completed")
    assert done.assessed_on is not None
    assert done.next_routine_on == add_months(done.assessed_on, 6)
    city = user_create(username="cast_city", password=cast.password, grants=[("city_admin", cast.city.code)])
    policy_value_set(
        key="assessments.routine_interval",
        region_code=cast.county_b.code,
        value=3,
        valid_from=date(2020, 1, 1),
        source="邗江区文件（测试）",
        actor=city,
    )
    assert services.policy_for(cast.community_b1)["routine_interval_months"] == 3
    assert services.policy_for(cast.community_a1)["routine_interval_months"] == 6
    other = make_assessment(cast, cast.community_b1, status="completed")
    assert other.assessed_on is not None
    assert other.next_routine_on == add_months(other.assessed_on, 3)


def test_assessors_must_belong_to_the_agency(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    agency = make_agency(cast)
    stranger = make_assessor(cast, "stranger")
    with pytest.raises(DomainError) as exc:
        services.assessment_assign(
            assessment=a, agency=agency, assessors=[stranger, *agency.assessors.all()][:2], actor=SYSTEM
        )
    assert "assessors" in exc.value.errors


def test_only_assigned_assessors_fill_the_form(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="assigned")
    other = make_assessor(cast, "not_assigned")
    with pytest.raises(Forbidden):
        services.assessment_save_answers(assessment=a, answers={"B1.1": 4}, actor=other)


def test_partial_save_refuses_unknown_code_and_out_of_range(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="assigned")
    person = a.assessors.first()
    with pytest.raises(DomainError) as exc:
        services.assessment_save_answers(assessment=a, answers={"B1.1": 9, "X1": 1}, actor=person)
    assert "0, 1, 2, 3, 4" in exc.value.errors["B1.1"][0]
    assert "X1" in exc.value.errors


def test_submit_requires_every_item_and_every_signature(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="assigned")
    p1 = a.assessors.first()
    services.assessment_save_answers(assessment=a, answers={"B1.1": 4}, actor=p1)
    with pytest.raises(DomainError) as exc:
        services.assessment_submit(assessment=a, actor=p1)
    assert "B1.2" in exc.value.errors
    services.assessment_save_answers(assessment=a, answers=answers_for("gbt42195"), actor=p1)
    services.assessment_sign(assessment=a, role="assessor", actor=p1)
    with pytest.raises(DomainError) as exc:
        services.assessment_submit(assessment=a, actor=p1)
    assert "signatures" in exc.value.errors
    assert len(exc.value.errors["signatures"]) == 2  # the second assessor and the informant


def test_coma_from_health_record_forces_level_4(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed", health={"A5.11": "有"})
    assert a.final_level == 4 and "coma" in a.result["rules_applied"]
    a.elder.refresh_from_db()
    assert a.elder.disabled_moderate_plus


def test_icd10_codes_drive_dementia_and_mental_disorder_flags() -> None:
    flags = derive_flags(health={}, diagnoses=[{"code": "other", "icd10": "F01.1"}], risk_events={"fall": 3})
    assert flags["dementia"] and not flags["mental_disorder"] and flags["risk_events_30d"] == 3
    flags = derive_flags(health={}, diagnoses=[{"code": "other", "icd10": "F32"}], risk_events={})
    assert flags["mental_disorder"] and not flags["dementia"]


def test_mzt039_moderate_plus_threshold(cast: Any) -> None:
    a = make_assessment(
        cast, cast.community_a1, status="completed", standard="mzt039", answers=answers_for("mzt039", "worst")
    )
    a.elder.refresh_from_db()
    assert a.final_level == 3 and a.elder.disabled_moderate_plus
    b = make_assessment(cast, cast.community_a1, status="completed", standard="tekun6")
    b.elder.refresh_from_db()
    assert b.final_level == 0 and not b.elder.disabled_moderate_plus


def test_history_diff_per_item_subtotal_and_level(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    first = make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    worse = answers_for("gbt42195")
    worse.update({"B1.1": 0, "B2.1": 0})
    second = make_assessment(cast, cast.community_a1, status="completed", elder=elder, answers=worse)
    diff = assessment_diff(first, second)
    changed = {i["code"]: i["delta"] for i in diff["changed_items"]}
    assert changed == {"B1.1": -4, "B2.1": -4}
    subs = {s["code"]: s["delta"] for s in diff["subtotals"]}
    assert subs["B1"] == -4 and subs["B2"] == -4 and subs["B3"] == 0
    assert diff["total_delta"] == -8 and diff["level_delta"] == 1


def test_diff_endpoint_compares_with_the_previous_assessment(api_as: Any, cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    second = make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    r = api_as(cast.county_admin_a).get(f"{URL}{second.public_id}/diff/")
    assert r.status_code == 200 and r.json()["level_delta"] == 0


def test_immediate_request_is_created_once_per_open_assessment(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    a = services.assessment_request_immediate(
        elder=elder,
        reason="上门探访发现跌倒后卧床",
        source="visit",
        actor=cast.caregiver,
        permission="orders.serve",
        own=True,
    )
    again = services.assessment_request_immediate(
        elder=elder, reason="工单反馈", source="order", actor=SYSTEM
    )
    assert a.pk == again.pk and a.reason == "immediate" and a.source == "visit"


def test_recognition_policy_accepts_configured_external_sources(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    own = make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    ext = services.external_result_record(
        elder=elder,
        source="医保局长期护理失能评估",
        standard="ltc2021",
        level=3,
        label="",
        assessed_on=date.today() + timedelta(days=0),
        valid_until=date.today() + timedelta(days=300),
        actor=SYSTEM,
    )
    Assessment.objects.filter(pk=own.pk).update(assessed_on=date.today() - timedelta(days=30))
    # Without a policy only the platform's own result counts.
    before = recognized_level(elder, "subsidy.care")
    assert before is not None and before["origin"] == "own"
    services.recognition_policy_set(
        region=cast.county_a,
        programme="subsidy.care",
        accepted_sources=["医保局长期护理失能评估"],
        accepted_standards=[],
        actor=SYSTEM,
    )
    found = recognized_level(elder, "subsidy.care")
    assert found is not None
    assert found["origin"] == "external" and found["id"] == str(ext.public_id) and found["level"] == 3
    # A programme that only accepts GB/T 42195 ignores the 医保 result.
    services.recognition_policy_set(
        region=cast.county_a,
        programme="beds.admission",
        accepted_sources=["医保局长期护理失能评估"],
        accepted_standards=["gbt42195"],
        actor=SYSTEM,
    )
    beds = recognized_level(elder, "beds.admission")
    assert beds is not None and beds["origin"] == "own"


def test_expired_results_are_not_recognized(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    services.external_result_record(
        elder=elder,
        source="残联",
        standard="gbt42195",
        level=2,
        label="",
        assessed_on=date(2024, 1, 1),
        valid_until=date(2025, 1, 1),
        actor=SYSTEM,
    )
    services.recognition_policy_set(
        region=cast.city,
        programme="visits",
        accepted_sources=["残联"],
        accepted_standards=[],
        accept_own=False,
        actor=SYSTEM,
    )
    assert recognized_level(elder, "visits") is None


def test_external_result_level_must_exist_in_its_standard(api_as: Any, cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    r = api_as(cast.county_admin_a).post(
        f"{URL}external-results/",
        {
            "elder": str(elder.public_id),
            "source": "卫健",
            "standard": "tekun6",
            "level": 5,
            "assessed_on": "2026-01-01",
        },
        format="json",
    )
    assert r.status_code == 400 and "level" in r.json()["errors"]


def test_pdf_report_renders_chinese_with_the_level(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed", diagnoses=["dementia"])
    pdf = render_pdf(a)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
    tool = shutil.which("pdftotext")
    if tool:
        # The tool path comes from shutil.which and the input is our own PDF bytes.
        run = subprocess.run([tool, "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
        text = run.stdout.decode()
        assert "老年人能力评估报告" in text
        assert a.label in text
        assert "等级变更依据" in text


def test_report_page_downloads_pdf_for_county_admin(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed")
    client = Client()
    client.force_login(cast.county_admin_a)
    response = client.get(f"/assessments/{a.public_id}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_list_filters_mine_and_query_count(
    api_as: Any, cast: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        make_assessment(cast, cast.community_a1, status="assigned")
    mine = make_assessor(cast, "as1a")
    with django_assert_max_num_queries(8):
        r = api_as(mine).get(URL, {"mine": "true"})
    assert r.status_code == 200 and r.json()["count"] == 3
    assert api_as(cast.county_admin_b).get(URL).json()["count"] == 0


def test_elder_tab_context_lists_history_and_links(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed")
    ctx = elder_tab_context(a.elder, cast.county_admin_a)
    assert [x.pk for x in ctx["assessments"]] == [a.pk]
    assert ctx["capability"]["level"] == 0 and ctx["can_request"]
    other = elder_tab_context(a.elder, cast.county_admin_b)
    assert other["assessments"] == []


def test_reassessments_fall_due_after_six_months_and_show_in_the_county_and_assessor_lists(cast: Any) -> None:
    from yiyang.assessments.selectors import reassessments_due
    from yiyang.assessments.services import on_elder_status
    from yiyang.core.hooks import elder_status_changed
    from yiyang.elders.services import elder_change_status

    assert on_elder_status in elder_status_changed.handlers

    done = make_assessment(cast, cast.community_a1, status="completed")
    assert done.assessed_on is not None
    assert done.next_routine_on == add_months(done.assessed_on, 6)  # MZ/T 039 4.3.5
    assessor = done.assessors.first()
    today = done.assessed_on
    assert list(reassessments_due(user=cast.county_admin_a, today=today)) == []
    later = add_months(today, 6) - timedelta(days=10)
    assert list(reassessments_due(user=cast.county_admin_a, today=later)) == [done]
    assert list(reassessments_due(user=assessor, mine=True, today=later)) == [done]
    assert list(reassessments_due(user=cast.county_admin_b, today=later)) == []
    # Due now: the county's 待复评 list page shows it with its due date.
    Assessment.objects.filter(pk=done.pk).update(next_routine_on=date.today() - timedelta(days=1))
    page = Client()
    page.force_login(cast.county_admin_a)
    body = page.get("/assessments/?due=1").content.decode()
    assert done.elder.name in body and "已逾期" in body and "复评到期日" in body
    # A new assessment being open takes it off the list; a death closes that open assessment.
    again = services.assessment_request(elder=done.elder, reason="routine", actor=cast.county_admin_a)
    assert list(reassessments_due(user=cast.county_admin_a)) == []
    elder_change_status(
        actor=cast.county_admin_a,
        elder=done.elder,
        status="deceased",
        effective_date=date.today(),
        reason="病故",
    )
    again.refresh_from_db()
    assert again.status == Status.CANCELLED
    last = again.events.last()
    assert last is not None and last.reason == "老人已故，评估关闭"
    assert (
        list(reassessments_due(user=cast.county_admin_a)) == []
    )  # not for an elder no longer in the register
