"""Identifier validation, normalisation and masking (pure Python, no Django).

Implements the contract in STANDARDS.md:

* §5.1 公民身份号码 (GB 11643-1999): 18-digit numbers and legacy 15-digit numbers
  (GB 11643-1989), ISO 7064 MOD 11-2 check digit, birth-date sanity checks.
  The birthplace (地址码) is only ever a *hint*: the code table changes over time
  and an old person's genuine number may carry a code that has since been
  revoked or that did not exist in the table's idea of the birth year.
* §5.2 统一社会信用代码 (GB 32100-2015), including codes whose first character is
  a letter (A/N/Y), which python-stdnum 2.2 rejects.
* §4.2 age rule: age >= N  <=>  reference_date >= birth_date + N years, with
  29 February birthdays falling on 1 March in non-leap years (configurable).
* Mainland phone numbers and display masking of personal data.

Error messages are Chinese, explain why the value was rejected, and never echo
the submitted number back (it may end up in logs or on screen).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from importlib import resources

__all__ = [
    "IdentifierError",
    "ResidentId",
    "age_on",
    "anniversary",
    "birthplace_name",
    "mask_address",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "normalize_phone",
    "parse_resident_id",
    "resident_id_check_char",
    "uscc_check_char",
    "validate_uscc",
]


class IdentifierError(ValueError):
    """An identifier failed validation.

    ``code`` is a stable machine-readable code (e.g. ``invalid_checksum``);
    ``message`` is a Chinese explanation suitable for showing to staff.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"IdentifierError(code={self.code!r}, message={self.message!r})"


def _clean(value: object) -> str:
    """NFKC-normalise (full-width digits → ASCII), drop all whitespace, uppercase."""
    if not isinstance(value, str):
        raise IdentifierError("invalid_format", "号码必须是文本字符串。")
    text = unicodedata.normalize("NFKC", value)
    return "".join(text.split()).upper()


# ---------------------------------------------------------------------------
# 公民身份号码 GB 11643-1999
# ---------------------------------------------------------------------------

_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK_CHARS = "10X98765432"
_RIC18_RE = re.compile(r"[0-9]{17}[0-9X]")
_RIC15_RE = re.compile(r"[0-9]{15}")
_EARLIEST_BIRTH_DATE = date(1850, 1, 1)


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A parsed, validated 18-character resident identity number."""

    number: str
    address_code: str
    birth_date: date
    sex: str  # 'M' or 'F'
    converted_from_15: bool = False


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for 17 ASCII digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise IdentifierError("invalid_format", "计算校验码需要恰好 17 位数字。")
    total = sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS, strict=True))
    return _RIC_CHECK_CHARS[total % 11]


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate and parse a resident identity number (18- or 15-digit).

    Whitespace (including full-width spaces) is removed, full-width characters
    are folded to ASCII and a trailing ``x`` is upper-cased. A 15-digit number
    is converted to 18 digits ("19" inserted after the address code, check
    digit appended) and flagged ``converted_from_15``.

    Raises ``IdentifierError`` with code ``invalid_length``, ``invalid_format``,
    ``invalid_checksum`` or ``invalid_birth_date``. The birthplace is NOT
    checked (see ``birthplace_name`` for a non-binding hint).
    """
    number = _clean(value)
    converted = False
    if len(number) == 18:
        if not _RIC18_RE.fullmatch(number):
            raise IdentifierError(
                "invalid_format",
                "身份证号码格式不正确：前 17 位必须是数字，最后一位必须是数字或字母 X。",
            )
        if resident_id_check_char(number[:17]) != number[17]:
            raise IdentifierError(
                "invalid_checksum",
                "身份证号码校验码不正确：最后一位与前 17 位计算出的校验码不一致，"
                "号码中可能有录入错误，请对照证件逐位核对。",
            )
    elif len(number) == 15:
        if not _RIC15_RE.fullmatch(number):
            raise IdentifierError("invalid_format", "15 位身份证号码格式不正确：15 位必须全部是数字。")
        first17 = number[:6] + "19" + number[6:]
        number = first17 + resident_id_check_char(first17)
        converted = True
    else:
        raise IdentifierError(
            "invalid_length",
            f"身份证号码长度不正确：应为 18 位（或旧版 15 位），实际为 {len(number)} 位。",
        )

    birth_date = _ric_birth_date(number, today=today)
    return ResidentId(
        number=number,
        address_code=number[:6],
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 == 1 else "F",
        converted_from_15=converted,
    )


