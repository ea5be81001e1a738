"""Writes to providers: organisations (USCC validated), staff (ID encrypted, blind-indexed, masked)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError
from yiyang.core.identifiers import (
    IdentifierError,
    mask_id_number,
    mask_phone,
    normalize_phone,
    parse_resident_id,
    validate_uscc,
)
from yiyang.core.pii import blind_index, encrypt
from yiyang.providers.choices import OrgType
from yiyang.providers.models import Organisation, Staff
from yiyang.regions.models import Region


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
    try:
        code = validate_uscc(uscc)
    except IdentifierError as exc:
        raise DomainError(str(exc), code="validation_error", errors={"uscc": [str(exc)]}) from exc
    if org_type not in OrgType.values:
        raise DomainError("机构类型无效", code="validation_error", errors={"org_type": ["机构类型无效"]})
    with transaction.atomic():
        if Organisation.objects.filter(uscc=code).exists():
            raise Conflict("该统一社会信用代码已登记", code="duplicate")
        org = Organisation.objects.create(
            name=name.strip(),
            uscc=code,
            org_type=org_type,
            region_id=getattr(region, "code", region),
            grade=grade,
            phone=phone,
            address=address,
        )
        served: list[Any] = [r.code if isinstance(r, Region) else r for r in (regions_served or [region])]
        org.regions_served.set(served)
        audit_record(
            actor=actor,
            region=org.region_id,
            event="providers.organisation_create",
            obj=org,
            data={"uscc": code},
        )
    return org


def staff_id_index(number: str) -> str:
    return blind_index(number, "staff_id_number")


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
    staff = Staff(
        organisation=organisation,
        name=name.strip(),
        user=user,
        skills=list(skills or []),
        liability_insurance_until=liability_insurance_until,
        **fields,
    )
    if id_number:
        try:
            rid = parse_resident_id(id_number)
        except IdentifierError as exc:
            raise DomainError(str(exc), code="validation_error", errors={"id_number": [str(exc)]}) from exc
        staff.id_number_enc = encrypt(rid.number)
        staff.id_number_hash = staff_id_index(rid.number)
        staff.id_number_masked = mask_id_number(rid.number)
    if phone:
        try:
            number = normalize_phone(phone)
        except IdentifierError as exc:
            raise DomainError(str(exc), code="validation_error", errors={"phone": [str(exc)]}) from exc
        staff.phone_enc = encrypt(number)
        staff.phone_masked = mask_phone(number)
    with transaction.atomic():
        staff.save()
        audit_record(actor=actor, region=organisation.region_id, event="providers.staff_create", obj=staff)
    return staff
