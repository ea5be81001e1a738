"""Every spreadsheet cell the platform writes goes through ``safe_cell`` (exports, payment lists, import
reports): text that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at the start)
is prefixed with ``'`` and stored as text, and characters openpyxl cannot store (control characters) are
removed, so one elder's name can neither inject a formula nor break the whole export."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE: the C0 controls XML 1.0 cannot carry (tab, LF and CR are fine).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """A value safe to hand to openpyxl: numbers, dates and None pass; text is cleaned and, if it could be
    read as a formula, prefixed with an apostrophe (Excel and LibreOffice show it as text)."""
    if value is None or isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = _ILLEGAL.sub("", str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """``ws.append`` with every value through ``safe_cell``."""
    ws.append(safe_row(values))
