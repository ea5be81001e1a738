"""Money is kept as integer fen (分) everywhere; this module is the one place that turns it into yuan
for people (pages: the ``|yuan`` template filter; spreadsheets: :func:`xlsx_money`) and the one place
that splits a price into shares. See ``docs/decisions/0007-money.md``.

No float ever holds money: rendering is integer arithmetic, spreadsheet cells get an exact
``Decimal`` (fen / 100) with the number format ``0.00``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from yiyang.core.xlsx import safe_cell

#: Excel number format of every money cell: two decimals, no thousands separator (statements are
#: re-keyed into finance systems that choke on separators).
MONEY_FORMAT = "0.00"

#: Basis points in a whole (100% = 10000 bp).
BP_WHOLE = 10000


def yuan(fen: int) -> str:
    """Integer fen as a yuan string without floats: -1234 → "-12.34"."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def fen_to_decimal(fen: int) -> Decimal:
    """Integer fen as an exact yuan ``Decimal``: 1999 → Decimal("19.99") (never 19.989999…)."""
    return Decimal(int(fen)).scaleb(-2)


def bp_percent(bp: int) -> str:
    """Basis points as a percentage string: 3333 → "33.33%"."""
    return f"{bp // 100}.{bp % 100:02d}%"


def share_fen(price_fen: int, bp: int) -> int:
    """The share of ``price_fen`` at ``bp`` basis points, in whole fen, **rounded down** (floor):
    ``price_fen × bp // 10000``.

    The rule for the government share of a subsidised service: the government pays the floored share
    and the elder pays the rest (``price − share``), so the two always add up to the price and a
    fraction of a fen is never paid out of public money; the elder pays at most 1 fen more than the
    exact split. Example: 19.99 元 at 33.33% → exact 666.2667 fen → government 666 fen (6.66 元),
    elder 1333 fen (13.33 元). Prices and shares are never negative (a correction is a reversal of
    the whole line), so floor and truncation agree. Recorded in ``docs/decisions/0007-money.md``."""
    if price_fen < 0 or not 0 <= bp <= BP_WHOLE:
        raise ValueError("price must be ≥ 0 fen and the share between 0 and 10000 bp")
    return price_fen * bp // BP_WHOLE


def xlsx_money(cell: Any, fen: int) -> Any:
    """Write ``fen`` into an openpyxl cell as a number in yuan formatted ``0.00``."""
    cell.value = fen_to_decimal(fen)
    cell.number_format = MONEY_FORMAT
    return cell


def xlsx_append(ws: Any, values: Sequence[Any], *, money: Iterable[int] = ()) -> None:
    """Append a row to an openpyxl worksheet; the values at the 0-based positions in ``money`` are fen
    and are written as yuan numbers formatted ``0.00`` (``None`` leaves the cell empty); every other
    value goes through ``yiyang.core.xlsx.safe_cell`` (no formula injection)."""
    money = set(money)
    ws.append([None if i in money else safe_cell(v) for i, v in enumerate(values)])
    row = ws.max_row
    for i in money:
        if i < len(values) and values[i] is not None:
            xlsx_money(ws.cell(row=row, column=i + 1), values[i])