def _ric_birth_date(number: str, *, today: date | None) -> date:
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(
            "invalid_birth_date",
            "身份证号码中的出生日期码（第 7–14 位）不是一个真实存在的日期。",
        ) from None
    reference = today if today is not None else date.today()
    if birth > reference:
        raise IdentifierError(
            "invalid_birth_date",
            "身份证号码中的出生日期晚于今天，不可能是真实的出生日期。",
        )
    if birth < _EARLIEST_BIRTH_DATE:
        raise IdentifierError(
            "invalid_birth_date",
            "身份证号码中的出生日期早于 1850 年 1 月 1 日，不可信。",
        )
    return birth


# ---------------------------------------------------------------------------
# Birthplace hint from python-stdnum's bundled cn/loc.dat
# ---------------------------------------------------------------------------

# (start_year, end_year, name); None means open-ended.
_Period = tuple[int | None, int | None, str]
_ENTRY_RE = re.compile(r"^\[(\d*)-(\d*)\](.*)$")
_SKIP_PREFECTURE_NAMES = frozenset({"市辖区", "县"})


def _parse_periods(raw: str) -> tuple[_Period, ...]:
    periods: list[_Period] = []
    for part in raw.split(","):
        match = _ENTRY_RE.match(part)
        if match:
            start, end, name = match.groups()
            periods.append((int(start) if start else None, int(end) if end else None, name))
        else:
            periods.append((None, None, part))
    return tuple(periods)


@functools.lru_cache(maxsize=1)
def _location_table() -> dict[str, tuple[_Period, ...]]:
    """Parse stdnum/cn/loc.dat into {6-digit code: periods}.

    The file is python-stdnum's numdb format: each line is an (indented)
    number prefix followed by ``key="value"`` properties; an indented line's
    prefix is appended to its parent's. Top level = 2-digit province
    (``province="…"``), children = remaining 4 digits (``county="…"``). A
    county value is either a plain name (always valid) or a comma-separated
    list of ``[start-end]name`` entries, where either year may be empty.
    """
    try:
        ref = resources.files("stdnum").joinpath("cn", "loc.dat")
        text = ref.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return {}
    table: dict[str, tuple[_Period, ...]] = {}
    stack: list[tuple[int, str]] = []  # (indent, accumulated prefix)
    prop_re = re.compile(r'([0-9A-Za-z_-]+)="([^"]*)"')
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        prefix_part, _, rest = line.strip().partition(" ")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        prefix = (stack[-1][1] if stack else "") + prefix_part
        stack.append((indent, prefix))
        props = dict(prop_re.findall(rest))
        if len(prefix) == 2 and "province" in props:
            table.setdefault(prefix + "0000", _parse_periods(props["province"]))
        if len(prefix) == 6 and "county" in props:
            table[prefix] = _parse_periods(props["county"])
    return table


def _preferred(periods: tuple[_Period, ...]) -> _Period:
    """The currently valid entry if any, else the one that ended last."""
    current = [p for p in periods if p[1] is None]
    if current:
        return current[-1]
    return max(periods, key=lambda p: p[1] if p[1] is not None else 0)


def _overlaps(a: _Period, b: _Period) -> bool:
    a_start, a_end, _ = a
    b_start, b_end, _ = b
    return (a_start is None or b_end is None or a_start <= b_end) and (
        b_start is None or a_end is None or b_start <= a_end
    )


