from yiyang.core.testing import PAGE_CASES, ApiScopeCase, PageScopeCase, register_api, register_page
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


# --- Write paths (issue 9 item 2) -------------------------------------------------------------------------

from datetime import date  # noqa: E402

from yiyang.core.testing import ActionCase, PagePostCase, register_action, register_page_post  # noqa: E402

register_action(
    ActionCase(route="provider-staff", method="get", make=lambda cast, region: make_provider(region))
)

_FACILITY = {
    "name": "文昌日间照料中心",
    "address": "文昌中路 5 号",
    "area_m2": "300",
    "beds_ordinary": "0",
    "beds_nursing": "0",
    "beds_dementia": "0",
}
_CERT = {"name": "养老护理员", "level": "四级", "number": "ZS-1", "valid_until": "2099-01-01"}
_FORMS = "forms with many required fields: their success is covered in providers/tests/test_pages.py"


def _org_form(cast, org):
    code = cast.county_a.code
    return {
        "name": "文昌居家服务中心",
        "uscc": uscc(77777),
        "org_type": "station",
        "region": code,
        "regions_served": [code],
        "is_active": "on",
    }


def _staff_form(cast, obj):
    from yiyang.elders.tests.factories import id_number

    return {
        "name": "新护理员",
        "id_number": id_number(),
        "employment_status": "active",
        "work_start": "08:00",
        "work_end": "18:00",
        "work_days": ["1", "2", "3"],
        "max_daily_orders": "8",
    }


_scoped = {
    "providers:org_edit": (lambda c, o: {**_org_form(c, o), "uscc": o.uscc}, True),
    "providers:facility_create": (lambda c, o: _FACILITY, True),
    "providers:facility_edit": (lambda c, o: _FACILITY, True),
    "providers:contract_create": (lambda c, o: {"number": "HT-9"}, False),
    "providers:contract_edit": (lambda c, o: {"number": "HT-9"}, False),
    "providers:staff_create": (_staff_form, True),
    "providers:staff_edit": (_staff_form, True),
    "providers:certificate_create": (lambda c, o: _CERT, True),
    "providers:certificate_edit": (lambda c, o: _CERT, True),
    "providers:certificate_delete": (lambda c, o: {}, True),
}
for _name, (_data, _own) in _scoped.items():
    _page = PAGE_CASES[_name]
    register_page_post(
        PagePostCase(
            name=_name,
            make=_page.make,
            url=_page.url,
            data=_data,
            own=("county_admin_a", (302,)) if _own else None,
            note="" if _own else _FORMS,
        )
    )

register_page_post(
    PagePostCase(
        name="providers:org_create",
        make=lambda c, r: None,
        url=lambda o: "/services/manage/providers/new/",
        data=_org_form,
        # County B's admin names a region of county A: refused by the form's choices, nothing stored.
        outsider_status=None,
        own=("county_admin_a", (302,)),
    )
)


# The catalog (items, subsidy rules, quotas) is city-wide: no county to cross; who may change it.
def _item(cast, region):
    from yiyang.orders.tests.factories import make_item

    return make_item()


def _rule(cast, region):
    from yiyang.providers.models import SubsidyRule

    return SubsidyRule.objects.create(category="low_income", government_bp=8000, valid_from=date(2026, 1, 1))


def _quota(cast, region):
    from yiyang.providers.models import MonthlyQuota

    return MonthlyQuota.objects.create(
        category="low_income", services_per_month=4, valid_from=date(2026, 1, 1)
    )


_OK = ("city_admin", (302,))  # the catalog is the city's (decision 0006)


def _rule_form(cast, obj):
    return {"category": "dibao", "percent": "80", "valid_from": "2027-01-01"}


def _quota_form(cast, obj):
    return {"category": "dibao", "services_per_month": "6", "valid_from": "2027-01-01"}


for _name, _make, _url, _data, _ok in [
    ("providers:item_create", _item, lambda o: "/services/manage/catalog/items/new/", lambda c, o: {}, None),
    (
        "providers:item_edit",
        _item,
        lambda o: f"/services/manage/catalog/items/{o.public_id}/edit/",
        lambda c, o: {},
        None,
    ),
    (
        "providers:item_active",
        _item,
        lambda o: f"/services/manage/catalog/items/{o.public_id}/active/",
        lambda c, o: {"active": "0"},
        _OK,
    ),
    (
        "providers:rule_create",
        _rule,
        lambda o: "/services/manage/catalog/subsidy/new/",
        _rule_form,
        _OK,
    ),
    (
        "providers:rule_edit",
        _rule,
        lambda o: f"/services/manage/catalog/subsidy/{o.pk}/edit/",
        _rule_form,
        _OK,
    ),
    (
        "providers:quota_create",
        _quota,
        lambda o: "/services/manage/catalog/quotas/new/",
        _quota_form,
        _OK,
    ),
    (
        "providers:quota_edit",
        _quota,
        lambda o: f"/services/manage/catalog/quotas/{o.pk}/edit/",
        _quota_form,
        _OK,
    ),
]:
    register_page_post(
        PagePostCase(
            name=_name,
            make=_make,
            url=_url,
            data=_data,
            scoped=False,
            own=_ok,
            note=_FORMS if not _ok else "",
        )
    )


# County prices (ServicePriceOverride): rows of one county, set and cleared only by that county.
def _override(cast, region):
    from yiyang.orders.tests.factories import make_item
    from yiyang.providers.models import ServicePriceOverride
    from yiyang.regions.scope import county_code

    item = make_item()
    item.county_price_allowed = True
    item.save(update_fields=["county_price_allowed"])
    return ServicePriceOverride.objects.create(
        service_item=item, region_code=county_code(region.code), price_fen=2500
    )


def _override_body(cast, region):
    from yiyang.orders.tests.factories import make_item
    from yiyang.regions.scope import county_code

    item = make_item()
    item.county_price_allowed = True
    item.save(update_fields=["county_price_allowed"])
    return {"service_item": str(item.public_id), "county": county_code(region.code), "price_fen": 3000}


def _override_count():
    from yiyang.providers.models import ServicePriceOverride

    return ServicePriceOverride.objects.count()


register_api(
    ApiScopeCase(basename="price-override", make=_override, create=_override_body, count=_override_count)
)
register_action(
    ActionCase(route="price-override-detail", method="delete", make=_override, own=("county_admin_a", 204))
)
register_page_post(
    PagePostCase(
        name="providers:county_prices",
        make=_override,
        url=lambda o: "/services/manage/catalog/prices/",
        data=lambda c, o: {
            "county": o.region_code,
            "item": str(o.service_item.public_id),
            "price": "30.00",
            "op": "set",
        },
        # No object in the URL: county B's admin naming county A's code gets 404, nothing changes.
        outsider_status=None,
        own=("county_admin_a", (302,)),
    )
)
