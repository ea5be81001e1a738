"""Tests for yiyang.core.regioncodes (STANDARDS.md §6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.core.regioncodes import (
    ancestor_codes,
    normalize_region_code,
    parent_code,
    region_level,
    short_code,
    town_type,
)


@pytest.mark.parametrize(
    ("raw", "full", "level", "short"),
    [
        ("11", "110000000000", "province", "110000"),
        ("110000", "110000000000", "province", "110000"),
        ("4405", "440500000000", "city", "440500"),
        ("440500", "440500000000", "city", "440500"),
        ("440524", "440524000000", "county", "440524"),
        ("429004", "429004000000", "county", "429004"),
        ("110105001", "110105001000", "town", "110105001"),
        ("130111200201", "130111200201", "village", "130111200201"),
        (" 321002100000 ", "321002100000", "town", "321002100"),
    ],
)
def test_normalize_level_short(raw: str, full: str, level: str, short: str) -> None:
    assert normalize_region_code(raw) == full
    assert region_level(raw) == level
    assert short_code(full) == short


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1",
        "110",
        "11010",
        "1101050",
        "11010500",
        "1101050010",
        "11010500100",
        "1101050010001",
    ],
)
def test_bad_lengths(raw: str) -> None:
    with pytest.raises(ValueError, match="长度"):
        normalize_region_code(raw)


@pytest.mark.parametrize("raw", ["11a105", "１１０１０５", "-11010", "11 0105"])
def test_non_digits(raw: str) -> None:
    with pytest.raises(ValueError, match="数字"):
        normalize_region_code(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "00",  # no province 00
        "110000000001",  # village without town
        "110105000201",  # village without town
        "110000001000",  # town directly under a province-only code
    ],
)
def test_inconsistent_structure(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_region_code(raw)


def test_non_string() -> None:
    with pytest.raises(TypeError):
        normalize_region_code(110105)  # type: ignore[arg-type]


def test_parent_and_ancestors() -> None:
    village = "130111200201"
    assert parent_code(village) == "130111200000"
    assert ancestor_codes(village) == [
        "130000000000",
        "130100000000",
        "130111000000",
        "130111200000",
    ]
    assert parent_code("130111200000") == "130111000000"
    assert parent_code("130111000000") == "130100000000"
    assert parent_code("130100000000") == "130000000000"
    assert parent_code("130000000000") is None
    assert ancestor_codes("130000000000") == []


def test_town_directly_under_prefecture_city() -> None:
    # 东莞市 441900 has no county level: towns hang directly under the city
    town = "441900003000"
    assert region_level(town) == "town"
    assert parent_code(town) == "441900000000"
    assert ancestor_codes(town) == ["440000000000", "441900000000"]
    assert ancestor_codes("441900003001") == [
        "440000000000",
        "441900000000",
        "441900003000",
    ]


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("110105001000", "街道"),
        ("110105099000", "街道"),
        ("321002100000", "镇"),
        ("321002199000", "镇"),
        ("130111200201", "乡"),
        ("130111399000", "乡"),
        ("659001400000", "政企合一单位"),
        ("659001599000", "政企合一单位"),
    ],
)
def test_town_type(code: str, kind: str) -> None:
    assert town_type(code) == kind


@pytest.mark.parametrize("code", ["110105000000", "110000000000", "659001600000", "659001999000"])
def test_town_type_rejects(code: str) -> None:
    with pytest.raises(ValueError):
        town_type(code)


# --- property tests ---------------------------------------------------------

digits = "0123456789"


@st.composite
def region_codes(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(["11", "13", "32", "44", "65"]))
    city = draw(st.text(alphabet=digits, min_size=2, max_size=2))
    county = draw(st.text(alphabet=digits, min_size=2, max_size=2))
    if city == "00":
        county = "00"
    town = draw(st.sampled_from(["000", "001", "099", "100", "203", "400", "599"]))
    if city == "00":
        town = "000"
    village = draw(st.sampled_from(["000", "001", "201", "399"])) if town != "000" else "000"
    return province + city + county + town + village


LEVEL_ORDER = ["province", "city", "county", "town", "village"]


@given(region_codes())
def test_region_code_properties(code: str) -> None:
    full = normalize_region_code(code)
    assert full == code
    assert normalize_region_code(full) == full
    assert normalize_region_code(short_code(full)) == full
    level = region_level(full)
    ancestors = ancestor_codes(full)
    # ancestors are strictly shallower, distinct, top-down, and prefix-compatible
    depths = [LEVEL_ORDER.index(region_level(a)) for a in ancestors]
    assert depths == sorted(depths)
    assert len(set(ancestors)) == len(ancestors)
    assert all(d < LEVEL_ORDER.index(level) for d in depths)
    for ancestor in ancestors:
        significant = short_code(ancestor).rstrip("0") or short_code(ancestor)
        assert full.startswith(significant)
    if ancestors:
        assert ancestors[0] == full[:2] + "0" * 10
        assert parent_code(full) == ancestors[-1]
        assert ancestor_codes(ancestors[-1]) == ancestors[:-1]
    else:
        assert level == "province"
        assert parent_code(full) is None
    if level in ("town", "village"):
        assert town_type(full) in {"街道", "镇", "乡", "政企合一单位"}