def birthplace_name(address_code: str) -> tuple[str | None, bool]:
    """Look a 6-digit address code up in python-stdnum's historical table.

    Returns ``(name, is_historical_only)``. ``name`` includes the province
    and, where meaningful, the prefecture (e.g. ``广东省汕头市潮阳县``); for a
    code that has been renamed the current (or most recent) name is used.
    ``is_historical_only`` is True when every entry for the code has an end
    year, i.e. the code has been revoked. Unknown codes give ``(None, False)``.

    This is a display hint only. Never reject an identity number because of
    it: the table is incomplete and ties codes to years in ways that do not
    match how numbers were actually issued to older people.
    """
    if not isinstance(address_code, str):
        return (None, False)
    code = address_code.strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return (None, False)
    table = _location_table()
    periods = table.get(code)
    if not periods:
        return (None, False)
    historical = all(p[1] is not None for p in periods)
    chosen = _preferred(periods)

    province_periods = table.get(code[:2] + "0000")
    province = _preferred(province_periods)[2] if province_periods else ""
    if code.endswith("0000"):
        return (chosen[2], historical)

    parts = [province]
    prefecture_code = code[:4] + "00"
    prefecture_periods = table.get(prefecture_code)
    if code != prefecture_code and prefecture_periods:
        overlapping = tuple(p for p in prefecture_periods if _overlaps(p, chosen))
        prefecture = _preferred(overlapping or prefecture_periods)[2]
        if prefecture not in _SKIP_PREFECTURE_NAMES and "直辖" not in prefecture and prefecture != province:
            parts.append(prefecture)
    parts.append(chosen[2])
    return ("".join(parts), historical)


# ---------------------------------------------------------------------------
# Age (§4.2)
# ---------------------------------------------------------------------------


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def anniversary(birth_date: date, years: int, *, feb29_as_mar1: bool = True) -> date:
    """Return ``birth_date + years`` calendar years.

    A 29 February birth date maps to 1 March in non-leap years (or to
    28 February when ``feb29_as_mar1`` is False).
    """
    year = birth_date.year + years
    if birth_date.month == 2 and birth_date.day == 29 and not _is_leap(year):
        return date(year, 3, 1) if feb29_as_mar1 else date(year, 2, 28)
    return birth_date.replace(year=year)


def age_on(birth_date: date, ref: date, *, feb29_as_mar1: bool = True) -> int:
    """Completed years of age on ``ref`` (周岁).

    ``age_on(b, r) >= N``  <=>  ``r >= anniversary(b, N)``. Raises
    ``ValueError`` if ``ref`` is before ``birth_date``.
    """
    if ref < birth_date:
        raise ValueError("参考日期早于出生日期，无法计算年龄。")
    age = ref.year - birth_date.year
    if ref < anniversary(birth_date, age, feb29_as_mar1=feb29_as_mar1):
        age -= 1
    return age


