"""Identity of an elder, a leaf module (no services, no selectors): the blind indexes of ID numbers and
phones (for lookups without decrypting), and the GB 11643 check of an ID number with its birthplace
warnings. Services, selectors, the import and the key rotation all use these."""

from __future__ import annotations

from dataclasses import dataclass, field

from yiyang.core.errors import DomainError
from yiyang.core.identifiers import IdentifierError, ResidentId, birthplace_name, parse_resident_id
from yiyang.core.pii import blind_index
from yiyang.regions.models import Region


@dataclass
class Warning_:
    code: str
    message: str


@dataclass
class IdCheck:
    rid: ResidentId
    warnings: list[Warning_] = field(default_factory=list)


def id_number_index(number18: str) -> str:
    return blind_index(number18, "id_number")


def phone_index(phone: str) -> str:
    return blind_index(phone, "phone")


def phone_tail_index(tail4: str) -> str:
    return blind_index(tail4, "phone_tail")


def _warnings_for(address_code: str, current: Region | None) -> list[Warning_]:
    if current is not None and current.valid_to is None:
        return []
    name, historical = birthplace_name(address_code)
    if name:
        label = "已撤销，属历史区划" if historical else "不在现行区划表中"
        return [Warning_("historical_region", f"出生地代码 {address_code}（{name}）{label}，号码有效")]
    return [
        Warning_("unknown_region", f"出生地代码 {address_code} 在区划表中查无记录，请核对（号码校验通过）")
    ]


def birthplace_warnings(address_code: str, cache: dict[str, list[Warning_]] | None = None) -> list[Warning_]:
    """Warnings (never errors) about the 6-digit birthplace code of an ID number: revoked (historical) or
    unknown. ``cache`` lets a caller checking many numbers (an import) look each code up once."""
    if cache is not None and address_code in cache:
        return cache[address_code]
    current = Region.objects.filter(code=address_code + "000000").only("code", "valid_to").first()
    out = _warnings_for(address_code, current)
    if cache is not None:
        cache[address_code] = out
    return out


def birthplace_warnings_bulk(address_codes: set[str]) -> dict[str, list[Warning_]]:
    """``birthplace_warnings`` for many codes with one query (list pages and list API)."""
    found = {
        r.code[:6]: r
        for r in Region.objects.filter(code__in=[c + "000000" for c in address_codes]).only(
            "code", "valid_to"
        )
    }
    return {code: _warnings_for(code, found.get(code)) for code in address_codes}


def check_id_number(value: str, cache: dict[str, list[Warning_]] | None = None) -> IdCheck:
    """GB 11643 hard checks (length, format, checksum, birth date); the birthplace is only a warning —
    elders' IDs carry codes of counties that no longer exist (STANDARDS.md §5.1)."""
    try:
        rid = parse_resident_id(value)
    except IdentifierError as exc:
        raise DomainError(exc.message, code="validation_error", errors={"id_number": [exc.message]}) from exc
    result = IdCheck(rid)
    if rid.converted_from_15:
        result.warnings.append(Warning_("converted_15", "15 位身份证号已按 GB 11643 升位为 18 位"))
    result.warnings.extend(birthplace_warnings(rid.address_code, cache))
    return result
