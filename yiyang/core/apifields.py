"""API input fields for the identifiers of ``yiyang.core.identifiers`` and region codes, stating in the
OpenAPI schema what the server accepts. Phones and region codes: the ``pattern`` is the whole rule. ID
numbers (GB 11643: a real birth date, ISO 7064 MOD 11-2 check digit) and USCCs (GB 32100, MOD 31 check
character): the ``pattern`` states their shape, the ``format`` (``cn-resident-id``, ``cn-uscc``) names the
standard whose check digit no pattern can state. The schema test generates valid values for these
formats and accepts a refusal of a right-shaped value for its check digit alone
(``yiyang/core/tests/test_api_schema.py``).

The ``Strict*`` fields take a JSON value of their own type only (a number is not text, ``"true"`` is not a
boolean, ``5.0`` is not an integer), so a client sending the wrong type is told.

The field refuses what the pattern refuses (no spaces, ``+86`` or full-width digits here: the pages accept
those and normalise them, the API takes the normal form), then the identifier's own parser runs in the
service as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from yiyang.core.identifiers import IdentifierError, normalize_phone, parse_resident_id, validate_uscc
from yiyang.core.regioncodes import REGION_CODE_PATTERN
from yiyang.core.validators import TextValidator

RESIDENT_ID_FORMAT = "cn-resident-id"
RESIDENT_ID_PATTERN = r"^([0-9]{17}[0-9Xx]|[0-9]{15})$"
USCC_FORMAT = "cn-uscc"
# Letters in either case (stored upper-case).
USCC_PATTERN = r"^[1-9ANYany][0-9]{7}[0-9A-HJ-NP-RTUWXYa-hj-np-rtuwxy]{10}$"
PHONE_FORMAT = "cn-phone"
# A mobile (11 digits, 13–19), or a landline: 010/02X + 7–8 digits, or a 4-digit area code + 7–8 digits,
# an optional dash between area and number (``normalize_phone``'s rules without separators or prefixes).
PHONE_PATTERN = (
    r"^(1[3-9][0-9]{9}|(010|02[0-9])-?[1-9][0-9]{6,7}|0(1[1-9]|[3-9][0-9])[0-9]-?[1-9][0-9]{6,7})$"
)
# Phone fields are optional: blank ("") means none.
PHONE_OR_BLANK_PATTERN = PHONE_PATTERN.replace("^(", "^(|", 1)


class _Shape:
    """Refuses what ``pattern`` refuses, with the identifier parser's own reason where it has one (length,
    format, check digit…), else ``message``."""

    def __init__(self, pattern: str, message: str, explain: Callable[[str], Any] | None) -> None:
        self.regex = re.compile(pattern)
        self.message = message
        self.explain = explain

    def __call__(self, value: str) -> None:
        if self.regex.search(value):
            return
        if self.explain is not None:
            try:
                self.explain(value)
            except IdentifierError as exc:
                raise ValidationError(exc.message) from None
        raise ValidationError(self.message)


def _field(
    fmt: str | None, pattern: str, max_length: int, message: str, explain: Callable[[str], Any] | None = None
) -> type[serializers.CharField]:
    schema: dict[str, Any] = {"type": "string", "pattern": pattern, "maxLength": max_length}
    if fmt:
        schema["format"] = fmt

    @extend_schema_field(schema)
    class Field(serializers.CharField):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("max_length", max_length)
            super().__init__(**kwargs)
            self.validators.append(_Shape(pattern, message, explain))

    return Field


ResidentIdField = _field(
    RESIDENT_ID_FORMAT,
    RESIDENT_ID_PATTERN,
    18,
    "身份证号码应为 18 位（末位可为 X）或旧版 15 位数字",
    parse_resident_id,
)
ResidentIdField.__name__ = "ResidentIdField"
UsccField = _field(
    USCC_FORMAT,
    USCC_PATTERN,
    18,
    "统一社会信用代码应为 18 位（登记管理部门码 1–9/A/N/Y，不使用 I、O、Z、S、V）",
    validate_uscc,
)
UsccField.__name__ = "UsccField"
PhoneField = _field(
    PHONE_FORMAT,
    PHONE_OR_BLANK_PATTERN,
    13,
    "电话号码应为 11 位手机号码，或区号加 7–8 位本地号码（如 0514-87654321）",
    normalize_phone,
)
PhoneField.__name__ = "PhoneField"
RegionCodeField = _field(
    None, REGION_CODE_PATTERN, 12, "区划代码应为 2、4、6、9 或 12 位数字（省级代码不为 00）"
)
RegionCodeField.__name__ = "RegionCodeField"


# --- strict scalar fields -------------------------------------------------------------------------------


class StrictCharField(serializers.CharField):
    """A string, as the schema says: a number or a boolean is refused instead of turned into text.
    ``text="line"`` or ``"multiline"`` adds the platform's free-text rule (``core.validators.TextValidator``:
    no control, bidi-override or zero-width characters), stated in the schema as its pattern."""

    def __init__(self, *args: Any, text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if text:
            limit = self.max_length or 2000
            self.validators.append(TextValidator(max_length=limit, multiline=text == "multiline"))

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictRegexField(serializers.RegexField):
    """A pattern-checked string; a number is refused, not turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only (DRF would also read ``"yes"``, ``1``, ``"on"``…)."""

    default_error_messages = {"invalid": "应为 true 或 false"}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only (not ``"5"``, ``5.0`` or ``true``)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class StrictDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` string only."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as a string only (DRF would read the integer ``0``, and so ``false``, as a UUID)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