# ---------------------------------------------------------------------------
# 统一社会信用代码 GB 32100-2015
# ---------------------------------------------------------------------------

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_DEPARTMENTS = frozenset("123456789ANY")


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters."""
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise IdentifierError("invalid_format", "计算校验码需要恰好 17 个统一社会信用代码字符。")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Validate a 统一社会信用代码 and return it normalised (upper-case, no spaces).

    Raises ``IdentifierError`` with code ``invalid_length``, ``invalid_format``
    or ``invalid_checksum``.
    """
    code = _clean(value)
    if len(code) != 18:
        raise IdentifierError("invalid_length", f"统一社会信用代码应为 18 位，实际为 {len(code)} 位。")
    if code[0] not in _USCC_DEPARTMENTS:
        raise IdentifierError(
            "invalid_format",
            "统一社会信用代码第 1 位（登记管理部门码）必须是 1–9、A、N 或 Y。",
        )
    if not code[1].isdigit():
        raise IdentifierError("invalid_format", "统一社会信用代码第 2 位（机构类别码）必须是数字。")
    if not (code[2:8].isascii() and code[2:8].isdigit()):
        raise IdentifierError(
            "invalid_format",
            "统一社会信用代码第 3–8 位（登记管理机关行政区划码）必须是数字。",
        )
    if any(c not in _USCC_VALUES for c in code[8:]):
        raise IdentifierError(
            "invalid_format",
            "统一社会信用代码第 9–18 位含有不允许的字符（不使用 I、O、Z、S、V）。",
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise IdentifierError(
            "invalid_checksum",
            "统一社会信用代码校验码不正确：最后一位与前 17 位计算结果不一致，请逐位核对。",
        )
    return code


# ---------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def _landline_area_length(digits: str) -> int:
    """010 and 02x are three-digit area codes; all others have four digits."""
    return 3 if digits.startswith(("010", "02")) else 4


def normalize_phone(value: str) -> str:
    """Normalise a mainland mobile or landline number.

    Mobiles (``1[3-9]`` + 9 digits, optional ``+86``/``86``/``0086`` prefix,
    spaces or dashes anywhere) become 11 bare digits: ``13812345678``.
    Landlines (area code ``0`` + 2–3 digits, local number of 7–8 digits not
    starting with 0, optional dash between them) become
    ``AREA-LOCAL``, e.g. ``0514-87654321``; ``010`` and ``02x`` are the only
    three-digit area codes. Raises ``IdentifierError('invalid_phone')``.
    """
    if not isinstance(value, str):
        raise IdentifierError("invalid_phone", "电话号码必须是文本字符串。")
    text = unicodedata.normalize("NFKC", value).strip()
    if text.startswith("+86"):
        text = text[3:]
        international = True
    else:
        international = False
    # remember where the user put a dash between area code and local number
    stripped = text.strip(" -")
    compact = _PHONE_SEPARATORS.sub("", stripped)
    if not (compact.isascii() and compact.isdigit()):
        raise IdentifierError("invalid_phone", "电话号码只能包含数字、空格、短横线和 +86 前缀。")
    if not international:
        if len(compact) == 13 and compact.startswith("86"):
            compact = compact[2:]
        elif len(compact) == 15 and compact.startswith("0086"):
            compact = compact[4:]
    if len(compact) == 11 and compact[0] == "1":
        if _MOBILE_RE.fullmatch(compact):
            return compact
        raise IdentifierError("invalid_phone", "手机号码不正确：应为 11 位，以 13–19 开头。")
    if compact.startswith("0") and not international:
        area_len = _landline_area_length(compact)
        area, local = compact[:area_len], compact[area_len:]
        if 7 <= len(local) <= 8 and local[0] != "0":
            dash_parts = [p for p in re.split(r"[\s\-()（）]+", stripped) if p]
            if len(dash_parts) == 2 and dash_parts[0] != area:
                raise IdentifierError(
                    "invalid_phone",
                    "固定电话区号与号码的分隔位置不正确：010 和 02X 为 3 位区号，其余为 4 位。",
                )
            return f"{area}-{local}"
        raise IdentifierError(
            "invalid_phone",
            "固定电话号码不正确：应为区号（010、02X 或 4 位区号）加 7–8 位本地号码。",
        )
    raise IdentifierError(
        "invalid_phone",
        "电话号码不正确：应为 11 位手机号码（可带 +86）或带区号的固定电话。",
    )


# ---------------------------------------------------------------------------
# Masking (display only; never raises)
# ---------------------------------------------------------------------------


def _mask_generic(text: str, head: int, tail: int) -> str:
    n = len(text)
    if n == 0:
        return ""
    head = min(head, n // 4)
    tail = min(tail, n // 4)
    hidden = n - head - tail
    return text[:head] + "*" * hidden + (text[n - tail :] if tail else "")


def mask_id_number(value: str) -> str:
    """Mask a resident identity number for display.

    18 characters: first 6 (address code) + 8 stars (birth date) + last 4,
    e.g. ``110105********002X``. 15 digits: first 6 + 6 stars (birth date) +
    last 3. Any other length: at most the first 3 and last 2 characters are
    kept and never more than half of the string.
    """
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()
    if len(text) == 18:
        return text[:6] + "*" * 8 + text[14:]
    if len(text) == 15:
        return text[:6] + "*" * 6 + text[12:]
    return _mask_generic(text, 3, 2)


def mask_phone(value: str) -> str:
    """Mask a phone number for display.

    Mobile ``13812345678`` → ``138****5678``; landline ``0514-87654321`` →
    ``0514****4321``. Unrecognised input keeps at most the last 4 digits.
    """
    try:
        phone = normalize_phone(value)
    except IdentifierError:
        text = "".join(ch for ch in str(value) if not ch.isspace())
        if len(text) >= 11:
            return "*" * (len(text) - 4) + text[-4:]
        return "*" * len(text)
    if "-" in phone:
        area, local = phone.split("-", 1)
        return area + "****" + local[-4:]
    return phone[:3] + "****" + phone[-4:]


def mask_name(value: str) -> str:
    """Keep the first character of a name and star the rest: 张三丰 → 张**.

    A one-character name is fully masked.
    """
    name = str(value).strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def mask_address(value: str) -> str:
    """Keep the first 6 characters of an address and append ``****``.

    Addresses of 6 characters or fewer keep only their first half, so the
    mask never reveals a complete address.
    """
    address = str(value).strip()
    if not address:
        return ""
    keep = 6 if len(address) > 6 else len(address) // 2
    return address[:keep] + "****"
