"""The one set of input validators (ARCHITECTURE rule 14): names and free text, service times and
scheduled dates, months and numbers. Each raises ``django.core.exceptions.ValidationError`` with a Chinese
message, so the same function serves Django forms, DRF serializers (field ``validators=[…]``), filters
and services (``as_domain_error`` turns it into the API's ``validation_error`` envelope).

Limits that policy may change are settings:

- ``YIYANG_SERVICE_TIME_SKEW_SECONDS`` (120): how far in the future a phone's check-in/check-out time may be
- ``YIYANG_SERVICE_TIME_MAX_PAST_DAYS`` (7): how old an offline check-in/check-out may be
- ``YIYANG_SCHEDULE_HORIZON_DAYS`` (180): how far ahead an order may be scheduled
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any, Literal, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from yiyang.core.errors import DomainError

# Bidirectional embeddings, overrides and isolates, and the marks that reorder text invisibly.
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width and invisible characters (a name made only of these looks empty; inside text they spoof).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u00ad")
LINE_BREAKS = frozenset("\n\r\t")

MIN_YEAR = 2000
MAX_YEAR = 2100


def _bad_char(ch: str, *, multiline: bool) -> str | None:
    """Why ``ch`` is refused (a Chinese phrase), or None."""
    if ch == "\x00":
        return "空字符（NUL）"
    if ch in LINE_BREAKS:
        return None if multiline else "换行或制表符"
    if ch in BIDI:
        return "文字方向控制字符"
    if ch in ZERO_WIDTH:
        return "零宽或不可见字符"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "控制字符"
    if category == "Cs":  # a lone surrogate (private-use and unassigned characters are allowed)
        return "无效字符"
    if ch in "\u2028\u2029":
        return None if multiline else "换行或制表符"
    return None


def _char_class(chars: Any) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in sorted(chars))


# The same rules as regular expressions, for the OpenAPI schema (``pattern``): what ``_bad_char`` refuses,
# and for names at least one character that is not white space (DRF trims, so "  " is blank). Lone
# surrogates (refused too) are left out: a schema validator's regex engine cannot name them, and valid
# text never holds one.
_ALWAYS_BAD = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f" + _char_class(BIDI | ZERO_WIDTH)
_SINGLE_LINE_BAD = _ALWAYS_BAD + r"\u0009\u000a\u000d\u2028\u2029"
TEXT_PATTERN = rf"^[^{_ALWAYS_BAD}]*$"
LINE_PATTERN = rf"^[^{_SINGLE_LINE_BAD}]*$"
# Blank is allowed here: whether a name may be blank is the field's (``minLength``).
NAME_PATTERN = rf"^([^{_SINGLE_LINE_BAD}]*[^{_SINGLE_LINE_BAD}\s][^{_SINGLE_LINE_BAD}]*)?$"


def check_text(value: str, *, label: str, max_length: int, multiline: bool = False) -> str:
    """Refuse control, NUL, bidi-override and zero-width characters and over-long text; returns the value
    stripped of surrounding white space."""
    if not isinstance(value, str):
        raise ValidationError(f"{label}应为文字", code="invalid")
    for ch in value:
        why = _bad_char(ch, multiline=multiline)
        if why:
            raise ValidationError(f"{label}包含不允许的{why}，请删除后重试", code="invalid_characters")
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(f"{label}最多 {max_length} 字", code="max_length")
    return value


def check_name(value: str, *, label: str = "姓名", max_length: int = 50) -> str:
    """A person's or organisation's name: one line, no invisible characters, at least one visible one."""
    cleaned = check_text(value, label=label, max_length=max_length)
    if value and not cleaned:
        raise ValidationError(f"{label}不能只有空白", code="blank")
    return cleaned


@deconstructible
class NameValidator(RegexValidator):
    """Field validator for names (forms and serializers): ``validators=[NameValidator("姓名", 50)]``.
    A ``RegexValidator`` only so that the OpenAPI schema states its rule as ``pattern`` (NAME_PATTERN);
    the check itself is ``check_name``, with its precise messages."""

    def __init__(self, label: str = "姓名", max_length: int = 50) -> None:
        super().__init__(NAME_PATTERN)
        self.label = label
        self.max_length = max_length

    def __call__(self, value: Any) -> None:
        if value:
            check_name(str(value), label=self.label, max_length=self.max_length)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NameValidator) and (self.label, self.max_length) == (
            other.label,
            other.max_length,
        )


@deconstructible
class TextValidator(RegexValidator):
    """Field validator for free text (notes, descriptions, addresses); line breaks allowed if multiline.
    Its ``pattern`` in the OpenAPI schema is TEXT_PATTERN or LINE_PATTERN (see NameValidator)."""

    def __init__(self, label: str = "内容", max_length: int = 2000, multiline: bool = True) -> None:
        super().__init__(TEXT_PATTERN if multiline else LINE_PATTERN)
        self.label = label
        self.max_length = max_length
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        if value:
            check_text(str(value), label=self.label, max_length=self.max_length, multiline=self.multiline)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and (self.label, self.max_length, self.multiline) == (
            other.label,
            other.max_length,
            other.multiline,
        )


# --- numbers --------------------------------------------------------------------------------------------

_ASCII_INT = re.compile(r"^[0-9]{1,9}$")


def parse_int(raw: Any, *, label: str, min_value: int = 0, max_value: int = 10**9) -> int:
    """An integer written with ASCII digits only (``str.isdigit`` accepts ``²`` and ``①``, ``int`` not)."""
    text = str(raw).strip()
    if not _ASCII_INT.match(text):
        raise ValidationError(f"{label}应为 {min_value}–{max_value} 的整数", code="invalid")
    value = int(text)
    if not min_value <= value <= max_value:
        raise ValidationError(f"{label}应为 {min_value}–{max_value} 的整数", code="out_of_range")
    return value


# --- months ---------------------------------------------------------------------------------------------

_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")
# Months the platform takes (years MIN_YEAR–MAX_YEAR), for an OpenAPI ``pattern``.
MONTH_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"


def parse_month(raw: Any, *, label: str = "月份") -> tuple[int, int]:
    """``YYYY-MM`` with a year in [2000, 2100] → ``(year, month)``."""
    m = _MONTH.match(str(raw or "").strip())
    if not m:
        raise ValidationError(f"{label}格式应为 YYYY-MM", code="invalid")
    year, month = int(m.group(1)), int(m.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(f"{label}年份应在 {MIN_YEAR}–{MAX_YEAR} 之间", code="out_of_range")
    return year, month


def validate_month(raw: Any) -> None:
    parse_month(raw)


# --- dates and times ------------------------------------------------------------------------------------


def service_time_skew() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "YIYANG_SERVICE_TIME_SKEW_SECONDS", 120)))


def service_time_max_past() -> timedelta:
    return timedelta(days=int(getattr(settings, "YIYANG_SERVICE_TIME_MAX_PAST_DAYS", 7)))


def schedule_horizon() -> timedelta:
    return timedelta(days=int(getattr(settings, "YIYANG_SCHEDULE_HORIZON_DAYS", 180)))


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def check_service_time(value: datetime, *, label: str = "时间", now: datetime | None = None) -> datetime:
    """A time recorded on site (check-in, check-out): not in the future beyond the clock skew, and not
    older than the offline window."""
    now = now or timezone.now()
    value = _aware(value)
    if value > now + service_time_skew():
        raise ValidationError(f"{label}不能晚于当前时间", code="future")
    if value < now - service_time_max_past():
        days = service_time_max_past().days
        raise ValidationError(f"{label}不能早于 {days} 天前", code="too_old")
    return value


def validate_service_time(value: datetime) -> None:
    check_service_time(value)


def check_scheduled(value: datetime, *, label: str = "预约时间", now: datetime | None = None) -> datetime:
    """A scheduled date: within the configured horizon ahead of now (the past is the caller's rule)."""
    now = now or timezone.now()
    value = _aware(value)
    if value > now + schedule_horizon():
        days = schedule_horizon().days
        raise ValidationError(f"{label}不能晚于 {days} 天后", code="too_far")
    return value


def validate_scheduled(value: datetime) -> None:
    check_scheduled(value)


def parse_form_datetime(value: Any, label: str) -> datetime:
    """A page form's date-time (``datetime-local``: ``2026-11-23T08:00``, read in the site's time zone; an
    offset, if given, is kept), or a ``DomainError`` that names the field by ``label``."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise DomainError(
            f"请填写{label}", code="validation_error", errors={label: ["时间格式不正确"]}
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


@overload
def parse_form_date(value: Any, label: str, *, field: str = "", required: Literal[True] = True) -> date: ...


@overload
def parse_form_date(value: Any, label: str, *, field: str = "", required: bool) -> date | None: ...


def parse_form_date(value: Any, label: str, *, field: str = "", required: bool = True) -> date | None:
    """A page form's date (``<input type="date">``: ``2026-11-23``): ``None`` for an empty optional one,
    else a ``DomainError`` naming the field by ``label`` (its ``errors`` keyed by ``field``, the form's
    input name, so the page can show it next to the input; ``label`` where there is none). Whether the
    date is allowed (not in the future, within a programme) is the service's to say, in its own words."""
    key = field or label
    raw = str(value or "").strip()
    if not raw:
        if not required:
            return None
        raise DomainError(f"请填写{label}", code="validation_error", errors={key: [f"请填写{label}"]})
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            f"{label}格式不正确", code="validation_error", errors={key: [f"{label}格式应为 YYYY-MM-DD"]}
        ) from None


def check_date(value: date, *, label: str = "日期") -> date:
    if not MIN_YEAR - 150 <= value.year <= MAX_YEAR:
        raise ValidationError(f"{label}超出有效范围", code="out_of_range")
    return value


# --- services -------------------------------------------------------------------------------------------


@contextmanager
def as_domain_error(field_name: str) -> Iterator[None]:
    """Inside a service: a validator's ``ValidationError`` becomes a ``validation_error`` DomainError naming
    the field (400 in the API envelope, a form error on pages)."""
    try:
        yield
    except ValidationError as exc:
        messages = exc.messages
        raise DomainError(messages[0], code="validation_error", errors={field_name: messages}) from exc
