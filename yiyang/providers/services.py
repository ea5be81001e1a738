"""Writes to providers and the catalog. Every write validates, saves and records an audit event in one
transaction. Errors are ``DomainError`` whose ``errors`` are keyed by the field names of the forms.

Organisations (USCC validated per GB 32100), facilities, contracts with their priced items, staff (ID
number encrypted, blind-indexed, masked; empty on update = keep), certificates, and the catalog as data:
service items (deactivated, never deleted), subsidy rules (basis points) and monthly quotas."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError, missing_reference
from yiyang.core.identifiers import (
    IdentifierError,
    mask_id_number,
    mask_phone,
    normalize_phone,
    parse_resident_id,
    validate_uscc,
)
from yiyang.core.pii import blind_index, encrypt
from yiyang.core.uniqueness import conflict_on_duplicate
from yiyang.providers.choices import EmploymentStatus, OrgType, ServiceCategory, Skill, Unit
from yiyang.providers.models import (
    Certificate,
    Contract,
    ContractItem,
    Facility,
    MonthlyQuota,
    Organisation,
    ServiceItem,
    ServicePriceOverride,
    Staff,
    SubsidyRule,
)
from yiyang.regions.models import Region
from yiyang.regions.scope import require_scope


def catalog_region_code() -> str:
    """The city whose catalog this deployment keeps (``YIYANG_CITY_CODE``): catalog rows are the city's,
    so their audit rows and their scope gate carry this code (decision 0006)."""
    from django.conf import settings

    return str(getattr(settings, "YIYANG_CITY_CODE", "321000000000"))


def _is_admin_of(actor: Any, organisation: Organisation) -> bool:
    return bool(
        getattr(actor, "is_authenticated", False)
        and organisation.pk is not None
        and organisation.admins.filter(pk=actor.pk).exists()
    )


def _org_gate(actor: Any, permission: str, organisation: Organisation) -> None:
    """The write gate for an organisation's rows: its registered region, or (own-scope roles) being
    one of its admins."""
    require_scope(actor, permission, organisation.region_id, own=_is_admin_of(actor, organisation))


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, code="validation_error", errors={field: [message]})


def _check_period(valid_from: date | None, valid_to: date | None, *, to_field: str = "valid_to") -> None:
    if valid_from and valid_to and valid_to < valid_from:
        raise _invalid(to_field, "截止日期不能早于起始日期")


def _apply(obj: Model, changes: Mapping[str, Any]) -> list[str]:
    """Set the attributes that differ; return their names (for the audit record, values left out)."""
    changed = []
    for key, value in changes.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed.append(key)
    return changed


# --------------------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------------------


def _clean_uscc(uscc: str) -> str:
    try:
        return validate_uscc(uscc)
    except IdentifierError as exc:
        raise _invalid("uscc", str(exc)) from exc


def _region_code(region: Region | str) -> str:
    return str(getattr(region, "code", region))


def _existing_regions(codes: Iterable[str], field: str) -> None:
    codes = set(codes)
    found = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = sorted(codes - found)
    if missing:
        raise missing_reference(field, f"区划 {missing[0]} 不存在")


def organisation_create(
    *,
    actor: Any,
    name: str,
    uscc: str,
    org_type: str,
    region: Region | str,
    regions_served: list[Region | str] | None = None,
    grade: str = "",
    phone: str = "",
    address: str = "",
) -> Organisation:
    code = _clean_uscc(uscc)
    if org_type not in OrgType.values:
        raise _invalid("org_type", "机构类型无效")
    served: list[Any] = [_region_code(r) for r in (regions_served or [region])]  # primary keys
    _existing_regions([_region_code(region)], "region")
    _existing_regions(served, "regions_served")
    with transaction.atomic():
        # The registered region and every served region must be in the actor's scope.
        for code_ in {_region_code(region), *served}:
            require_scope(actor, "providers.register", code_)
        if Organisation.objects.filter(uscc=code).exists():
            raise Conflict(
                "该统一社会信用代码已登记", code="duplicate", errors={"uscc": ["该统一社会信用代码已登记"]}
            )
        org = Organisation.objects.create(
            name=name.strip(),
            uscc=code,
            org_type=org_type,
            region_id=_region_code(region),
            grade=grade,
            phone=phone,
            address=address,
        )
        org.regions_served.set(served)
        audit_record(
            actor=actor,
            region=org.region_id,
            event="providers.organisation_create",
            obj=org,
            data={"uscc": code},
        )
    return org


def organisation_update(
    *,
    actor: Any,
    organisation: Organisation,
    regions_served: Iterable[Region | str] | None = None,
    **changes: Any,
) -> Organisation:
    """Change the organisation's fields; ``regions_served`` (when given) replaces the served regions."""
    allowed = {"name", "uscc", "org_type", "region", "grade", "phone", "address", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if "uscc" in changes:
        changes["uscc"] = _clean_uscc(changes["uscc"])
    if "org_type" in changes and changes["org_type"] not in OrgType.values:
        raise _invalid("org_type", "机构类型无效")
    if "region" in changes:
        changes["region_id"] = _region_code(changes.pop("region"))
        _existing_regions([changes["region_id"]], "region")
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if not changes["name"]:
            raise _invalid("name", "机构名称不能为空")
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation.pk)
        require_scope(actor, "providers.register", org.region_id)
        if "region_id" in changes:
            require_scope(actor, "providers.register", changes["region_id"])
        if (
            "uscc" in changes
            and Organisation.objects.filter(uscc=changes["uscc"]).exclude(pk=org.pk).exists()
        ):
            raise Conflict(
                "该统一社会信用代码已登记", code="duplicate", errors={"uscc": ["该统一社会信用代码已登记"]}
            )
        changed = _apply(org, changes)
        if changed:
            org.save(update_fields=changed)
        if regions_served is not None:
            new = {_region_code(r) for r in regions_served}
            if not new:
                raise _invalid("regions_served", "服务区域至少选择一个")
            old = set(org.regions_served.values_list("code", flat=True))
            _existing_regions(new - old, "regions_served")
            # Served regions outside the actor's scope are kept as they are (the page does not show
            # them); adding or removing one needs scope over it.
            for code in new ^ old:
                require_scope(actor, "providers.register", code)
            if new != old:
                codes: list[Any] = sorted(new)  # primary keys
                org.regions_served.set(codes)
                changed.append("regions_served")
        if changed:
            audit_record(
                actor=actor,
                region=org.region_id,
                event="providers.organisation_update",
                obj=org,
                data={"fields": sorted(changed)},
            )
    return org


