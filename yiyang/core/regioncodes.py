"""Structural helpers for administrative division codes (STANDARDS.md §6).

Six-digit GB/T 2260 codes (province/prefecture/county) are extended by the
National Bureau of Statistics' 12-digit 统计用区划代码 with a 3-digit town
(乡级) and a 3-digit village (村级) segment. We store every code in its
12-digit zero-padded form (``110000000000``).

These helpers are purely structural: they do not know whether a code exists.
Real codes break the legacy numbering ranges (e.g. 429004, towns directly
under 东莞市 441900), so existence must be checked against a versioned code
table, never inferred from digit ranges.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = [
    "REGION_CODE_PATTERN",
    "RegionLevel",
    "ancestor_codes",
    "normalize_region_code",
    "parent_code",
    "region_level",
    "scope_prefix",
    "short_code",
    "town_type",
]

RegionLevel = Literal["province", "city", "county", "town", "village"]

_ACCEPTED_LENGTHS = (2, 4, 6, 9, 12)
_DIGITS_RE = re.compile(r"[0-9]+")

# The codes ``normalize_region_code`` accepts, as one regular expression (without look-arounds, so an
# OpenAPI ``pattern`` and a test-data generator can use it): 2/4/6/9/12 digits, province not 00, a town
# only below a prefecture or county, a village only below a town.
_P = r"(0[1-9]|[1-9][0-9])"
_NONZERO4 = r"([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"
_NONZERO3 = r"([1-9][0-9]{2}|0[1-9][0-9]|00[1-9])"
REGION_CODE_PATTERN = (
    rf"^{_P}([0-9]{{2}}|[0-9]{{4}}|[0-9]{{4}}000|{_NONZERO4}{_NONZERO3}"
    rf"|[0-9]{{4}}000000|{_NONZERO4}{_NONZERO3}[0-9]{{3}})?$"
)


def normalize_region_code(code: str) -> str:
    """Return the 12-digit storage form of a 2/4/6/9/12-digit region code.

    Raises ``ValueError`` (Chinese message) for other lengths, non-digits, a
    ``00`` province segment, a town segment below a province-only code, or a
    village segment without a town segment.
    """
    if not isinstance(code, str):
        raise TypeError("行政区划代码必须是文本字符串。")
    text = code.strip()
    if text and not _DIGITS_RE.fullmatch(text):
        raise ValueError("行政区划代码只能由数字组成。")
    if len(text) not in _ACCEPTED_LENGTHS:
        raise ValueError(f"行政区划代码长度不正确：应为 2、4、6、9 或 12 位数字，实际为 {len(text)} 位。")
    full = text.ljust(12, "0")
    if full[:2] == "00":
        raise ValueError("行政区划代码的省级代码（前 2 位）不能为 00。")
    if full[9:] != "000" and full[6:9] == "000":
        raise ValueError("村级代码必须隶属于某个乡级单位：第 7–9 位不能为 000。")
    if full[6:9] != "000" and full[2:6] == "0000":
        raise ValueError("乡级代码必须隶属于地级或县级单位：第 3–6 位不能全为 0。")
    return full


def region_level(code: str) -> RegionLevel:
    """Level of a code, decided by its trailing zero segments."""
    full = normalize_region_code(code)
    if full[9:] != "000":
        return "village"
    if full[6:9] != "000":
        return "town"
    if full[4:6] != "00":
        return "county"
    if full[2:4] != "00":
        return "city"
    return "province"


def _truncations(full: str) -> list[str]:
    """Province, city, county and town forms of a code (bottom levels may repeat)."""
    return [
        full[:2] + "0" * 10,
        full[:4] + "0" * 8,
        full[:6] + "0" * 6,
        full[:9] + "000",
    ]


def ancestor_codes(code12: str) -> list[str]:
    """Distinct 12-digit ancestors of a code, top-down, excluding the code itself.

    Levels that a code skips collapse: a town directly under a prefecture-level
    city such as 东莞 (``441900003000``) yields
    ``['440000000000', '441900000000']``.
    """
    full = normalize_region_code(code12)
    result: list[str] = []
    for candidate in _truncations(full):
        if candidate != full and candidate not in result:
            result.append(candidate)
    return result


def parent_code(code12: str) -> str | None:
    """Nearest distinct ancestor (12-digit), or None for a province."""
    ancestors = ancestor_codes(code12)
    return ancestors[-1] if ancestors else None


def short_code(code12: str) -> str:
    """Shortest conventional form: 6 digits for province/city/county, 9 for a
    town, 12 for a village."""
    full = normalize_region_code(code12)
    level = region_level(full)
    if level == "village":
        return full
    if level == "town":
        return full[:9]
    return full[:6]


def town_type(code12: str) -> str:
    """Type of a town-level (乡级) unit from its 3-digit segment.

    001–099 街道, 100–199 镇, 200–399 乡, 400–599 政企合一单位. Works for town
    and village codes (a village reports its town's type). Raises
    ``ValueError`` for codes above town level or for segments 600–999, whose
    meaning the standard does not define.
    """
    full = normalize_region_code(code12)
    segment = int(full[6:9])
    if segment == 0:
        raise ValueError("该代码不是乡级或村级代码，没有乡级类型。")
    if segment <= 99:
        return "街道"
    if segment <= 199:
        return "镇"
    if segment <= 399:
        return "乡"
    if segment <= 599:
        return "政企合一单位"
    raise ValueError(f"乡级代码段 {full[6:9]} 不在已知范围 001–599 内，无法判断类型。")


_PREFIX_LEN: dict[str, int] = {"province": 2, "city": 4, "county": 6, "town": 9, "village": 12}


def scope_prefix(code: str) -> str:
    """The significant leading digits of a code: every code below it (and only those) starts with them.

    This is what makes "a region and everything below" a prefix match (see ``yiyang.regions.scope``).
    """
    full = normalize_region_code(code)
    return full[: _PREFIX_LEN[region_level(full)]]
