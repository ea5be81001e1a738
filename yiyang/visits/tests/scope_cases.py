"""Scope cases of the 探访关爱 API and pages (see ``yiyang/core/testing.py``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiyang.core.testing import (
    ActionCase,
    ApiScopeCase,
    FilterCase,
    ObjectGetCase,
    PagePostCase,
    PageScopeCase,
    RegionParamCase,
    register_action,
    register_api,
    register_filter,
    register_object_get,
    register_page,
    register_page_post,
    register_region_param,
    xlsx_cells,
)
from yiyang.visits.models import Visit, VisitPlan


def _elder(cast: Any, region: Any) -> Any:
    from yiyang.visits.tests.factories import elder

    return elder(cast, region, age=85, living="alone")


def _visit(cast: Any, region: Any) -> Visit:
    from yiyang.visits.tests.factories import make_visit

    return make_visit(cast, _elder(cast, region))


def _plan(cast: Any, region: Any) -> VisitPlan:
    from yiyang.regions.scope import SYSTEM
    from yiyang.visits.services import plan_generate

    _elder(cast, region)
    return plan_generate(actor=SYSTEM, region_code=region.code, period=timezone.localdate().strftime("%Y-%m"))


def _campaign(cast: Any, region: Any) -> Any:
    from yiyang.regions.scope import SYSTEM
    from yiyang.visits.services import campaign_start

    _elder(cast, region)
    return campaign_start(
        actor=SYSTEM, name="高温专项探访", event="heatwave", region_code=region.code, classes=["A"]
    )


register_api(
    ApiScopeCase(
        basename="visit",
        make=_visit,
        create=lambda c, r: {
            "elder": str(_elder(c, r).public_id),
            "method": "phone",
            "visited_at": timezone.now().isoformat(),
            "seen": True,
            "findings": {},
        },
        count=Visit.objects.count,
    )
)
register_api(
    ApiScopeCase(
        basename="visit-plan",
        make=_plan,
        create=lambda c, r: (
            _elder(c, r),
            {"region": r.code, "period": timezone.localdate().strftime("%Y-%m")},
        )[1],
        count=VisitPlan.objects.count,
    )
)


def _reassign_plan(cast: Any, region: Any) -> VisitPlan:
    from yiyang.visits.tests.factories import plan_for_reassign

    plan: VisitPlan = plan_for_reassign(cast, region)["plan"]
    return plan


def _reassign_body(cast: Any, plan: VisitPlan) -> dict[str, Any]:
    from yiyang.visits.tests.factories import reassign_body

    return reassign_body(plan)


def _reassign_foreign(cast: Any, plan: VisitPlan) -> dict[str, Any]:
    """County B's visits and county B's volunteer, sent against county A's plan."""
    from yiyang.visits.tests.factories import reassign_body

    return reassign_body(_reassign_plan(cast, cast.community_b1))


register_action(
    ActionCase(
        route="visit-plan-reassign",
        make=_reassign_plan,
        body=_reassign_body,
        foreign=_reassign_foreign,
        own=("county_admin_a", 200),
    )
)
register_action(
    ActionCase(route="visit-plan-visitors", method="get", make=_reassign_plan, own=("county_admin_a", 200))
)
register_filter(FilterCase("visit", "elder", lambda c, theirs: str(theirs.elder.public_id)))
register_filter(FilterCase("visit-plan", "period", lambda c, theirs: theirs.period))

register_page(
    PageScopeCase(name="visits:record", make=_elder, url=lambda o: f"/visits/record/{o.public_id}/")
)
register_page(
    PageScopeCase(name="visits:campaign", make=_campaign, url=lambda o: f"/visits/campaigns/{o.public_id}/")
)

register_page_post(
    PagePostCase(
        name="visits:record",
        make=_elder,
        url=lambda o: f"/visits/record/{o.public_id}/",
        data=lambda c, o: {"op": "visit", "method": "phone", "seen": "yes", "health": "good"},
    )
)
register_page_post(
    PagePostCase(
        name="visits:overview",
        make=_elder,
        url=lambda o: "/visits/",
        data=lambda c, o: {"region": o.region_id, "period": timezone.localdate().strftime("%Y-%m")},
    )
)
register_page_post(
    PagePostCase(
        name="visits:campaigns",
        make=_elder,
        url=lambda o: "/visits/campaigns/",
        data=lambda c, o: {
            "name": "台风专项探访",
            "event": "typhoon",
            "region": o.region_id,
            "classes": ["A"],
            "hours": "24",
        },
        outsider_status=None,
    )
)
register_page_post(
    PagePostCase(
        name="visits:rules",
        make=_elder,
        url=lambda o: "/visits/rules/",
        data=lambda c, o: {
            "region": o.region_id[:6] + "000000",
            "count": "1",
            "code-0": "A1",
            "class-0": "A",
            "name-0": "独居",
            "when-0-0": ["alone"],
        },
    )
)


# Reads outside a viewset: an elder's risk class, and the coverage of a region and month (API, the 探访覆盖
# page and its .xlsx 台账) and the rules in force there. The figure is the number of visits due: an elder
# living with an empty nest (class C) is due one visit a month.


def _due(cast: Any, region: Any) -> Any:
    from yiyang.visits.tests.factories import elder

    return elder(cast, region, living="empty_nest")


def _month(cast: Any) -> dict[str, str]:
    return {"period": timezone.localdate().strftime("%Y-%m")}


def _export_due(response: Any) -> Any:
    row = next(r for r in xlsx_cells(response) if r and r[0] == "应探访")
    return row[1]


def _county_rules(cast: Any, region: Any) -> Any:
    from yiyang.visits import rules as R
    from yiyang.visits.services import ruleset_publish

    county = region.parent.parent
    admin = cast.county_admin_a if county == cast.county_a else cast.county_admin_b
    return ruleset_publish(actor=admin, region_code=county.code, rules=R.DEFAULT_RULES)


def _local_versions(response: Any) -> int:
    """Rule versions shown in the history other than the platform's and the city's."""
    return len([r for r in response.context["history"] if r.region_code not in {"", "321000000000"}])


register_object_get(ObjectGetCase(name="elder-risk", make=_elder))
register_region_param(
    RegionParamCase(
        name="visit-coverage",
        path="/api/v1/visits/coverage/",
        params=_month,
        make=_due,
        figure=lambda r: r.json()["due"],
    )
)
register_region_param(
    RegionParamCase(
        name="visits:overview",
        path="/visits/",
        params=_month,
        make=_due,
        figure=lambda r: r.context["total"].due,
    )
)
register_region_param(
    RegionParamCase(
        name="visits:export", path="/visits/export/", params=_month, make=_due, figure=_export_due
    )
)
register_region_param(
    RegionParamCase(name="visits:rules", path="/visits/rules/", make=_county_rules, figure=_local_versions)
)
register_page_post(
    PagePostCase(
        name="visits:reassign",
        make=_reassign_plan,
        url=lambda p: "/visits/reassign/",
        data=lambda c, p: {"region": p.region_code, "period": p.period, **_reassign_body(c, p)},
    )
)
register_region_param(
    RegionParamCase(
        name="visits:reassign",
        path="/visits/reassign/",
        params=_month,
        make=_reassign_plan,
        figure=None,
        note="改派 lists one community's plan: asked for a county it lists no visit, so there is no county "
        "figure; its items are held by the visits:reassign PagePostCase and the visit-plan-reassign ActionCase",
    )
)
