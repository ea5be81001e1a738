"""Writes to the elder register. Every write is audited in its own transaction; other apps react to a
status change through the typed hook ``yiyang.core.hooks.elder_status_changed`` (subscribed in their
AppConfig.ready), emitted by the one service ``elder_change_status`` inside its transaction — no signals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.errors import Conflict, DomainError, Forbidden, missing_reference
from yiyang.core.hooks import ElderRegistered, ElderStatusChanged, elder_registered, elder_status_changed
from yiyang.core.identifiers import (
    IdentifierError,
    ResidentId,
    mask_address,
    mask_id_number,
    mask_phone,
    normalize_phone,
)
from yiyang.core.pii import decrypt, encrypt
from yiyang.core.regioncodes import normalize_region_code
from yiyang.core.statemachine import transition
from yiyang.elders.choices import Category, DisabilityCertificate, ElderStatus, Relation
from yiyang.elders.identity import (
    Warning_,
    check_id_number,
    id_number_index,
    phone_index,
    phone_tail_index,
)
from yiyang.elders.models import Elder, ElderCategory, ElderContact, ElderStatusChange
from yiyang.elders.transitions import ELDER_STATUS
from yiyang.regions.models import Region
from yiyang.regions.scope import require_scope

# (elder, old_region_code, new_region_code, actor) -> summary dict of the rows moved. A transfer moves the
# region anchor of the elder's *open* rows (open orders, their flags and complaints, open assessments)
# with the elder; closed rows keep the region they had when they were written (decision 0006).
TransferHandler = Callable[[Elder, str, str, Any], dict[str, Any]]
TRANSFER_HANDLERS: list[TransferHandler] = []


def elder_transferred(*, elder: Elder, old_region: str, new_region: str, actor: Any) -> dict[str, Any]:
    """Run every app's transfer handler inside the caller's transaction; returns what they moved."""
    effects: dict[str, Any] = {}
    if old_region != new_region:
        for handler in TRANSFER_HANDLERS:
            effects.update(handler(elder, old_region, new_region, actor))
    return effects


def _set_id(elder: Elder, rid: ResidentId) -> None:
    elder.id_number_enc = encrypt(rid.number)
    elder.id_number_hash = id_number_index(rid.number)
    elder.id_number_masked = mask_id_number(rid.number)
    elder.birth_date = rid.birth_date
    elder.sex = rid.sex


def _set_phone(elder: Elder, phone: str) -> None:
    if not phone:
        elder.phone_enc = elder.phone_hash = elder.phone_tail_hash = elder.phone_masked = ""
        return
    try:
        normal = normalize_phone(phone)
    except IdentifierError as exc:
        raise DomainError(exc.message, code="validation_error", errors={"phone": [exc.message]}) from exc
    digits = normal.replace("-", "")
    elder.phone_enc = encrypt(normal)
    elder.phone_hash = phone_index(digits)
    elder.phone_tail_hash = phone_tail_index(digits[-4:])
    elder.phone_masked = mask_phone(normal)


def _set_address(elder: Elder, address: str) -> None:
    elder.address_enc = encrypt(address)
    elder.address_masked = mask_address(address) if address else ""


def _scoped_region(user: Any, perm: str, region: Region | str, field_name: str = "region_code") -> Region:
    code = getattr(region, "code", region)
    try:
        code = normalize_region_code(str(code))
    except ValueError as exc:
        raise DomainError(str(exc), code="validation_error", errors={field_name: [str(exc)]}) from exc
    found = Region.objects.restrict(user, perm).filter(code=code).first()
    if found is None:
        raise missing_reference(field_name, "区域不存在或不在您的管辖范围内")
    return found


def _any_region(region: Region | str | None, field_name: str = "hukou_region_code") -> Region | None:
    """户籍地 may be anywhere in the country (not limited to the actor's scope)."""
    if region in (None, ""):
        return None
    if isinstance(region, Region):
        return region
    try:
        code = normalize_region_code(str(region))
    except ValueError as exc:
        raise DomainError(str(exc), code="validation_error", errors={field_name: [str(exc)]}) from exc
    found = Region.objects.filter(code=code).first()
    if found is None:
        raise DomainError("区划代码不存在", code="validation_error", errors={field_name: ["区划代码不存在"]})
    return found


CATEGORY_FIELDS = (
    "valid_from",
    "valid_to",
    "disability_certificate",
    "disability_kind",
    "disability_grade",
    "note",
)


def clean_categories(items: list[Any]) -> list[ElderCategory]:
    """Category items (a code or a dict with ``category`` and optional validity / disability fields) as
    unsaved rows; raises ``DomainError`` naming ``categories[i]``."""
    rows: list[ElderCategory] = []
    for i, item in enumerate(items or []):
        data = {"category": item} if isinstance(item, str) else dict(item)
        key = f"categories[{i}]"
        code = data.get("category")
        if code not in Category.values:
            raise DomainError(
                "类别无效",
                code="validation_error",
                errors={key: [f"类别只能是 {', '.join(Category.values)}"]},
            )
        row = ElderCategory(
            category=code, **{k: data[k] for k in CATEGORY_FIELDS if data.get(k) not in (None, "")}
        )
        if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
            raise DomainError(
                "截止日期早于起始日期", code="validation_error", errors={key: ["截止日期早于起始日期"]}
            )
        if row.disability_grade is not None and not 1 <= int(row.disability_grade) <= 4:
            raise DomainError(
                "残疾等级应为 1–4 级", code="validation_error", errors={key: ["残疾等级应为 1–4 级"]}
            )
        if row.disability_certificate and row.disability_certificate not in DisabilityCertificate.values:
            raise DomainError("残疾人证类型无效", code="validation_error", errors={key: ["残疾人证类型无效"]})
        rows.append(row)
    return rows


def clean_contacts(items: list[dict[str, Any]]) -> list[ElderContact]:
    rows: list[ElderContact] = []
    for i, data in enumerate(items or []):
        key = f"contacts[{i}]"
        name = str(data.get("name") or "").strip()
        if not name:
            raise DomainError(
                "联系人姓名不能为空", code="validation_error", errors={key: ["联系人姓名不能为空"]}
            )
        relation = data.get("relation") or Relation.OTHER
        if relation not in Relation.values:
            raise DomainError("关系无效", code="validation_error", errors={key: ["关系无效"]})
        contact = ElderContact(
            name=name[:50],
            relation=relation,
            is_emergency=bool(data.get("is_emergency")),
            user=data.get("user"),
        )
        phone = str(data.get("phone") or "")
        if phone:
            try:
                normal = normalize_phone(phone)
            except IdentifierError as exc:
                raise DomainError(exc.message, code="validation_error", errors={key: [exc.message]}) from exc
            contact.phone_enc = encrypt(normal)
            contact.phone_hash = phone_index(normal.replace("-", ""))
            contact.phone_masked = mask_phone(normal)
        rows.append(contact)
    return rows


def _replace_categories(elder: Elder, rows: list[ElderCategory]) -> None:
    elder.categories.all().delete()
    for row in rows:
        row.elder = elder
    ElderCategory.objects.bulk_create(rows)


def _replace_contacts(elder: Elder, rows: list[ElderContact]) -> None:
    elder.contacts.all().delete()
    for row in rows:
        row.elder = elder
    ElderContact.objects.bulk_create(rows)


REGISTERED_ELSEWHERE = "该身份证号已在其他地区登记，请联系上级民政部门"


def id_probe_limit(actor: Any) -> None:
    """Who may learn that an ID number is registered outside their scope, and how often: a few checks an
    hour per user (``ELDERS_ID_CHECKS_PER_HOUR``), never where."""
    from yiyang.core.ratelimit import limit

    limit(
        "elders.id_check",
        str(getattr(actor, "pk", "")),
        max_events=int(getattr(settings, "ELDERS_ID_CHECKS_PER_HOUR", 60)),
        window_seconds=3600,
        message="身份证号查询过于频繁，请稍后再试",
    )


def elder_create(
    *,
    actor: Any,
    name: str,
    id_number: str,
    region: Region | str,
    phone: str = "",
    address: str = "",
    hukou_region: Region | str | None = None,
    categories: list[Any] | None = None,
    contacts: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> tuple[Elder, list[Warning_]]:
    """Register an elder. A person already registered anywhere in the deployment → ``Conflict``
    (code ``duplicate``): moving between regions is a transfer (``elder_update`` of the region)."""
    check = check_id_number(id_number)
    home = _scoped_region(actor, "elders.add", region)
    name = (name or "").strip()
    if not name:
        raise DomainError("姓名不能为空", code="validation_error", errors={"name": ["姓名不能为空"]})
    category_rows = clean_categories(categories or [])
    contact_rows = clean_contacts(contacts or [])
    fields["hukou_region"] = _any_region(hukou_region)
    with transaction.atomic():
        require_scope(actor, "elders.add", home.code)
        existing = Elder.objects.filter(id_number_hash=id_number_index(check.rid.number)).first()
        if existing is not None:
            in_scope = Elder.objects.restrict(actor, "elders.view").filter(pk=existing.pk).exists()
            if not in_scope:
                id_probe_limit(actor)
            raise Conflict(
                "该身份证号已登记" if in_scope else REGISTERED_ELSEWHERE,
                code="duplicate",
                extra={"existing_id": str(existing.public_id)} if in_scope else {},
            )
        elder = Elder(name=name, region=home, created_by=actor if actor.is_authenticated else None, **fields)
        _set_id(elder, check.rid)
        _set_phone(elder, phone)
        _set_address(elder, address)
        elder.save()
        _replace_categories(elder, category_rows)
        _replace_contacts(elder, contact_rows)
        if not Elder.objects.restrict(actor, "elders.add").filter(pk=elder.pk).exists():
            raise Forbidden("无权在该区域登记")
        audit_record(
            actor=actor,
            region=home,
            event="elders.create",
            obj=elder,
            data={"warnings": [w.code for w in check.warnings]},
        )
        elder_registered.emit(
            ElderRegistered(elder_pk=elder.pk, region_code=elder.region_id, created=True, actor=actor)
        )
    return elder, check.warnings


# What ``elder_update`` may change. Status moves only through ``elder_change_status`` (the state machine
# and its hook), capability only through ``elder_set_capability``; derived and sealed columns never.
EDITABLE_FIELDS = frozenset(
    {
        "name",
        "id_number",
        "phone",
        "address",
        "region",
        "hukou_region",
        "categories",
        "contacts",
        "lat",
        "lng",
        "living_situation",
        "notes",
    }
)


def elder_update(*, actor: Any, elder: Elder, **changes: Any) -> Elder:
    """Edit fields; ``region`` moves the elder (a transfer, audited with both regions). Only
    ``EDITABLE_FIELDS``: anything else (``status`` included) is refused, never set."""
    refused = sorted(set(changes) - EDITABLE_FIELDS)
    if refused:
        raise DomainError(
            "包含不可在此修改的字段",
            code="validation_error",
            errors={key: ["该字段不可在此修改"] for key in refused},
        )
    with transaction.atomic():
        require_scope(actor, "elders.change", elder.region_id)
        changed: list[str] = []
        old_region = elder.region_id
        # old → new of the fields whose values are codes, not personal data (the audit shows them as
        # 居住情况：独居 → 空巢); names, numbers and addresses are recorded by field name only
        before = {f: getattr(elder, f) for f in AUDITED_VALUES}
        if "id_number" in changes:
            check = check_id_number(changes.pop("id_number"))
            if check.rid.number != decrypt(elder.id_number_enc):
                if (
                    Elder.objects.filter(id_number_hash=id_number_index(check.rid.number))
                    .exclude(pk=elder.pk)
                    .exists()
                ):
                    raise Conflict("该身份证号已登记", code="duplicate")
                _set_id(elder, check.rid)
                changed.append("id_number")
        if "phone" in changes:
            _set_phone(elder, changes.pop("phone") or "")
            changed.append("phone")
        if "address" in changes:
            _set_address(elder, changes.pop("address") or "")
            changed.append("address")
        if "region" in changes:
            elder.region = _scoped_region(actor, "elders.change", changes.pop("region"))
            require_scope(actor, "elders.change", elder.region.code)
            changed.append("region")
        if "hukou_region" in changes:
            elder.hukou_region = _any_region(changes.pop("hukou_region"))
            changed.append("hukou_region")
        if "categories" in changes:
            _replace_categories(elder, clean_categories(changes.pop("categories") or []))
            changed.append("categories")
        if "contacts" in changes:
            _replace_contacts(elder, clean_contacts(changes.pop("contacts") or []))
            changed.append("contacts")
        if "name" in changes:
            changes["name"] = str(changes["name"] or "").strip()
            if not changes["name"]:
                raise DomainError("姓名不能为空", code="validation_error", errors={"name": ["姓名不能为空"]})
        for key, value in changes.items():
            setattr(elder, key, value)
            changed.append(key)
        elder.save()
        if not Elder.objects.restrict(actor, "elders.change").filter(pk=elder.pk).exists():
            raise Forbidden("修改后的记录不在您的管辖范围内")
        data: dict[str, Any] = {"fields": sorted(changed)}
        values = {
            f: {"from": v, "to": getattr(elder, f)} for f, v in before.items() if getattr(elder, f) != v
        }
        if values:
            data["changes"] = values
        event = "elders.update"
        if elder.region_id != old_region:
            event = "elders.transfer"
            moved = elder_transferred(
                elder=elder, old_region=old_region, new_region=elder.region_id, actor=actor
            )
            data.update({"from": old_region, "to": elder.region_id, "effects": moved})
        audit_record(actor=actor, region=elder.region_id, event=event, obj=elder, data=data)
        elder_registered.emit(
            ElderRegistered(elder_pk=elder.pk, region_code=elder.region_id, created=False, actor=actor)
        )
    return elder


AUDITED_VALUES = ("living_situation",)


def elder_change_status(*, actor: Any, elder: Elder, status: str, effective_date: date, reason: str) -> Elder:
    """active → moved out / deceased (and corrections). Death or moving out stops every benefit and open
    order: each app's registered handler runs in this same transaction and reports what it stopped."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写原因", code="validation_error", errors={"reason": ["请填写原因"]})
    if status not in ElderStatus.values:
        raise DomainError(
            "状态无效",
            code="validation_error",
            errors={"status": [f"状态只能是 {', '.join(ElderStatus.values)}"]},
        )
    effects: dict[str, Any] = {}

    def moved(old: str, new: str) -> None:
        require_scope(actor, "elders.status", elder.region_id)
        effects.update(
            elder_status_changed.emit(
                ElderStatusChanged(
                    elder_id=elder.public_id,
                    region_code=elder.region_id,
                    old=old,
                    new=new,
                    effective_date=effective_date,
                    actor=actor,
                    at=timezone.now(),
                )
            )
        )
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="elders.status",
            obj=elder,
            data={"from": old, "to": new, "effects": effects},
        )

    transition(
        obj=elder,
        to=status,
        machine=ELDER_STATUS,
        timeline=ElderStatusChange,
        actor=actor,
        reason=reason,
        data=effects,  # read after the handlers ran: what they stopped
        timeline_extra={"effective_date": effective_date},
        on_moved=moved,
        updates={"status_date": effective_date},
    )
    return elder


def elder_set_capability(
    *,
    elder: Elder,
    standard: str,
    level: int | None,
    label: str,
    assessed_on: date | None,
    valid_until: date | None,
    moderate_plus: bool,
    actor: Any,
    permission: str = "assessments.perform",
) -> None:
    """The elder's current capability level, written by the assessment app (one service) when an
    assessment completes, under the permission that let the actor complete it (``assessments.perform``
    for the assessor, ``assessments.assign`` for the county that confirms). Call inside a transaction."""
    with transaction.atomic():
        require_scope(actor, permission, elder.region_id)
        Elder.objects.filter(pk=elder.pk).update(
            capability_standard=standard,
            capability_level=level,
            capability_label=label,
            capability_assessed_on=assessed_on,
            capability_valid_until=valid_until,
            disabled_moderate_plus=moderate_plus,
        )
        elder.capability_standard, elder.capability_level, elder.capability_label = standard, level, label
        elder.capability_assessed_on, elder.capability_valid_until = assessed_on, valid_until
        elder.disabled_moderate_plus = moderate_plus
        audit_record(
            actor=actor,
            region=elder.region_id,
            event="elders.capability",
            obj=elder,
            data={"standard": standard, "level": level},
        )


REVEALABLE = {"id_number": "id_number_enc", "phone": "phone_enc", "address": "address_enc"}


def elder_reveal(*, actor: Any, elder: Elder, field_name: str) -> str:
    """The clear value of an ID number, phone or address, for a user holding ``elders.reveal``; audited."""
    if field_name not in REVEALABLE:
        raise DomainError(
            "字段无效", code="validation_error", errors={"field": [f"只能查看 {', '.join(REVEALABLE)}"]}
        )
    if not Elder.objects.restrict(actor, "elders.reveal").filter(pk=elder.pk).exists():
        raise Forbidden("您没有查看完整信息的权限")
    with transaction.atomic():
        require_scope(actor, "elders.reveal", elder.region_id)
        audit_record(
            actor=actor, region=elder.region_id, event="elders.reveal", obj=elder, data={"field": field_name}
        )
    return decrypt(getattr(elder, REVEALABLE[field_name]))


def elder_reveal_for_duty(
    *,
    actor: Any,
    elder: Elder,
    fields: list[str],
    duty: dict[str, Any],
    permission: str,
    own: bool,
) -> dict[str, str]:
    """Clear values for someone whose duty needs them and whom another app's service has already
    authorised (e.g. the caregiver assigned to a visit needs the address and the phone): ``permission``
    is the duty's permission and ``own`` the caller's finding that the actor is the row's own person.
    Each call is audited as ``elders.reveal`` with the duty that justified it."""
    unknown = [f for f in fields if f not in REVEALABLE]
    if unknown:
        raise DomainError(
            "字段无效", code="validation_error", errors={"field": [f"只能查看 {', '.join(REVEALABLE)}"]}
        )
    with transaction.atomic():
        require_scope(actor, permission, elder.region_id, own=own)
        for field_name in fields:
            audit_record(
                actor=actor,
                region=elder.region_id,
                event="elders.reveal",
                obj=elder,
                data={"field": field_name, **duty},
            )
    return {
        f: decrypt(getattr(elder, REVEALABLE[f])) if getattr(elder, REVEALABLE[f]) else "" for f in fields
    }
