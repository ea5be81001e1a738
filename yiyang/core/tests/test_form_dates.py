"""The shared parser of a date typed in a page form (``parse_form_date``): the date, nothing for an
empty optional field, or an error naming the field in Chinese."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from yiyang.core.errors import DomainError
from yiyang.core.validators import parse_form_date


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2026-11-23", date(2026, 11, 23)),
        (" 2026-02-28 ", date(2026, 2, 28)),
        ("2028-02-29", date(2028, 2, 29)),
    ],
)
def test_a_date_is_read(raw: str, expected: date) -> None:
    assert parse_form_date(raw, "申请日期") == expected


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_an_empty_optional_date_is_none(raw: Any) -> None:
    assert parse_form_date(raw, "评估日期", field="assessed_on", required=False) is None


@pytest.mark.parametrize("raw", ["", None])
def test_an_empty_required_date_names_the_field(raw: Any) -> None:
    with pytest.raises(DomainError) as caught:
        parse_form_date(raw, "安装日期", field="installed_on")
    assert caught.value.message == "请填写安装日期"
    assert caught.value.code == "validation_error"
    assert caught.value.errors == {"installed_on": ["请填写安装日期"]}


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "23/11/2026", "明天", "2026-11-23T08:00"])
def test_a_malformed_date_names_the_field(raw: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_form_date(raw, "有效期至", field="valid_until", required=False)
    assert caught.value.message == "有效期至格式不正确"
    assert caught.value.errors == {"valid_until": ["有效期至格式应为 YYYY-MM-DD"]}


def test_without_an_input_name_the_error_is_keyed_by_the_label() -> None:
    with pytest.raises(DomainError) as caught:
        parse_form_date("2026/11/23", "申请日期")
    assert caught.value.errors == {"申请日期": ["申请日期格式应为 YYYY-MM-DD"]}
