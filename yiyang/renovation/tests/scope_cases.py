"""Scope cases of the renovation API and pages (see ``yiyang/core/testing.py``): county A's rows, county B's
rows, and every action, filter and page POST."""

from __future__ import annotations

from typing import Any

from yiyang.core.testing import (
    ActionCase,
    ApiScopeCase,
    FilterCase,
    PagePostCase,
    PageScopeCase,
    register_action,
    register_api,
    register_filter,
    register_page,
    register_page_post,
)
from yiyang.regions.scope import SYSTEM
from yiyang.renovation import services
from yiyang.renovation.choices import ApplicationStatus as S
from yiyang.renovation.models import Application
from yiyang.renovation.tests.factories import BASIC, make_application, make_target_elder, orgs, png


def _county(region: Any) -> Any:
    return region.parent.parent if region.level == "village" else region


def _programme(cast: Any, region: Any) -> Any:
    """A draft programme of the county containing ``region``."""
    return services.programme_create(
        actor=SYSTEM,
        region=_county(region),
        year=2026,
        name="区级适老化改造",
        cap_fen=200000,
        publicity_days=0,
    )


def _app(status: str) -> Any:
    def make(cast: Any, region: Any) -> Any:
        return make_application(region, status)

    return make


def _create_body(cast: Any, region: Any) -> dict[str, Any]:
    from yiyang.renovation.models import Programme
    from yiyang.renovation.tests.factories import CITY, make_programme

    programme = Programme.objects.filter(region_code=CITY, status="active").first() or make_programme()
    elder = make_target_elder(region)
    return {
        "programme": str(programme.public_id),
        "elder": str(elder.public_id),
        "application_date": "2026-11-01",
        "housing_right": True,
        "in_demolition_plan": False,
    }


register_api(ApiScopeCase(basename="renovation-programme", make=_programme))
register_api(
    ApiScopeCase(
        basename="renovation-application",
        make=_app(S.SUBMITTED),
        create=_create_body,
        count=Application.objects.count,
    )
)

R = "renovation-application"


def _orgs_body(cast: Any, app: Any) -> dict[str, Any]:
    contractor, supervisor = orgs(cast.community_a1)
    return {"contractor": str(contractor.public_id), "supervisor": str(supervisor.public_id)}


def _foreign_orgs(cast: Any, app: Any) -> dict[str, Any]:
    contractor, supervisor = orgs(cast.community_b1)
    contractor.regions_served.set([cast.county_b])
    return {"contractor": str(contractor.public_id), "supervisor": str(supervisor.public_id)}


def _plan_body(cast: Any, app: Any) -> dict[str, Any]:
    return {"items": [{"code": c, "included": True} for c in BASIC]}


def _photo_body(cast: Any, app: Any) -> dict[str, Any]:
    return {"code": "SLH-01", "kind": "before", "image": ("x.png", png(), "image/png")}


def _signed_with_photos(cast: Any, region: Any) -> Any:
    app = make_application(region, S.SIGNED)
    for row in app.plan_items.filter(included=True).select_related("item"):
        services.application_add_photo(
            actor=SYSTEM, application=app, code=row.item.code, kind="before", upload=_upload()
        )
    return app


def _building_with_photos(cast: Any, region: Any) -> Any:
    app = make_application(region, S.BUILDING)
    for row in app.plan_items.filter(included=True).select_related("item"):
        services.application_add_photo(
            actor=SYSTEM, application=app, code=row.item.code, kind="after", upload=_upload()
        )
    return app


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.png", png(), content_type="image/png")


def _complete_body(cast: Any, app: Any) -> dict[str, Any]:
    return {
        "items": [
            {"code": r.item.code, "done": True}
            for r in app.plan_items.filter(included=True).select_related("item")
        ]
    }


def _with_claim(cast: Any, region: Any) -> Any:
    app = make_application(region, S.PAID)
    services.warranty_claim_create(actor=SYSTEM, application=app, description="扶手松动")
    return app


def _repair_body(cast: Any, app: Any) -> dict[str, Any]:
    return {"claim": str(app.claims.get().public_id), "note": "已紧固"}


ACCEPT = {"passed": True, "note": "合格", "street_inspector": "街道甲", "supervisor_inspector": "监理乙"}

