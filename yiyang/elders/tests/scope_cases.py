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
