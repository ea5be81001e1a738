from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.elders.models import Elder
from yiyang.elders.tests.factories import id_number, make_elder


def _create(cast, region):
    return {
        "name": "范例",
        "id_number": id_number(),
        "phone": "13900001111",
        "region_code": region.code,
        "address": "文昌中路 1 号",
    }


register_api(
    ApiScopeCase(basename="elder", make=make_elder, create=_create, count=lambda: Elder.objects.count())
)
register_page(PageScopeCase(name="elders:detail", make=make_elder, url=lambda e: f"/elders/{e.public_id}/"))
register_page(
    PageScopeCase(name="elders:edit", make=make_elder, url=lambda e: f"/elders/{e.public_id}/edit/")
)
register_page(
    PageScopeCase(name="elders:print", make=make_elder, url=lambda e: f"/elders/{e.public_id}/print/")
)
register_page(
    PageScopeCase(name="elders:status", make=make_elder, url=lambda e: f"/elders/{e.public_id}/status/")
)
register_page(
    PageScopeCase(name="elders:reveal", make=make_elder, url=lambda e: f"/elders/{e.public_id}/reveal/phone/")
)
register_page(
    PageScopeCase(name="elders:tab", make=make_elder, url=lambda e: f"/elders/{e.public_id}/tab/contacts/")
)


def _job(cast, region):
    from yiyang.elders.models import ImportJob

    county = region.parent.parent
    admin = cast.county_admin_a if county.code.startswith("321002") else cast.county_admin_b
    return ImportJob.objects.create(created_by=admin, region=county, filename="名册.xlsx")


register_page(
    PageScopeCase(name="elders:import_job", make=_job, url=lambda j: f"/elders/import/{j.public_id}/")
)
register_page(
    PageScopeCase(
        name="elders:import_report", make=_job, url=lambda j: f"/elders/import/{j.public_id}/report.xlsx"
    )
)


# --- Write paths (issue 9 item 2) -------------------------------------------------------------------------

from datetime import date  # noqa: E402

from yiyang.core.testing import (  # noqa: E402
    ActionCase,
    FilterCase,
    PagePostCase,
    register_action,
    register_filter,
    register_page_post,
)
from yiyang.elders.tests.factories import phone  # noqa: E402

_B_ID = id_number("321003", date(1940, 1, 1), 7)


def _elder_b(cast, region):
    """County B's row for the filter tests carries values every filter can match."""
    if region.code.startswith("321003"):
        return make_elder(cast, region, name="邗江筛选老人", id_number=_B_ID, phone="13900009876")
    return make_elder(cast, region)


register_action(
    ActionCase(
        route="elder-detail", method="patch", make=make_elder, body=lambda c, e: {"address": "文昌中路 9 号"}
    )
)
register_action(ActionCase(route="elder-reveal", make=make_elder, body=lambda c, e: {"field": "phone"}))
register_action(
    ActionCase(
        route="elder-status", make=make_elder, body=lambda c, e: {"status": "moved_out", "reason": "迁往外地"}
    )
)

for _param, _value in [
    ("q", lambda c, e: e.name),
    ("id_number", lambda c, e: _B_ID),
    ("phone_tail", lambda c, e: "9876"),
    ("category", lambda c, e: "advanced_age"),
    ("living_situation", lambda c, e: e.living_situation),
    ("age_min", lambda c, e: "1"),
    ("age_max", lambda c, e: "150"),
    ("capability_level", lambda c, e: "0"),
    ("region", lambda c, e: c.county_b.code[:6]),
    ("status", lambda c, e: e.status),
    ("ordering", lambda c, e: "name"),
]:
    register_filter(FilterCase(basename="elder", param=_param, value=_value))


def _form(cast, elder):
    return {
        "name": "范例老人",
        "id_number": id_number(),
        "phone": phone(),
        "region_code": cast.community_a1.code,
        "address": "文昌中路 1 号",
        "living_situation": "alone",
    }


def _csv(cast, obj):
    body = f"姓名,身份证号,联系电话,所属社区代码,居住地址\n导入老人,{id_number()},{phone()},{cast.community_a1.code},某路 1 号\n"
    return {"file": ("名册.csv", body.encode(), "text/csv"), "mode": "good-rows"}


for _post in [
    # List-level forms: county B's admin names county A's community (refused by the form's choices).
    PagePostCase(
        name="elders:create", make=make_elder, url=lambda e: "/elders/new/", data=_form, outsider_status=None
    ),
    # The list's search form posts (so an ID number never reaches the URL): it answers with a token.
    PagePostCase(
        name="elders:list",
        make=make_elder,
        url=lambda e: "/elders/",
        data=lambda c, e: {"id_number": id_number()},
        outsider_status=None,
        own=("county_admin_a", (302,)),
        changes=False,
    ),
    PagePostCase(
        name="elders:validate_id",
        make=make_elder,
        url=lambda e: "/elders/validate-id/",
        data=lambda c, e: {"id_number": id_number()},
        outsider_status=None,
        own=("county_admin_a", (200,)),
        changes=False,
    ),
    PagePostCase(
        name="elders:import",
        make=make_elder,
        url=lambda e: "/elders/import/",
        data=_csv,
        outsider="",
        note="county B's import runs as a job of county B (a change of its own); rows naming county A's "
        "community are refused row by row (elders/tests/test_import_export.py)",
    ),
    PagePostCase(
        name="elders:edit",
        make=make_elder,
        url=lambda e: f"/elders/{e.public_id}/edit/",
        data=lambda c, e: {**_form(c, e), "id_number": ""},
    ),
    PagePostCase(
        name="elders:status",
        make=make_elder,
        url=lambda e: f"/elders/{e.public_id}/status/",
        data=lambda c, e: {"status": "moved_out", "date": date.today().isoformat(), "reason": "迁往外地"},
    ),
    PagePostCase(name="elders:reveal", make=make_elder, url=lambda e: f"/elders/{e.public_id}/reveal/phone/"),
]:
    register_page_post(_post)
