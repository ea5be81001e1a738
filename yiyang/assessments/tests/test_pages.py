"""Pages: the tablet form saves answers by HTMX, the request and external-result forms, history with the
diff, the playground and the elder-facing summary."""

from __future__ import annotations

from typing import Any

from django.test import Client

from yiyang.assessments.models import Assessment, ExternalAssessmentResult, Status
from yiyang.assessments.tests.factories import answers_for, make_assessment, make_assessor, make_elder


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_assessor_saves_an_answer_by_htmx_and_sees_progress(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="assigned")
    person = a.assessors.first()
    c = _client(person)
    page = c.get(f"/assessments/{a.public_id}/form/")
    assert page.status_code == 200
    assert "radio-card" in page.content.decode() and "独立使用器具" in page.content.decode()
    r = c.post(
        f"/assessments/{a.public_id}/form/",
        {"op": "answer", "code": "B1.1", "value": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "已填 1 / 26 项" in r.content.decode()
    a.refresh_from_db()
    assert a.answers == {"B1.1": 3} and a.status == Status.IN_PROGRESS
    bad = c.post(
        f"/assessments/{a.public_id}/form/",
        {"op": "answer", "code": "B1.1", "value": "9"},
        HTTP_HX_REQUEST="true",
    )
    assert "允许" in bad.content.decode()


def test_form_walk_to_completion_updates_the_elder(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="in_progress")
    p1, p2 = list(a.assessors.all())
    c1, c2 = _client(p1), _client(p2)
    url = f"/assessments/{a.public_id}/form/"
    c1.post(
        url,
        {
            "op": "health",
            "diagnoses": ["dementia"],
            "risk_fall": "0",
            "informant_name": "李某",
            "informant_relation": "子女",
        },
    )
    c1.post(url, {"op": "sign", "role": "assessor"})
    c2.post(url, {"op": "sign", "role": "assessor"})
    c1.post(url, {"op": "sign", "role": "informant", "name": "李某"})
    c1.post(url, {"op": "submit"})
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.final_level == 1  # level 0 raised by the dementia rule
    assert "确诊为痴呆" in c1.get(url).content.decode()
    c1.post(url, {"op": "complete"})
    a.elder.refresh_from_db()
    assert a.elder.capability_level == 1


def test_county_admin_requests_an_assessment_on_the_page(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1, name="页面老人")
    c = _client(cast.county_admin_a)
    assert elder.name in c.get("/assessments/request/", {"q": "页面老人"}).content.decode()
    r = c.post("/assessments/request/", {"elder": str(elder.public_id), "reason": "first", "home_visit": "1"})
    assert r.status_code == 302
    assert Assessment.objects.filter(elder=elder, status=Status.REQUESTED).exists()


def test_county_admin_assigns_on_the_detail_page(cast: Any) -> None:
    from yiyang.assessments.tests.factories import make_agency

    a = make_assessment(cast, cast.community_a1)
    agency = make_agency(cast)
    c = _client(cast.county_admin_a)
    assert agency.name in c.get(f"/assessments/{a.public_id}/").content.decode()
    ids = [str(u.public_id) for u in agency.assessors.all()]
    c.post(
        f"/assessments/{a.public_id}/", {"op": "assign", "agency": str(agency.public_id), "assessors": ids}
    )
    a.refresh_from_db()
    assert a.status == Status.ASSIGNED and a.assessors.count() == 2


def test_history_page_shows_the_diff(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    make_assessment(cast, cast.community_a1, status="completed", elder=elder)
    worse = answers_for("gbt42195")
    worse["B1.1"] = 0
    make_assessment(cast, cast.community_a1, status="completed", elder=elder, answers=worse)
    body = _client(cast.county_admin_a).get(f"/assessments/elder/{elder.public_id}/").content.decode()
    assert "两次评估对比" in body and "B1.1" in body and "-4" in body


def test_external_result_page_records_a_result(cast: Any) -> None:
    elder = make_elder(cast, cast.community_a1)
    c = _client(cast.county_admin_a)
    r = c.post(
        "/assessments/external/",
        {
            "elder": str(elder.public_id),
            "source": "医保局长期护理失能评估",
            "standard": "ltc2021",
            "level": "2",
            "assessed_on": "2026-02-01",
        },
    )
    assert r.status_code == 302
    assert ExternalAssessmentResult.objects.filter(elder=elder, level=2).exists()
    bad = c.post(
        "/assessments/external/",
        {
            "elder": str(elder.public_id),
            "source": "残联",
            "standard": "tekun6",
            "level": "7",
            "assessed_on": "2026-02-01",
        },
    )
    assert bad.status_code == 200 and "tekun6 的等级应为" in bad.content.decode()
    dates = c.post(
        "/assessments/external/",
        {
            "elder": str(elder.public_id),
            "source": "残联",
            "standard": "ltc2021",
            "level": "2",
            "assessed_on": "",
            "valid_until": "2027-02-30",
        },
    ).content.decode()
    assert "请填写评估日期" in dates and "有效期至格式应为 YYYY-MM-DD" in dates  # both, each by its input
    assert ExternalAssessmentResult.objects.filter(elder=elder).count() == 1


def test_playground_scores_with_the_same_engine(cast: Any) -> None:
    c = _client(make_assessor(cast, "play"))
    first = c.get("/assessments/score/")
    assert first.status_code == 200
    params = {
        "standard": "gbt42195",
        "go": "1",
        "coma": "1",
        **{k: str(v) for k, v in answers_for("gbt42195").items()},
    }
    body = c.get("/assessments/score/", params).content.decode()
    assert "能力完全丧失" in body
    assert _client(cast.street_worker_a1).get("/assessments/score/").status_code == 403


def test_summary_page_in_plain_words(cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed")
    body = _client(cast.county_admin_a).get(f"/assessments/{a.public_id}/summary/").content.decode()
    assert "elder-mode" in body and "您的能力评估结果" in body and "能力完好" in body


def test_assessor_task_list_shows_only_assigned_open_work(cast: Any) -> None:
    mine = make_assessment(cast, cast.community_a1, status="assigned")
    other = make_assessment(cast, cast.community_a1)
    body = _client(mine.assessors.first()).get("/assessments/").content.decode()
    assert mine.elder.name in body and other.elder.name not in body


def test_elder_tab_partial_renders_history_and_current_level(cast: Any) -> None:
    from django.template.loader import render_to_string

    from yiyang.assessments.selectors import elder_tab_context

    a = make_assessment(cast, cast.community_a1, status="completed")
    a.elder.refresh_from_db()
    html = render_to_string("assessments/_elder_tab.html", elder_tab_context(a.elder, cast.county_admin_a))
    assert "能力完好" in html and f"/assessments/{a.public_id}/" in html and "申请评估" in html
