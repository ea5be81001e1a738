"""Service cases of providers and the catalog (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.core.errors import Forbidden
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.orders.tests.factories import make_item, make_provider, make_staff, uscc
from yiyang.providers import services as s
from yiyang.providers.models import Certificate, Contract, Facility, MonthlyQuota, SubsidyRule

M = "yiyang.providers.services"
ID = "11010519491231002X"


def city_admin(cast: Any) -> Any:
    from yiyang.accounts.services import user_create

    if "city_admin" not in cast.extra:
        cast.extra["city_admin"] = user_create(
            username="svc_city_admin",
            password=cast.password,
            display_name="市级管理员",
            grants=[("city_admin", cast.city.code)],
        )
    return cast.extra["city_admin"]


def _city(cast: Any, world: Any) -> Any:
    return city_admin(cast)


def _org(cast: Any) -> Any:
    return make_provider(cast.community_a1)


def _facility(cast: Any) -> Any:
    return Facility.objects.create(organisation=_org(cast), name="日间照料中心")


def _contract(cast: Any) -> Any:
    org = _org(cast)
    item = make_item()
    return s.contract_create(
        actor=cast.county_admin_a,
        organisation=org,
        number="HT-1",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        prices={item: 5000},
    ), item


def _staff(cast: Any) -> Any:
    return make_staff(_org(cast))


def _certificate(cast: Any) -> Any:
    return Certificate.objects.filter(staff=_staff(cast)).first()


def _allowed_item(cast: Any) -> Any:
    item = make_item()
    item.county_price_allowed = True
    item.save(update_fields=["county_price_allowed"])
    return item


def _rule(cast: Any) -> Any:
    return SubsidyRule.objects.create(category="dibao", government_bp=5000, valid_from=date(2026, 1, 1))


def _quota(cast: Any) -> Any:
    return MonthlyQuota.objects.create(category="dibao", services_per_month=4, valid_from=date(2026, 1, 1))


SERVICE_CASES = {
    f"{M}.organisation_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.organisation_create(
            actor=actor, name="新机构", uscc=uscc(990001), org_type="home_service", region=cast.community_a1
        ),
    ),
    f"{M}.organisation_update": ServiceCase(
        arrange=_org, act=lambda cast, w, actor: s.organisation_update(actor=actor, organisation=w, phone="1")
    ),
    f"{M}.facility_create": ServiceCase(
        arrange=_org, act=lambda cast, w, actor: s.facility_create(actor=actor, organisation=w, name="站点")
    ),
    f"{M}.facility_update": ServiceCase(
        arrange=_facility, act=lambda cast, w, actor: s.facility_update(actor=actor, facility=w, name="改名")
    ),
    f"{M}.contract_create": ServiceCase(
        arrange=lambda cast: (_org(cast), make_item()),
        act=lambda cast, w, actor: s.contract_create(
            actor=actor,
            organisation=w[0],
            number="HT-2",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
            prices={w[1]: 4000},
        ),
    ),
    f"{M}.contract_update": ServiceCase(
        arrange=_contract,
        act=lambda cast, w, actor: s.contract_update(
            actor=actor,
            contract=Contract.objects.get(pk=w[0].pk),
            number="HT-1",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
            prices={w[1]: 4500},
        ),
    ),
    f"{M}.staff_create": ServiceCase(
        arrange=_org, act=lambda cast, w, actor: s.staff_create(actor=actor, organisation=w, name="新护理员")
    ),
    f"{M}.staff_update": ServiceCase(
        arrange=_staff, act=lambda cast, w, actor: s.staff_update(actor=actor, staff=w, name="改名")
    ),
    f"{M}.certificate_create": ServiceCase(
        arrange=_staff,
        act=lambda cast, w, actor: s.certificate_create(
            actor=actor, staff=w, name="健康证", valid_until=date(2099, 1, 1)
        ),
    ),
    f"{M}.certificate_update": ServiceCase(
        arrange=_certificate,
        act=lambda cast, w, actor: s.certificate_update(actor=actor, certificate=w, level="三级"),
    ),
    f"{M}.certificate_delete": ServiceCase(
        arrange=_certificate, act=lambda cast, w, actor: s.certificate_delete(actor=actor, certificate=w)
    ),
    # The catalog is the city's: a county admin holds no ``providers.catalog`` (403).
    f"{M}.service_item_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.service_item_create(
            actor=actor, code="C-1", name="助浴", category="bathing", standard_minutes=60, price_fen=5000
        ),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.service_item_update": ServiceCase(
        arrange=lambda cast: make_item(),
        act=lambda cast, w, actor: s.service_item_update(actor=actor, item=w, price_fen=99900),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.service_item_set_active": ServiceCase(
        arrange=lambda cast: make_item(),
        act=lambda cast, w, actor: s.service_item_set_active(actor=actor, item=w, active=False),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.subsidy_rule_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.subsidy_rule_create(
            actor=actor, category="dibao_edge", government_bp=10000, valid_from=date(2026, 1, 1)
        ),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.subsidy_rule_update": ServiceCase(
        arrange=_rule,
        act=lambda cast, w, actor: s.subsidy_rule_update(actor=actor, rule=w, government_bp=6000),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.monthly_quota_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.monthly_quota_create(
            actor=actor, category="dibao_edge", services_per_month=8, valid_from=date(2026, 1, 1)
        ),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.monthly_quota_update": ServiceCase(
        arrange=_quota,
        act=lambda cast, w, actor: s.monthly_quota_update(actor=actor, quota=w, services_per_month=6),
        actor=_city,
        denied=Forbidden,
    ),
    f"{M}.service_price_override_set": ServiceCase(
        arrange=_allowed_item,
        act=lambda cast, w, actor: s.service_price_override_set(
            actor=actor, item=w, region=cast.county_a, price_fen=2500
        ),
    ),
}

NOT_WRITES = {
    f"{M}.catalog_region_code": "a setting",
    f"{M}.staff_id_index": "blind index of a value",
}