for route, make, body, own in [
    ("review", _app(S.SUBMITTED), lambda c, a: {"note": "通过"}, 200),
    ("object", _app(S.PUBLICITY), lambda c, a: {"text": "有异议"}, 201),
    ("close-publicity", _app(S.PUBLICITY), lambda c, a: {}, 200),
    ("assess", _app(S.APPROVED), lambda c, a: {"note": "入户查看", "assessor_name": "评估员"}, 200),
    ("plan", _app(S.ASSESSED), _plan_body, 200),
    ("sign", _app(S.PLANNED), lambda c, a: {"signed_by": "老人", "relation": "elder"}, 200),
    ("start", _signed_with_photos, lambda c, a: {}, 200),
    ("complete", _building_with_photos, _complete_body, 200),
    ("accept", _app(S.COMPLETED), lambda c, a: dict(ACCEPT), 200),
    ("pay", _app(S.ACCEPTED), lambda c, a: {"payment_ref": "BK-1"}, 200),
    ("reject", _app(S.SUBMITTED), lambda c, a: {"reason": "不符合"}, 200),
    ("withdraw", _app(S.SUBMITTED), lambda c, a: {"reason": "不需要了"}, 200),
    ("warranty-claim", _app(S.PAID), lambda c, a: {"description": "扶手松动"}, 201),
    ("warranty-repair", _with_claim, _repair_body, 200),
]:
    register_action(ActionCase(route=f"{R}-{route}", make=make, body=body, own=("county_admin_a", own)))

register_action(
    ActionCase(
        route=f"{R}-approve",
        make=_app(S.PUBLICISED),
        body=_orgs_body,
        foreign=_foreign_orgs,
        own=("county_admin_a", 200),
    )
)
register_action(
    ActionCase(
        route=f"{R}-photo", make=_app(S.SIGNED), body=_photo_body, multipart=True, own=("county_admin_a", 201)
    )
)

P = "renovation-programme"
register_action(
    ActionCase(
        route=f"{P}-copy", make=_programme, body=lambda c, p: {"year": 2027}, own=("county_admin_a", 201)
    )
)
register_action(ActionCase(route=f"{P}-activate", make=_programme, own=("county_admin_a", 200)))
register_action(
    ActionCase(
        route=f"{P}-quota",
        make=_programme,
        body=lambda c, p: {"county": c.county_a.code, "households": 5},
        foreign=lambda c, p: {"county": c.county_b.code, "households": 5},
        own=("county_admin_a", 200),
    )
)

register_filter(FilterCase(basename=R, param="status", value=lambda c, theirs: theirs.status))
register_filter(
    FilterCase(basename=R, param="programme", value=lambda c, theirs: str(theirs.programme.public_id))
)


def _page_url(path: str) -> Any:
    return lambda a: "/renovation/" + path.format(a.public_id)


for name, path in [
    ("renovation:detail", "applications/{}/"),
    ("renovation:archive", "applications/{}/archive/"),
    ("renovation:archive_pdf", "applications/{}/archive.pdf"),
]:
    register_page(
        PageScopeCase(
            name=name,
            make=_app(S.SUBMITTED),
            url=_page_url(path),
        )
    )
register_page(
    PageScopeCase(
        name="renovation:programme", make=_programme, url=lambda p: f"/renovation/programmes/{p.public_id}/"
    )
)


def _apply_form(cast: Any, region: Any) -> dict[str, Any]:
    body = _create_body(cast, region)
    return {**body, "housing_right": "1", "op": "submit"}


register_page_post(
    PagePostCase(
        name="renovation:apply",
        make=lambda c, r: r,
        url=lambda r: "/renovation/apply/",
        data=lambda c, r: _apply_form(c, c.community_a1),
        outsider_status=None,
        own=("county_admin_a", (302,)),
    )
)
register_page_post(
    PagePostCase(
        name="renovation:detail",
        make=_app(S.SUBMITTED),
        url=lambda a: f"/renovation/applications/{a.public_id}/",
        data=lambda c, a: {"op": "review", "note": "通过"},
        own=("street_worker_a1", (302,)),
    )
)
register_page_post(
    PagePostCase(
        name="renovation:programme",
        make=_programme,
        url=lambda p: f"/renovation/programmes/{p.public_id}/",
        data=lambda c, p: {"op": "quota", "county": c.county_a.code, "households": "3"},
        own=("county_admin_a", (302,)),
    )
)
