"""Editing pages of providers and the catalog: form validation shown inline, region scope, permissions,
audit in the same transaction, encrypted staff ID kept on edit, expiry markers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.accounts.services import user_create
from yiyang.audit.models import AuditEvent
from yiyang.core.identifiers import uscc_check_char
from yiyang.core.pii import decrypt
from yiyang.orders.tests.factories import make_item, make_provider, make_staff, uscc
from yiyang.providers.models import (
    Certificate,
    Contract,
    Facility,
    MonthlyQuota,
    Organisation,
    ServiceItem,
    Staff,
    SubsidyRule,
)
from yiyang.providers.services import staff_create
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db

ID_OK = "11010519491231002X"
ID_BAD = "110105194912310021"  # wrong check digit
BASE = "/services/manage"


def login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def provider_admin(org: Organisation, region: Any) -> Any:
    user = user_create(
        username=f"padmin{org.pk}", password="Pw-2026-provider!", grants=[("provider_admin", region.code)]
    )
    org.admins.add(user)
    return user


def events(name: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=name))


# ---------------------------------------------------------------- organisations


def org_post(cast: Any, **over: Any) -> dict[str, Any]:
    return {
        "name": "文昌颐养服务中心",
        "uscc": uscc(424242),
        "org_type": "station",
        "region": cast.street_a1.code,
        "regions_served": [cast.street_a1.code],
        "grade": "3",
        "phone": "0514-87654321",
        "address": "文昌中路 1 号",
    } | over


def test_bad_uscc_is_shown_inline_and_nothing_is_lost(cast: Any) -> None:
    c = login(cast.county_admin_a)
    r = c.post(f"{BASE}/providers/new/", org_post(cast, uscc="91321000MA1W2K3L99"))
    assert r.status_code == 400
    html = r.content.decode()
    assert "统一社会信用代码：统一社会信用代码校验码不正确" in html
    assert "文昌颐养服务中心" in html and "文昌中路 1 号" in html  # the rest of the input is kept
    assert not Organisation.objects.exists()
    assert not events("providers.organisation_create")


def test_letter_prefixed_uscc_is_accepted_and_audited(cast: Any) -> None:
    first17 = "N1321002000000123"
    code = first17 + uscc_check_char(first17)
    r = login(cast.county_admin_a).post(f"{BASE}/providers/new/", org_post(cast, uscc=code.lower()))
    assert r.status_code == 302
    org = Organisation.objects.get()
    assert org.uscc == code and org.region_id == cast.street_a1.code
    assert [x.code for x in org.regions_served.all()] == [cast.street_a1.code]
    (ev,) = events("providers.organisation_create")
    assert ev.object_id == str(org.public_id) and ev.region_id == cast.street_a1.code


def test_regions_are_chosen_within_scope(cast: Any) -> None:
    c = login(cast.county_admin_a)
    page = c.get(f"{BASE}/providers/new/").content.decode()
    assert cast.street_a1.name in page and cast.street_b1.name not in page
    r = c.post(f"{BASE}/providers/new/", org_post(cast, region=cast.street_b1.code))
    assert r.status_code == 400 and "登记所在地" in r.content.decode()
    r = c.post(f"{BASE}/providers/new/", org_post(cast, regions_served=[cast.county_b.code]))
    assert r.status_code == 400 and "服务区域" in r.content.decode()
    assert not Organisation.objects.exists()


def test_edit_keeps_regions_served_outside_scope_and_audits(cast: Any) -> None:
    org = make_provider(cast.street_a1)
    org.regions_served.set([cast.street_a1, cast.county_b])
    c = login(cast.county_admin_a)
    form = c.get(f"{BASE}/providers/{org.public_id}/edit/")
    assert form.status_code == 200 and org.uscc in form.content.decode()
    r = c.post(
        f"{BASE}/providers/{org.public_id}/edit/",
        org_post(
            cast, uscc=org.uscc, name="改名后的机构", regions_served=[cast.county_a.code], is_active="on"
        ),
    )
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.name == "改名后的机构"
    assert {x.code for x in org.regions_served.all()} == {cast.county_a.code, cast.county_b.code}
    (ev,) = events("providers.organisation_update")
    assert set(ev.data["fields"]) >= {"name", "regions_served"}


def test_duplicate_uscc_on_edit_names_the_field(cast: Any) -> None:
    one, two = make_provider(cast.street_a1), make_provider(cast.street_a1)
    r = login(cast.county_admin_a).post(
        f"{BASE}/providers/{two.public_id}/edit/", org_post(cast, uscc=one.uscc, is_active="on")
    )
    assert r.status_code == 400 and "已登记" in r.content.decode()
    two.refresh_from_db()
    assert two.uscc != one.uscc


def test_provider_admin_cannot_register_or_edit_organisations(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    c = login(provider_admin(org, cast.county_a))
    assert c.get(f"{BASE}/providers/new/").status_code == 403
    assert c.get(f"{BASE}/providers/{org.public_id}/edit/").status_code == 403
    detail = c.get(f"/services/providers/{org.public_id}/").content.decode()
    assert "编辑机构信息" not in detail and "新建合同" not in detail
    assert "登记服务人员" in detail and "新增设施" in detail


def test_read_only_roles_see_no_edit_buttons(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    make_staff(org)
    r = login(cast.street_worker_a1).get(f"/services/providers/{org.public_id}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/services/manage/" not in html
    assert login(cast.street_worker_a1).get(f"{BASE}/providers/{org.public_id}/staff/new/").status_code == 403


# ---------------------------------------------------------------- facilities


def test_facility_create_and_edit(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    c = login(cast.county_admin_a)
    body = {
        "name": "文昌日间照料中心",
        "address": "文昌路 2 号",
        "lng": "119.42",
        "lat": "",
        "area_m2": "300",
        "beds_ordinary": "10",
        "beds_nursing": "4",
        "beds_dementia": "0",
    }
    r = c.post(f"{BASE}/providers/{org.public_id}/facilities/new/", body)
    assert r.status_code == 400 and "经度和纬度需同时填写" in r.content.decode()
    r = c.post(f"{BASE}/providers/{org.public_id}/facilities/new/", body | {"lat": "32.39"})
    assert r.status_code == 302
    f = Facility.objects.get()
    assert (f.beds_ordinary, f.beds_nursing, f.area_m2) == (10, 4, 300)
    r = c.post(f"{BASE}/facilities/{f.public_id}/edit/", body | {"lat": "32.39", "beds_nursing": "6"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.beds_nursing == 6
    assert len(events("providers.facility_create")) == 1
    assert events("providers.facility_update")[0].data == {"fields": ["beds_nursing"]}


def test_provider_admin_manages_own_facilities_only(cast: Any) -> None:
    mine, other = make_provider(cast.community_a1), make_provider(cast.community_a1)
    c = login(provider_admin(mine, cast.county_a))
    assert c.get(f"{BASE}/providers/{mine.public_id}/facilities/new/").status_code == 200
    assert c.get(f"{BASE}/providers/{other.public_id}/facilities/new/").status_code == 404


# ---------------------------------------------------------------- contracts


def contract_body(**over: Any) -> dict[str, Any]:
    return {"number": "GL-2026-001", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "note": ""} | over


def test_contract_bad_period_is_refused_with_prices_kept(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    item = make_item()
    r = login(cast.county_admin_a).post(
        f"{BASE}/providers/{org.public_id}/contracts/new/",
        contract_body(valid_to="2025-12-31") | {f"price_{item.pk}": "45.50"},
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "截止日期：截止日期不能早于起始日期" in html
    assert 'value="45.50"' in html and "GL-2026-001" in html
    assert not Contract.objects.exists()


def test_contract_prices_entered_in_yuan_are_stored_in_fen(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    a, b = make_item(), make_item()
    c = login(cast.county_admin_a)
    r = c.post(f"{BASE}/providers/{org.public_id}/contracts/new/", contract_body())
    assert r.status_code == 400 and "至少为一个服务项目填写合同单价" in r.content.decode()
    r = c.post(
        f"{BASE}/providers/{org.public_id}/contracts/new/", contract_body() | {f"price_{a.pk}": "45.5"}
    )
    assert r.status_code == 302
    contract = Contract.objects.get()
    assert [(i.service_item_id, i.price_fen) for i in contract.items.all()] == [(a.pk, 4550)]
    r = c.post(
        f"{BASE}/providers/{org.public_id}/contracts/new/", contract_body() | {f"price_{a.pk}": "1.234"}
    )
    assert r.status_code == 400  # at most two decimals
    # Edit: drop a, add b at 30 元.
    page = c.get(f"{BASE}/contracts/{contract.public_id}/edit/").content.decode()
    assert 'value="45.50"' in page
    r = c.post(f"{BASE}/contracts/{contract.public_id}/edit/", contract_body() | {f"price_{b.pk}": "30"})
    assert r.status_code == 302
    assert [(i.service_item_id, i.price_fen) for i in contract.items.all()] == [(b.pk, 3000)]
    assert len(events("providers.contract_create")) == 1
    assert events("providers.contract_update")[0].data["items"] == {b.code: 3000}


def test_provider_admin_cannot_edit_contracts(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    contract = Contract.objects.create(
        organisation=org, number="X", valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
    )
    c = login(provider_admin(org, cast.county_a))
    assert c.get(f"{BASE}/contracts/{contract.public_id}/edit/").status_code == 403


# ---------------------------------------------------------------- staff and certificates


def staff_body(**over: Any) -> dict[str, Any]:
    return {
        "name": "李桂芳",
        "id_number": ID_OK,
        "phone": "13912345678",
        "skills": ["cleaning", "bathing"],
        "employment_status": "active",
        "work_start": "08:00",
        "work_end": "17:30",
        "work_days": ["1", "2", "3", "4", "5"],
        "max_daily_orders": "6",
        "liability_insurance_until": "2027-06-30",
        "home_lng": "",
        "home_lat": "",
    } | over


def test_staff_bad_id_is_shown_inline_and_nothing_saved(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    r = login(cast.county_admin_a).post(
        f"{BASE}/providers/{org.public_id}/staff/new/", staff_body(id_number=ID_BAD)
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "身份证号：身份证号码校验码不正确" in html
    assert "李桂芳" in html and 'value="cleaning" ' in html and "checked" in html
    assert not Staff.objects.exists()


def test_staff_create_encrypts_and_masks(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    c = login(cast.county_admin_a)
    r = c.post(f"{BASE}/providers/{org.public_id}/staff/new/", staff_body())
    assert r.status_code == 302
    s = Staff.objects.get()
    assert decrypt(s.id_number_enc) == ID_OK and s.id_number_masked == "110105********002X"
    assert s.skills == ["cleaning", "bathing"] and s.work_days == "12345" and s.max_daily_orders == 6
    assert ID_OK not in c.get(r["Location"]).content.decode()
    assert ID_OK not in str(events("providers.staff_create")[0].data)
    r = c.post(f"{BASE}/providers/{org.public_id}/staff/new/", staff_body(name="重复"))
    assert r.status_code == 400 and "已登记该身份证号" in r.content.decode()


def test_staff_edit_without_id_keeps_the_encrypted_number(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    s = staff_create(actor=SYSTEM, organisation=org, name="王秀兰", id_number=ID_OK, phone="13812345678")
    enc, digest, phone_enc = s.id_number_enc, s.id_number_hash, s.phone_enc
    c = login(cast.county_admin_a)
    page = c.get(f"{BASE}/staff/{s.public_id}/edit/").content.decode()
    assert ID_OK not in page and "110105********002X" in page and "138****5678" in page
    r = c.post(
        f"{BASE}/staff/{s.public_id}/edit/", staff_body(id_number="", phone="", employment_status="on_leave")
    )
    assert r.status_code == 302
    s.refresh_from_db()
    assert (s.id_number_enc, s.id_number_hash, s.phone_enc) == (enc, digest, phone_enc)
    assert decrypt(s.id_number_enc) == ID_OK and s.employment_status == "on_leave"
    (ev,) = events("providers.staff_update")
    assert "id_number" not in ev.data["fields"] and "employment_status" in ev.data["fields"]
    # A bad new number is refused and the old one stays.
    r = c.post(f"{BASE}/staff/{s.public_id}/edit/", staff_body(id_number=ID_BAD))
    assert r.status_code == 400 and ID_BAD not in r.content.decode()
    s.refresh_from_db()
    assert s.id_number_hash == digest


def test_staff_work_hours_validated(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    r = login(cast.county_admin_a).post(
        f"{BASE}/providers/{org.public_id}/staff/new/",
        staff_body(work_start="18:00", work_end="08:00", work_days=[]),
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert "下班时间须晚于上班时间" in html and "工作日：" in html


def test_provider_admin_edits_own_staff_only(cast: Any) -> None:
    mine, other = make_provider(cast.community_a1), make_provider(cast.community_a1)
    theirs = make_staff(other)
    ours = make_staff(mine)
    c = login(provider_admin(mine, cast.county_a))
    assert c.get(f"{BASE}/staff/{ours.public_id}/edit/").status_code == 200
    assert c.get(f"{BASE}/staff/{theirs.public_id}/edit/").status_code == 404
    cert = theirs.certificates.get()
    assert c.post(f"{BASE}/staff/{theirs.public_id}/certificates/{cert.pk}/delete/").status_code == 404
    # A certificate id of another person's record under my staff's URL is not found either.
    assert c.get(f"{BASE}/staff/{ours.public_id}/certificates/{cert.pk}/edit/").status_code == 404
    assert Certificate.objects.filter(pk=cert.pk).exists()


def test_certificates_add_edit_remove_with_audit(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    s = make_staff(org, certified=False)
    c = login(cast.county_admin_a)
    url = f"{BASE}/staff/{s.public_id}/certificates/new/"
    bad = {
        "name": "健康证",
        "level": "",
        "number": "",
        "valid_from": "2026-05-01",
        "valid_until": "2026-01-01",
    }
    r = c.post(url, bad)
    assert r.status_code == 400 and "有效期至：截止日期不能早于起始日期" in r.content.decode()
    assert c.post(url, bad | {"valid_until": "2027-05-01"}).status_code == 302
    cert = s.certificates.get()
    r = c.post(
        f"{BASE}/staff/{s.public_id}/certificates/{cert.pk}/edit/", bad | {"valid_until": "2028-05-01"}
    )
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.valid_until == date(2028, 5, 1)
    assert c.get(f"{BASE}/staff/{s.public_id}/certificates/{cert.pk}/delete/").status_code == 200
    assert c.post(f"{BASE}/staff/{s.public_id}/certificates/{cert.pk}/delete/").status_code == 302
    assert not s.certificates.exists()
    assert [len(events(f"providers.certificate_{x}")) for x in ("create", "update", "delete")] == [1, 1, 1]


def test_expiring_marker_on_provider_page(cast: Any) -> None:
    org = make_provider(cast.community_a1)
    soon, later = make_staff(org, certified=False), make_staff(org, certified=False)
    today = timezone.localdate()
    Certificate.objects.create(
        staff=soon, name="养老护理员", level="四级", valid_until=today + timedelta(days=30)
    )
    Certificate.objects.create(
        staff=later, name="养老护理员", level="三级", valid_until=today + timedelta(days=31)
    )
    html = login(cast.county_admin_a).get(f"/services/providers/{org.public_id}/").content.decode()
    assert html.count("· 即将到期") == 1
    assert f"{(today + timedelta(days=30)):%Y-%m-%d} · 即将到期" in html


# ---------------------------------------------------------------- catalog


def item_body(item: ServiceItem, **over: Any) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "category": item.category,
        "unit": item.unit,
        "standard_minutes": str(item.standard_minutes),
        "price": "60.00",
        "skills_required": list(item.skills_required),
        "description": "",
        "is_active": "on",
    } | over


def test_city_admin_edits_service_item_price_and_a_county_admin_may_not(cast: Any) -> None:
    item = make_item(price_fen=6000)
    county = login(cast.county_admin_a)
    assert county.get(f"{BASE}/catalog/items/{item.public_id}/edit/").status_code == 403
    assert (
        county.post(f"{BASE}/catalog/items/{item.public_id}/edit/", item_body(item, price="999")).status_code
        == 403
    )
    c = login(cast.city_admin)
    assert 'value="60.00"' in c.get(f"{BASE}/catalog/items/{item.public_id}/edit/").content.decode()
    r = c.post(f"{BASE}/catalog/items/{item.public_id}/edit/", item_body(item, price="-1"))
    assert r.status_code == 400 and "指导价（元）：" in r.content.decode()
    r = c.post(f"{BASE}/catalog/items/{item.public_id}/edit/", item_body(item, price="65.8"))
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.price_fen == 6580
    (ev,) = events("providers.service_item_update")
    assert ev.data["price_fen"] == {"from": 6000, "to": 6580} and ev.region_id == cast.city.code


def test_service_item_code_unique_and_deactivate_never_deletes(cast: Any) -> None:
    a, b = make_item(), make_item()
    c = login(cast.city_admin)
    r = c.post(f"{BASE}/catalog/items/{b.public_id}/edit/", item_body(b, code=a.code))
    assert r.status_code == 400 and "编码：该编码已被使用" in r.content.decode()
    r = c.post(f"{BASE}/catalog/items/new/", item_body(a, code="NEW1", name="新项目", price="12"))
    assert r.status_code == 302 and ServiceItem.objects.get(code="NEW1").price_fen == 1200
    assert c.post(f"{BASE}/catalog/items/{a.public_id}/active/", {"active": "0"}).status_code == 302
    a.refresh_from_db()
    assert a.is_active is False and ServiceItem.objects.filter(pk=a.pk).exists()
    assert len(events("providers.service_item_deactivate")) == 1


def test_catalog_management_is_for_county_and_city_admins_only(cast: Any) -> None:
    item = make_item()
    org = make_provider(cast.community_a1)
    for user in (provider_admin(org, cast.county_a), cast.street_worker_a1, cast.auditor):
        c = login(user)
        assert c.get(f"{BASE}/catalog/items/{item.public_id}/edit/").status_code == 403
        assert c.post(f"{BASE}/catalog/items/{item.public_id}/active/", {"active": "0"}).status_code == 403
        assert c.get(f"{BASE}/catalog/subsidy/new/").status_code == 403
    catalog = login(cast.street_worker_a1).get("/services/catalog/").content.decode()
    assert "/services/manage/" not in catalog
    item.refresh_from_db()
    assert item.is_active


def rule_body(**over: Any) -> dict[str, Any]:
    return {
        "category": "dibao",
        "service_category": "",
        "percent": "85.5",
        "valid_from": "2026-01-01",
        "valid_to": "",
        "basis": "示例文件",
    } | over


def test_subsidy_rule_percent_to_basis_points_and_validation(cast: Any) -> None:
    c = login(cast.city_admin)
    r = c.post(f"{BASE}/catalog/subsidy/new/", rule_body(percent="100.5"))
    assert r.status_code == 400 and "政府承担比例（%）：" in r.content.decode()
    r = c.post(f"{BASE}/catalog/subsidy/new/", rule_body(valid_to="2025-01-01"))
    assert r.status_code == 400 and "截止日期不能早于起始日期" in r.content.decode()
    assert c.post(f"{BASE}/catalog/subsidy/new/", rule_body()).status_code == 302
    rule = SubsidyRule.objects.get()
    assert rule.government_bp == 8550 and rule.valid_to is None
    r = c.post(f"{BASE}/catalog/subsidy/new/", rule_body(valid_from="2026-06-01"))
    assert r.status_code == 400 and "有效期重叠" in r.content.decode()
    # Versioning: end the old rule, then start the new one.
    r = c.post(f"{BASE}/catalog/subsidy/{rule.pk}/edit/", rule_body(valid_to="2026-05-31"))
    assert r.status_code == 302
    assert (
        c.post(f"{BASE}/catalog/subsidy/new/", rule_body(percent="90", valid_from="2026-06-01")).status_code
        == 302
    )
    assert sorted(SubsidyRule.objects.values_list("government_bp", flat=True)) == [8550, 9000]
    assert (
        len(events("providers.subsidy_rule_create")) == 2
        and len(events("providers.subsidy_rule_update")) == 1
    )


def test_monthly_quota_create_and_edit(cast: Any) -> None:
    c = login(cast.city_admin)
    body = {
        "category": "tekun_dispersed",
        "services_per_month": "8",
        "valid_from": "2026-01-01",
        "valid_to": "",
    }
    assert c.post(f"{BASE}/catalog/quotas/new/", body).status_code == 302
    quota = MonthlyQuota.objects.get()
    r = c.post(f"{BASE}/catalog/quotas/{quota.pk}/edit/", body | {"services_per_month": "-1"})
    assert r.status_code == 400 and "每月补贴服务次数：" in r.content.decode()
    assert (
        c.post(f"{BASE}/catalog/quotas/{quota.pk}/edit/", body | {"services_per_month": "10"}).status_code
        == 302
    )
    quota.refresh_from_db()
    assert quota.services_per_month == 10
    assert len(events("providers.quota_create")) == 1 and len(events("providers.quota_update")) == 1


def test_change_and_audit_share_a_transaction(cast: Any, monkeypatch: Any) -> None:
    """When the audit record cannot be written, the change is rolled back too (and vice versa)."""
    from yiyang.providers import services

    item = make_item(price_fen=6000)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        services.service_item_update(actor=cast.city_admin, item=item, price_fen=9900)
    item.refresh_from_db()
    assert item.price_fen == 6000
    monkeypatch.undo()
    # A write refused by a rule leaves neither the change nor an audit record.
    other = make_item()
    c = login(cast.city_admin)
    c.post(f"{BASE}/catalog/items/{other.public_id}/edit/", item_body(other, code=item.code, price="99"))
    other.refresh_from_db()
    assert other.price_fen == 6000 and not events("providers.service_item_update")