# --------------------------------------------------------------------------------------------------------
# Facilities
# --------------------------------------------------------------------------------------------------------

FACILITY_FIELDS = (
    "name",
    "address",
    "lat",
    "lng",
    "area_m2",
    "beds_ordinary",
    "beds_nursing",
    "beds_dementia",
)


def _check_facility(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(FACILITY_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if "name" in fields and not str(fields["name"]).strip():
        raise _invalid("name", "设施名称不能为空")
    if (fields.get("lat") is None) != (fields.get("lng") is None) and {"lat", "lng"} <= set(fields):
        raise _invalid("lng", "经度和纬度需同时填写或同时留空")
    for key in ("area_m2", "beds_ordinary", "beds_nursing", "beds_dementia"):
        if key in fields and (fields[key] is None or fields[key] < 0):
            raise _invalid(key, "不能为负数")


def facility_create(*, actor: Any, organisation: Organisation, **fields: Any) -> Facility:
    _check_facility(fields)
    with transaction.atomic():
        _org_gate(actor, "providers.manage", organisation)
        facility = Facility.objects.create(organisation=organisation, **fields)
        audit_record(
            actor=actor, region=organisation.region_id, event="providers.facility_create", obj=facility
        )
    return facility


def facility_update(*, actor: Any, facility: Facility, **fields: Any) -> Facility:
    _check_facility(fields)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().select_related("organisation").get(pk=facility.pk)
        _org_gate(actor, "providers.manage", facility.organisation)
        changed = _apply(facility, fields)
        if changed:
            facility.save(update_fields=changed)
            audit_record(
                actor=actor,
                region=facility.organisation.region_id,
                event="providers.facility_update",
                obj=facility,
                data={"fields": sorted(changed)},
            )
    return facility


# --------------------------------------------------------------------------------------------------------
# Contracts
# --------------------------------------------------------------------------------------------------------


def _check_contract(
    organisation: Organisation,
    number: str,
    valid_from: date,
    valid_to: date,
    prices: Mapping[ServiceItem, int],
    exclude: int | None = None,
) -> None:
    if not number.strip():
        raise _invalid("number", "合同编号不能为空")
    _check_period(valid_from, valid_to)
    if not prices:
        raise DomainError(
            "合同至少包含一个服务项目",
            code="validation_error",
            errors={"items": ["合同至少包含一个服务项目"]},
        )
    for item, fen in prices.items():
        if fen < 0:
            raise _invalid(f"price_{item.pk}", f"{item.name}的合同单价不能为负数")
    same = Contract.objects.filter(organisation=organisation, number=number.strip())
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Conflict(
            "本机构已有相同编号的合同", code="duplicate", errors={"number": ["本机构已有相同编号的合同"]}
        )


def contract_create(
    *,
    actor: Any,
    organisation: Organisation,
    number: str,
    valid_from: date,
    valid_to: date,
    prices: Mapping[ServiceItem, int],
    note: str = "",
) -> Contract:
    """``prices``: contracted price in fen per service item."""
    with transaction.atomic():
        require_scope(actor, "providers.register", organisation.region_id)
        _check_contract(organisation, number, valid_from, valid_to, prices)
        with conflict_on_duplicate("本机构已有相同编号的合同", "number"):
            contract = Contract.objects.create(
                organisation=organisation,
                number=number.strip(),
                valid_from=valid_from,
                valid_to=valid_to,
                note=note,
            )
        ContractItem.objects.bulk_create(
            [ContractItem(contract=contract, service_item=i, price_fen=f) for i, f in prices.items()]
        )
        audit_record(
            actor=actor,
            region=organisation.region_id,
            event="providers.contract_create",
            obj=contract,
            data={"items": {i.code: f for i, f in prices.items()}},
        )
    return contract


def contract_update(
    *,
    actor: Any,
    contract: Contract,
    number: str,
    valid_from: date,
    valid_to: date,
    prices: Mapping[ServiceItem, int],
    note: str = "",
) -> Contract:
    """Replace the contract's fields and its priced items (items left out are removed)."""
    with transaction.atomic():
        contract = Contract.objects.select_for_update().select_related("organisation").get(pk=contract.pk)
        require_scope(actor, "providers.register", contract.organisation.region_id)
        _check_contract(contract.organisation, number, valid_from, valid_to, prices, exclude=contract.pk)
        changed = _apply(
            contract, {"number": number.strip(), "valid_from": valid_from, "valid_to": valid_to, "note": note}
        )
        if changed:
            with conflict_on_duplicate("本机构已有相同编号的合同", "number"):
                contract.save(update_fields=changed)
        old = {ci.service_item_id: ci for ci in contract.items.all()}
        new = {i.pk: f for i, f in prices.items()}
        removed = [pk for pk in old if pk not in new]
        if removed:
            contract.items.filter(service_item_id__in=removed).delete()
            changed.append("items")
        for pk, fen in new.items():
            if pk not in old:
                ContractItem.objects.create(contract=contract, service_item_id=pk, price_fen=fen)
                changed.append("items")
            elif old[pk].price_fen != fen:
                old[pk].price_fen = fen
                old[pk].save(update_fields=["price_fen"])
                changed.append("items")
        if changed:
            audit_record(
                actor=actor,
                region=contract.organisation.region_id,
                event="providers.contract_update",
                obj=contract,
                data={"fields": sorted(set(changed)), "items": {i.code: f for i, f in prices.items()}},
            )
    return contract


# --------------------------------------------------------------------------------------------------------
# Staff and certificates
# --------------------------------------------------------------------------------------------------------

STAFF_FIELDS = (
    "name",
    "skills",
    "liability_insurance_until",
    "employment_status",
    "home_lat",
    "home_lng",
    "work_start",
    "work_end",
    "work_days",
    "max_daily_orders",
)


def staff_id_index(number: str) -> str:
    return blind_index(number, "staff_id_number")


def _set_id_number(staff: Staff, id_number: str) -> None:
    try:
        rid = parse_resident_id(id_number)
    except IdentifierError as exc:
        raise _invalid("id_number", str(exc)) from exc
    staff.id_number_enc = encrypt(rid.number)
    staff.id_number_hash = staff_id_index(rid.number)
    staff.id_number_masked = mask_id_number(rid.number)


def _set_phone(staff: Staff, phone: str) -> None:
    try:
        number = normalize_phone(phone)
    except IdentifierError as exc:
        raise _invalid("phone", str(exc)) from exc
    staff.phone_enc = encrypt(number)
    staff.phone_masked = mask_phone(number)


def _check_staff(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(STAFF_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if "name" in fields and not str(fields["name"]).strip():
        raise _invalid("name", "姓名不能为空")
    bad = [s for s in fields.get("skills") or [] if s not in Skill.values]
    if bad:
        raise _invalid("skills", "技能无效")
    if "employment_status" in fields and fields["employment_status"] not in EmploymentStatus.values:
        raise _invalid("employment_status", "在职状态无效")
    days = fields.get("work_days")
    if days is not None and (not days or any(d not in "1234567" for d in days)):
        raise _invalid("work_days", "工作日至少选择一天")
    start, end = fields.get("work_start"), fields.get("work_end")
    if start is not None and end is not None and end <= start:
        raise _invalid("work_end", "下班时间须晚于上班时间")


def _check_staff_duplicate(staff: Staff) -> None:
    if not staff.id_number_hash:
        return
    dup = Staff.objects.filter(organisation_id=staff.organisation_id, id_number_hash=staff.id_number_hash)
    if staff.pk:
        dup = dup.exclude(pk=staff.pk)
    if dup.exists():
        raise Conflict(
            "本机构已登记该身份证号的服务人员",
            code="duplicate",
            errors={"id_number": ["本机构已登记该身份证号的服务人员"]},
        )


def staff_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    id_number: str = "",
    phone: str = "",
    user: Any = None,
    skills: list[str] | None = None,
    liability_insurance_until: date | None = None,
    **fields: Any,
) -> Staff:
    _check_staff({"name": name, "skills": skills or [], **fields})
    staff = Staff(
        organisation=organisation,
        name=name.strip(),
        user=user,
        skills=list(skills or []),
        liability_insurance_until=liability_insurance_until,
        **fields,
    )
    if id_number:
        _set_id_number(staff, id_number)
    if phone:
        _set_phone(staff, phone)
    with transaction.atomic():
        _org_gate(actor, "providers.manage", organisation)
        _check_staff_duplicate(staff)
        with conflict_on_duplicate("本机构已登记该身份证号的服务人员", "id_number"):
            staff.save()
        audit_record(actor=actor, region=organisation.region_id, event="providers.staff_create", obj=staff)
    return staff


_PII_FIELD = {
    "id_number_enc": "id_number",
    "id_number_hash": "id_number",
    "id_number_masked": "id_number",
    "phone_enc": "phone",
    "phone_masked": "phone",
}


def staff_update(*, actor: Any, staff: Staff, id_number: str = "", phone: str = "", **fields: Any) -> Staff:
    """Change a staff member. An empty ``id_number`` or ``phone`` keeps the stored (encrypted) value."""
    _check_staff(fields)
    if "name" in fields:
        fields["name"] = fields["name"].strip()
    with transaction.atomic():
        staff = Staff.objects.select_for_update().select_related("organisation").get(pk=staff.pk)
        _org_gate(actor, "providers.manage", staff.organisation)
        changed = _apply(staff, fields)
        if id_number:
            before = staff.id_number_hash
            _set_id_number(staff, id_number)
            if staff.id_number_hash != before:
                _check_staff_duplicate(staff)
                changed += ["id_number_enc", "id_number_hash", "id_number_masked"]
        if phone:
            _set_phone(staff, phone)
            changed += ["phone_enc", "phone_masked"]
        if changed:
            with conflict_on_duplicate("本机构已登记该身份证号的服务人员", "id_number"):
                staff.save(update_fields=changed)
            audit_record(
                actor=actor,
                region=staff.organisation.region_id,
                event="providers.staff_update",
                obj=staff,
                data={"fields": sorted({_PII_FIELD.get(c, c) for c in changed})},
            )
    return staff


CERTIFICATE_FIELDS = ("name", "level", "number", "valid_from", "valid_until")


def _check_certificate(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(CERTIFICATE_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if "name" in fields and not str(fields["name"]).strip():
        raise _invalid("name", "证书名称不能为空")
    _check_period(fields.get("valid_from"), fields.get("valid_until"), to_field="valid_until")


def certificate_create(*, actor: Any, staff: Staff, **fields: Any) -> Certificate:
    _check_certificate(fields)
    with transaction.atomic():
        _org_gate(actor, "providers.manage", staff.organisation)
        cert = Certificate.objects.create(staff=staff, **fields)
        audit_record(
            actor=actor,
            region=staff.organisation.region_id,
            event="providers.certificate_create",
            obj=staff,
            data={"certificate": cert.pk, "name": cert.name, "valid_until": str(cert.valid_until)},
        )
    return cert


def certificate_update(*, actor: Any, certificate: Certificate, **fields: Any) -> Certificate:
    merged = {k: getattr(certificate, k) for k in CERTIFICATE_FIELDS} | fields
    _check_certificate(merged)
    with transaction.atomic():
        cert = (
            Certificate.objects.select_for_update()
            .select_related("staff__organisation")
            .get(pk=certificate.pk)
        )
        _org_gate(actor, "providers.manage", cert.staff.organisation)
        changed = _apply(cert, fields)
        if changed:
            cert.save(update_fields=changed)
            audit_record(
                actor=actor,
                region=cert.staff.organisation.region_id,
                event="providers.certificate_update",
                obj=cert.staff,
                data={"certificate": cert.pk, "fields": sorted(changed)},
            )
    return cert


def certificate_delete(*, actor: Any, certificate: Certificate) -> None:
    with transaction.atomic():
        staff = certificate.staff
        _org_gate(actor, "providers.manage", staff.organisation)
        audit_record(
            actor=actor,
            region=staff.organisation.region_id,
            event="providers.certificate_delete",
            obj=staff,
            data={"certificate": certificate.pk, "name": certificate.name},
        )
        certificate.delete()


# --------------------------------------------------------------------------------------------------------
# Catalog: service items, subsidy rules, monthly quotas: the city's data, edited only under
# ``providers.catalog`` over the city (city admins); audited with the city's code. A county sets its own
# price for an item, where the city allows it, as a separate override row (``service_price_override_set``).
# --------------------------------------------------------------------------------------------------------

SERVICE_ITEM_FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "standard_minutes",
    "price_fen",
    "skills_required",
    "description",
    "is_active",
    "county_price_allowed",
)


def _check_service_item(fields: Mapping[str, Any], exclude: int | None = None) -> None:
    unknown = set(fields) - set(SERVICE_ITEM_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    for key, label in (("code", "编码"), ("name", "名称")):
        if key in fields and not str(fields[key]).strip():
            raise _invalid(key, f"{label}不能为空")
    if "category" in fields and fields["category"] not in ServiceCategory.values:
        raise _invalid("category", "类别无效")
    if "unit" in fields and fields["unit"] not in Unit.values:
        raise _invalid("unit", "计量单位无效")
    if "standard_minutes" in fields and not 1 <= fields["standard_minutes"] <= 24 * 60:
        raise _invalid("standard_minutes", "标准时长应在 1–1440 分钟之间")
    if "price_fen" in fields and fields["price_fen"] < 0:
        raise _invalid("price_fen", "指导价不能为负数")
    if any(s not in Skill.values for s in fields.get("skills_required") or []):
        raise _invalid("skills_required", "技能无效")
    if "code" in fields:
        same = ServiceItem.objects.filter(code=fields["code"].strip())
        if exclude is not None:
            same = same.exclude(pk=exclude)
        if same.exists():
            raise Conflict("该编码已被使用", code="duplicate", errors={"code": ["该编码已被使用"]})


def service_item_create(*, actor: Any, **fields: Any) -> ServiceItem:
    fields["code"] = str(fields.get("code", "")).strip()
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        _check_service_item(fields)
        item = ServiceItem.objects.create(**fields)
        audit_record(
            actor=actor,
            region=catalog_region_code(),
            event="providers.service_item_create",
            obj=item,
            data={"code": item.code, "price_fen": item.price_fen},
        )
    return item


def service_item_update(*, actor: Any, item: ServiceItem, **fields: Any) -> ServiceItem:
    if "code" in fields:
        fields["code"] = str(fields["code"]).strip()
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        _check_service_item(fields, exclude=item.pk)
        old_price = item.price_fen
        changed = _apply(item, fields)
        if changed:
            item.save(update_fields=changed)
            data: dict[str, Any] = {"fields": sorted(changed)}
            if "price_fen" in changed:
                data["price_fen"] = {"from": old_price, "to": item.price_fen}
            audit_record(
                actor=actor,
                region=catalog_region_code(),
                event="providers.service_item_update",
                obj=item,
                data=data,
            )
    return item


def service_item_set_active(*, actor: Any, item: ServiceItem, active: bool) -> ServiceItem:
    """Deactivate (or re-activate) an item. Items are never deleted: orders and contracts refer to them."""
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if item.is_active != active:
            item.is_active = active
            item.save(update_fields=["is_active"])
            audit_record(
                actor=actor,
                region=catalog_region_code(),
                event="providers.service_item_activate" if active else "providers.service_item_deactivate",
                obj=item,
                data={"code": item.code},
            )
    return item


def _elder_categories() -> list[str]:
    from yiyang.elders.choices import Category

    return list(Category.values)


def _overlaps(qs: Any, valid_from: date, valid_to: date | None) -> bool:
    qs = qs.exclude(valid_to__lt=valid_from)
    if valid_to is not None:
        qs = qs.exclude(valid_from__gt=valid_to)
    return bool(qs.exists())


SUBSIDY_FIELDS = ("category", "service_category", "government_bp", "valid_from", "valid_to", "basis")


def _check_subsidy(fields: Mapping[str, Any], exclude: int | None = None) -> None:
    unknown = set(fields) - set(SUBSIDY_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if fields["category"] not in _elder_categories():
        raise _invalid("category", "老年人类别无效")
    if fields["service_category"] and fields["service_category"] not in ServiceCategory.values:
        raise _invalid("service_category", "服务类别无效")
    if not 0 <= fields["government_bp"] <= 10000:
        raise _invalid("government_bp", "政府承担比例应在 0%–100% 之间")
    _check_period(fields["valid_from"], fields["valid_to"])
    same = SubsidyRule.objects.filter(
        category=fields["category"], service_category=fields["service_category"]
    )
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if _overlaps(same, fields["valid_from"], fields["valid_to"]):
        raise Conflict(
            "同一类别与服务类别已有有效期重叠的规则",
            code="overlap",
            errors={"valid_from": ["同一老年人类别与服务类别已有有效期重叠的规则，请先调整原规则的截止日期"]},
        )


def subsidy_rule_create(*, actor: Any, **fields: Any) -> SubsidyRule:
    fields = {"service_category": "", "valid_to": None, "basis": "", **fields}
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        _check_subsidy(fields)
        rule = SubsidyRule.objects.create(**fields)
        audit_record(
            actor=actor,
            region=catalog_region_code(),
            event="providers.subsidy_rule_create",
            obj=rule,
            data={
                "category": rule.category,
                "service_category": rule.service_category,
                "government_bp": rule.government_bp,
            },
        )
    return rule


def subsidy_rule_update(*, actor: Any, rule: SubsidyRule, **fields: Any) -> SubsidyRule:
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        rule = SubsidyRule.objects.select_for_update().get(pk=rule.pk)
        _check_subsidy({k: getattr(rule, k) for k in SUBSIDY_FIELDS} | fields, exclude=rule.pk)
        old_bp = rule.government_bp
        changed = _apply(rule, fields)
        if changed:
            rule.save(update_fields=changed)
            audit_record(
                actor=actor,
                region=catalog_region_code(),
                event="providers.subsidy_rule_update",
                obj=rule,
                data={"fields": sorted(changed), "government_bp": {"from": old_bp, "to": rule.government_bp}},
            )
    return rule


QUOTA_FIELDS = ("category", "services_per_month", "valid_from", "valid_to")


def _check_quota(fields: Mapping[str, Any], exclude: int | None = None) -> None:
    unknown = set(fields) - set(QUOTA_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    if fields["category"] not in _elder_categories():
        raise _invalid("category", "老年人类别无效")
    if not 0 <= fields["services_per_month"] <= 1000:
        raise _invalid("services_per_month", "每月补贴服务次数应在 0–1000 之间")
    _check_period(fields["valid_from"], fields["valid_to"])
    same = MonthlyQuota.objects.filter(category=fields["category"])
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if _overlaps(same, fields["valid_from"], fields["valid_to"]):
        raise Conflict(
            "该类别已有有效期重叠的额度",
            code="overlap",
            errors={"valid_from": ["该老年人类别已有有效期重叠的额度，请先调整原额度的截止日期"]},
        )


def monthly_quota_create(*, actor: Any, **fields: Any) -> MonthlyQuota:
    fields = {"valid_to": None, **fields}
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        _check_quota(fields)
        quota = MonthlyQuota.objects.create(**fields)
        audit_record(
            actor=actor,
            region=catalog_region_code(),
            event="providers.quota_create",
            obj=quota,
            data={"category": quota.category, "services_per_month": quota.services_per_month},
        )
    return quota


def monthly_quota_update(*, actor: Any, quota: MonthlyQuota, **fields: Any) -> MonthlyQuota:
    with transaction.atomic():
        require_scope(actor, "providers.catalog", catalog_region_code())
        quota = MonthlyQuota.objects.select_for_update().get(pk=quota.pk)
        _check_quota({k: getattr(quota, k) for k in QUOTA_FIELDS} | fields, exclude=quota.pk)
        changed = _apply(quota, fields)
        if changed:
            quota.save(update_fields=changed)
            audit_record(
                actor=actor,
                region=catalog_region_code(),
                event="providers.quota_update",
                obj=quota,
                data={"fields": sorted(changed)},
            )
    return quota


def service_price_override_set(
    *, actor: Any, item: ServiceItem, region: Region | str, price_fen: int | None
) -> ServicePriceOverride | None:
    """A county's own price for a catalog item (``providers.price`` over that county), allowed only where
    the city marked the item ``county_price_allowed``. ``price_fen=None`` removes the override (the
    city's guide price applies again). The catalog row itself is never touched."""
    from yiyang.regions.scope import county_code

    code = county_code(_region_code(region))
    if not Region.objects.filter(code=code, level=Region.Level.COUNTY).exists():
        raise _invalid("region", "请选择区县")
    if price_fen is not None and price_fen < 0:
        raise _invalid("price_fen", "价格不能为负数")
    with transaction.atomic():
        require_scope(actor, "providers.price", code)
        item = ServiceItem.objects.select_for_update().get(pk=item.pk)
        if not item.county_price_allowed:
            raise Conflict(
                "市级未允许区县自定该服务项目的价格",
                code="not_allowed",
                errors={"price_fen": ["市级未允许区县自定该服务项目的价格"]},
            )
        row = ServicePriceOverride.objects.filter(service_item=item, region_code=code).first()
        old = row.price_fen if row else None
        if price_fen is None:
            if row is not None:
                row.delete()
            row = None
        elif row is None:
            row = ServicePriceOverride.objects.create(
                service_item=item, region_code=code, price_fen=price_fen
            )
        else:
            row.price_fen = price_fen
            row.save(update_fields=["price_fen", "updated_at"])
        audit_record(
            actor=actor,
            region=code,
            event="providers.price_override",
            obj=item,
            data={"code": item.code, "price_fen": {"from": old, "to": price_fen}},
        )
    return row
