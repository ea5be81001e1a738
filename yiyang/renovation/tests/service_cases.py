"""Service cases of the renovation programme (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.core.tests.service_kit import ServiceCase
from yiyang.regions.scope import SYSTEM
from yiyang.renovation import services as s
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.tests.factories import BASIC, make_application, make_target_elder, orgs, upload

M = "yiyang.renovation.services"


def _draft(cast: Any) -> Any:
    return s.programme_create(actor=SYSTEM, region=cast.county_a, year=2026, name="区级改造", cap_fen=200000)


def _app(status: str) -> Any:
    def arrange(cast: Any) -> Any:
        return make_application(cast.community_a1, status)

    return arrange


def _photo_ready(kind: str, status: str) -> Any:
    def arrange(cast: Any) -> Any:
        app = make_application(cast.community_a1, status)
        for row in app.plan_items.filter(included=True).select_related("item"):
            s.application_add_photo(
                actor=SYSTEM, application=app, code=row.item.code, kind=kind, upload=upload()
            )
        return app

    return arrange


def _claim(cast: Any) -> Any:
    app = make_application(cast.community_a1, S.PAID)
    return s.warranty_claim_create(actor=SYSTEM, application=app, description="扶手松动")


def _create_world(cast: Any) -> Any:
    app = make_application(cast.community_a1, S.SUBMITTED)
    return {"programme": app.programme, "elder": make_target_elder(cast.community_a1)}


def _publicised(cast: Any) -> Any:
    return (make_application(cast.community_a1, S.PUBLICISED), *orgs(cast.community_a1))


def _approve(cast: Any, w: Any, actor: Any) -> Any:
    return s.application_approve(actor=actor, application=w[0], contractor=w[1], supervisor=w[2])


SERVICE_CASES = {
    f"{M}.programme_create": ServiceCase(
        arrange=lambda cast: cast.county_a,
        act=lambda cast, county, actor: s.programme_create(
            actor=actor, region=county, year=2027, name="改造", cap_fen=1
        ),
    ),
    f"{M}.programme_update": ServiceCase(
        arrange=_draft,
        act=lambda cast, p, actor: s.programme_update(actor=actor, programme=p, cap_fen=300000),
    ),
    f"{M}.programme_copy": ServiceCase(
        arrange=_draft, act=lambda cast, p, actor: s.programme_copy(actor=actor, programme=p, year=2027)
    ),
    f"{M}.programme_activate": ServiceCase(
        arrange=_draft, act=lambda cast, p, actor: s.programme_activate(actor=actor, programme=p)
    ),
    f"{M}.quota_set": ServiceCase(
        arrange=_draft,
        act=lambda cast, p, actor: s.quota_set(actor=actor, programme=p, county=cast.county_a, households=3),
    ),
    f"{M}.grant_record": ServiceCase(
        arrange=lambda cast: make_target_elder(cast.community_a1),
        act=lambda cast, e, actor: s.grant_record(
            actor=actor, elder=e, source="dpf", programme_name="无障碍改造", year=2024
        ),
    ),
    f"{M}.application_create": ServiceCase(
        arrange=_create_world,
        act=lambda cast, w, actor: s.application_create(
            actor=actor,
            programme=w["programme"],
            elder=w["elder"],
            application_date=date(2026, 11, 1),
            housing_right=True,
            in_demolition_plan=False,
        ),
    ),
    f"{M}.application_review": ServiceCase(
        arrange=_app(S.SUBMITTED), act=lambda cast, a, actor: s.application_review(actor=actor, application=a)
    ),
    f"{M}.application_object": ServiceCase(
        arrange=_app(S.PUBLICITY),
        act=lambda cast, a, actor: s.application_object(actor=actor, application=a, text="异议"),
    ),
    f"{M}.application_close_publicity": ServiceCase(
        arrange=_app(S.PUBLICITY),
        act=lambda cast, a, actor: s.application_close_publicity(actor=actor, application=a),
    ),
    f"{M}.application_approve": ServiceCase(arrange=_publicised, act=_approve),
    f"{M}.application_assess": ServiceCase(
        arrange=_app(S.APPROVED),
        act=lambda cast, a, actor: s.application_assess(
            actor=actor, application=a, note="查看", assessor_name="评估员"
        ),
    ),
    f"{M}.application_plan": ServiceCase(
        arrange=_app(S.ASSESSED),
        act=lambda cast, a, actor: s.application_plan(
            actor=actor, application=a, items=[{"code": c, "included": True} for c in BASIC]
        ),
    ),
    f"{M}.application_sign": ServiceCase(
        arrange=_app(S.PLANNED),
        act=lambda cast, a, actor: s.application_sign(
            actor=actor, application=a, signed_by="老人", relation="elder"
        ),
    ),
    f"{M}.application_add_photo": ServiceCase(
        arrange=_app(S.SIGNED),
        act=lambda cast, a, actor: s.application_add_photo(
            actor=actor, application=a, code="SLH-01", kind="before", upload=upload()
        ),
    ),
    f"{M}.application_start": ServiceCase(
        arrange=_photo_ready("before", S.SIGNED),
        act=lambda cast, a, actor: s.application_start(actor=actor, application=a),
    ),
    f"{M}.application_complete": ServiceCase(
        arrange=_photo_ready("after", S.BUILDING),
        act=lambda cast, a, actor: s.application_complete(
            actor=actor,
            application=a,
            items=[
                {"code": r.item.code, "done": True}
                for r in a.plan_items.filter(included=True).select_related("item")
            ],
        ),
    ),
    f"{M}.application_accept": ServiceCase(
        arrange=_app(S.COMPLETED),
        act=lambda cast, a, actor: s.application_accept(
            actor=actor,
            application=a,
            passed=True,
            note="合格",
            street_inspector="甲",
            supervisor_inspector="乙",
        ),
    ),
    f"{M}.application_pay": ServiceCase(
        arrange=_app(S.ACCEPTED), act=lambda cast, a, actor: s.application_pay(actor=actor, application=a)
    ),
    f"{M}.application_reject": ServiceCase(
        arrange=_app(S.SUBMITTED),
        act=lambda cast, a, actor: s.application_reject(actor=actor, application=a, reason="不符合"),
    ),
    f"{M}.application_withdraw": ServiceCase(
        arrange=_app(S.SUBMITTED),
        act=lambda cast, a, actor: s.application_withdraw(actor=actor, application=a, reason="不需要"),
    ),
    f"{M}.warranty_claim_create": ServiceCase(
        arrange=_app(S.PAID),
        act=lambda cast, a, actor: s.warranty_claim_create(actor=actor, application=a, description="松动"),
    ),
    f"{M}.warranty_claim_repair": ServiceCase(
        arrange=_claim, act=lambda cast, c, actor: s.warranty_claim_repair(actor=actor, claim=c, note="已修")
    ),
}

NOT_WRITES = {
    f"{M}.covers": "whether a region lies in a programme's region (a check)",
    f"{M}.eligibility_verdict": "evaluates the rules; writes nothing (the eligibility endpoint)",
    f"{M}.plan_gaps": "lists the basic items a plan still lacks (a check)",
    f"{M}.split_payment": "subsidy and household share of a cost (arithmetic)",
}
