from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.orders.tests.factories import make_provider, uscc
from yiyang.providers.models import Organisation


def _body(cast, region):
    return {"name": "新机构", "uscc": uscc(99999), "org_type": "station", "region": region.code}


register_api(
    ApiScopeCase(
        basename="provider",
        make=lambda cast, region: make_provider(region),
        create=_body,
        count=Organisation.objects.count,
    )
)


# Editing pages (yiyang/providers/views.py): every page with an id in its URL.


def _facility(cast, region):
    from yiyang.providers.models import Facility

    return Facility.objects.create(organisation=make_provider(region), name="设施", address="某路 1 号")


def _contract(cast, region):
    from datetime import date

    from yiyang.providers.models import Contract

    return Contract.objects.create(
        organisation=make_provider(region),
        number="HT-1",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )


def _staff(cast, region):
    from yiyang.orders.tests.factories import make_staff

    return make_staff(make_provider(region))


def _certificate(cast, region):
    return _staff(cast, region).certificates.first()


for _name, _make, _url in [
    (
        "providers:org_edit",
        lambda c, r: make_provider(r),
        lambda o: f"/services/manage/providers/{o.public_id}/edit/",
    ),
    (
        "providers:facility_create",
        lambda c, r: make_provider(r),
        lambda o: f"/services/manage/providers/{o.public_id}/facilities/new/",
    ),
    ("providers:facility_edit", _facility, lambda o: f"/services/manage/facilities/{o.public_id}/edit/"),
    (
        "providers:contract_create",
        lambda c, r: make_provider(r),
        lambda o: f"/services/manage/providers/{o.public_id}/contracts/new/",
    ),
    ("providers:contract_edit", _contract, lambda o: f"/services/manage/contracts/{o.public_id}/edit/"),
    (
        "providers:staff_create",
        lambda c, r: make_provider(r),
        lambda o: f"/services/manage/providers/{o.public_id}/staff/new/",
    ),
    ("providers:staff_edit", _staff, lambda o: f"/services/manage/staff/{o.public_id}/edit/"),
    (
        "providers:certificate_create",
        _staff,
        lambda o: f"/services/manage/staff/{o.public_id}/certificates/new/",
    ),
    (
        "providers:certificate_edit",
        _certificate,
        lambda o: f"/services/manage/staff/{o.staff.public_id}/certificates/{o.pk}/edit/",
    ),
    (
        "providers:certificate_delete",
        _certificate,
        lambda o: f"/services/manage/staff/{o.staff.public_id}/certificates/{o.pk}/delete/",
    ),
]:
    register_page(PageScopeCase(name=_name, make=_make, url=_url))
