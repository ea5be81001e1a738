"""Service cases of assessments (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.assessments import services as s
from yiyang.assessments.models import Assessment
from yiyang.assessments.tests.factories import answers_for, make_agency, make_assessment, make_elder
from yiyang.core.identifiers import uscc_check_char
from yiyang.core.tests.service_kit import ServiceCase

M = "yiyang.assessments.services"


def _assessor(cast: Any, world: Any) -> Any:
    return world.assessors.order_by("pk").first()


def _at(status: str) -> Any:
    def arrange(cast: Any) -> Any:
        return make_assessment(cast, cast.community_a1, status=status)

    return arrange


def _signed(cast: Any) -> Any:
    a = make_assessment(cast, cast.community_a1, status="in_progress")
    for person in a.assessors.all():
        s.assessment_sign(assessment=a, role="assessor", actor=person)
    s.assessment_sign(assessment=a, role="informant", name="家属", actor=a.assessors.first())
    return Assessment.objects.get(pk=a.pk)


def _requested_with_agency(cast: Any) -> Any:
    return make_assessment(cast, cast.community_a1), make_agency(cast, cast.county_a)


SERVICE_CASES = {
    f"{M}.policy_set": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.policy_set(region=cast.county_a, actor=actor, assessors_required=2),
    ),
    f"{M}.recognition_policy_set": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.recognition_policy_set(
            region=cast.county_a,
            programme="subsidy.care",
            accepted_sources=["残联"],
            accepted_standards=["gbt42195"],
            actor=actor,
        ),
    ),
    f"{M}.agency_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.agency_create(
            name="新评估中心",
            uscc="91321002MA9999999" + uscc_check_char("91321002MA9999999"),
            region=cast.county_a,
            actor=actor,
        ),
    ),
    f"{M}.assessment_request": ServiceCase(
        arrange=lambda cast: make_elder(cast, cast.community_a1),
        act=lambda cast, w, actor: s.assessment_request(elder=w, reason="first", actor=actor),
    ),
    f"{M}.assessment_request_immediate": ServiceCase(
        arrange=lambda cast: make_elder(cast, cast.community_a1),
        act=lambda cast, w, actor: s.assessment_request_immediate(
            elder=w, reason="跌倒", source="visit", actor=actor
        ),
    ),
    f"{M}.assessment_assign": ServiceCase(
        arrange=_requested_with_agency,
        act=lambda cast, w, actor: s.assessment_assign(
            assessment=w[0], agency=w[1], assessors=list(w[1].assessors.all()), actor=actor
        ),
    ),
    f"{M}.assessment_save_answers": ServiceCase(
        arrange=_at("in_progress"),
        act=lambda cast, w, actor: s.assessment_save_answers(
            assessment=w, answers=dict(list(answers_for("gbt42195").items())[:1]), actor=actor
        ),
        actor=_assessor,
    ),
    f"{M}.assessment_save_record": ServiceCase(
        arrange=_at("in_progress"),
        act=lambda cast, w, actor: s.assessment_save_record(assessment=w, actor=actor, informant_name="家属"),
        actor=_assessor,
    ),
    f"{M}.assessment_sign": ServiceCase(
        arrange=_at("in_progress"),
        act=lambda cast, w, actor: s.assessment_sign(assessment=w, role="assessor", actor=actor),
        actor=_assessor,
    ),
    f"{M}.assessment_submit": ServiceCase(
        arrange=_signed,
        act=lambda cast, w, actor: s.assessment_submit(
            assessment=w, actor=actor, assessed_on=date(2026, 11, 1)
        ),
        actor=_assessor,
    ),
    f"{M}.assessment_complete": ServiceCase(
        arrange=_at("submitted"),
        act=lambda cast, w, actor: s.assessment_complete(assessment=w, actor=actor),
        audits=2,  # completed, and the elder's capability level
    ),
    f"{M}.assessment_reopen": ServiceCase(
        arrange=_at("submitted"),
        act=lambda cast, w, actor: s.assessment_reopen(assessment=w, actor=actor),
        actor=_assessor,
    ),
    f"{M}.assessment_cancel": ServiceCase(
        arrange=_at("requested"),
        act=lambda cast, w, actor: s.assessment_cancel(assessment=w, reason="重复申请", actor=actor),
    ),
    f"{M}.external_result_record": ServiceCase(
        arrange=lambda cast: make_elder(cast, cast.community_a1),
        act=lambda cast, w, actor: s.external_result_record(
            elder=w,
            source="残联",
            standard="gbt42195",
            level=2,
            label="",
            assessed_on=date(2026, 1, 5),
            actor=actor,
        ),
    ),
}

NOT_WRITES = {
    f"{M}.on_elder_status": "subscriber of the elder-status hook: runs inside elder_change_status's gated "
    "transaction (orders/tests and assessments/tests cover it)",
    f"{M}.policy_for": "reader",
    f"{M}.assessors_required": "reader",
    f"{M}.validate_partial_answers": "validation",
    f"{M}.assessment_flags": "derivation",
    f"{M}.assessment_compute": "scoring, no write",
    f"{M}.missing_signatures": "reader",
    f"{M}.on_elder_transfer": "hook inside the gated transfer (elder_update, import)",
}
