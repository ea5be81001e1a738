"""Test helpers: elders of given ages in the cast's regions (through the register's own service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from yiyang.elders.tests.factories import id_number, make_elder


def born_years_ago(years: int, days: int = 10) -> date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day.fromordinal(day.toordinal() - days)


def elder_aged(cast: Any, region: Any, years: int, **kw: Any) -> Any:
    birth = born_years_ago(years)
    return make_elder(cast, region, id_number=id_number(address=region.code[:6], birth=birth), **kw)


def populate(cast: Any) -> dict[str, Any]:
    """County A: five elders 60+ of whom two are 80+, one of them moved out; county B: three, one 80+."""
    from yiyang.elders.services import elder_change_status

    a = [elder_aged(cast, cast.community_a1, y) for y in (61, 70, 75, 81, 90)]
    gone = elder_aged(cast, cast.community_a1, 85)
    elder_change_status(
        actor=cast.county_admin_a,
        elder=gone,
        status="moved_out",
        effective_date=timezone.localdate(),
        reason="迁出",
    )
    b = [elder_aged(cast, cast.community_b1, y) for y in (65, 66, 82)]
    return {"a": a, "gone": gone, "b": b}


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def xlsx_bytes(rows: list[list[Any]] | None = None) -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows or [["区域", "床位数"], ["广陵区", 1200]]:
        book.active.append(row)  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def make_evidence(cast: Any, region: Any, name: str = "床位统计表.pdf") -> Any:
    """A department's entered value for the county of ``region``, with one PDF evidence file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yiyang.analytics.services import kpi_entry_create
    from yiyang.regions.scope import county_code

    county = county_code(region.code)
    actor = cast.county_admin_a if county == cast.county_a.code else cast.county_admin_b
    entry = kpi_entry_create(
        actor=actor,
        kpi_code="private_bed_share",
        region_code=county,
        value="66.5",
        as_of=date(2026, 6, 30),
        department="民政局",
        evidence="养老机构床位统计表（2026年6月）",
        files=[SimpleUploadedFile(name, PDF, content_type="application/pdf")],
    )
    return entry.files.get()
