"""One money renderer (pages and spreadsheets) and one share rule, exercised on amounts that round."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.template import Context, Template

from yiyang.core.money import bp_percent, fen_to_decimal, share_fen, xlsx_append, yuan


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0.00"), (5, "0.05"), (1999, "19.99"), (-1234, "-12.34"), (1234567, "12345.67")]
)
def test_yuan_renders_fen_without_floats(fen: int, text: str) -> None:
    assert yuan(fen) == text
    assert Template("{% load money %}{{ v|yuan }}").render(Context({"v": fen})) == text
    assert fen_to_decimal(fen) == Decimal(text)


def test_filters_render_nothing_for_missing_values_and_percentages_from_bp() -> None:
    t = Template("{% load money %}[{{ v|yuan }}][{{ b|percent_bp }}][{{ c|percent_bp }}]")
    assert t.render(Context({"v": None, "b": 3333, "c": 10000})) == "[][33.33%][100.00%]"
    assert bp_percent(5) == "0.05%"


@pytest.mark.parametrize(
    ("price", "bp", "government"),
    [
        (1999, 3333, 666),  # 666.2667 → 666 (round-half-up would agree; floor is the rule)
        (3333, 5000, 1666),  # 1666.5 → 1666: floor, not round-half-up (1667)
        (999, 7777, 776),  # 776.9223 → 776: floor, not nearest (777)
        (1, 9999, 0),  # 0.9999 → 0
        (4550, 10000, 4550),
        (4550, 0, 0),
    ],
)
def test_government_share_is_floored_and_the_elder_pays_the_rest(
    price: int, bp: int, government: int
) -> None:
    assert share_fen(price, bp) == government
    assert 0 <= price * bp / 10000 - government < 1


def test_share_refuses_negative_prices_and_shares_over_the_whole() -> None:
    with pytest.raises(ValueError):
        share_fen(-1, 5000)
    with pytest.raises(ValueError):
        share_fen(100, 10001)


def test_xlsx_money_cells_are_exact_numbers_formatted_two_decimals() -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    xlsx_append(ws, ["a", 1999, None, 10, "x"], money=(1, 2, 3))
    buf = BytesIO()
    wb.save(buf)
    with ZipText(buf.getvalue()) as sheet:
        assert "<v>19.99</v>" in sheet and "<v>0.1</v>" in sheet  # exact decimal text, no 19.989999…
    row = next(load_workbook(BytesIO(buf.getvalue())).worksheets[0].iter_rows())
    assert [c.value for c in row] == ["a", 19.99, None, 0.1, "x"]
    assert row[1].number_format == row[3].number_format == "0.00"
    assert row[0].number_format == "General"


class ZipText:
    """The first worksheet's XML of an .xlsx, as text."""

    def __init__(self, data: bytes) -> None:
        import zipfile

        self.zf = zipfile.ZipFile(BytesIO(data))

    def __enter__(self) -> str:
        return self.zf.read("xl/worksheets/sheet1.xml").decode()

    def __exit__(self, *exc: object) -> None:
        self.zf.close()
