"""Bulk import of the register from .xlsx or .csv with Chinese headers (the downloadable template).

The file is streamed (openpyxl ``read_only`` / ``csv.reader``), every row is validated (``Checker``: no
database, in a reader thread; ``Validator``: region scope and birthplace, one query per chunk), good rows
are sealed (encrypted, blind-indexed, masked; crypto set up once) and written in batches (PostgreSQL:
``COPY``; elsewhere ``bulk_create``; re-imports ``bulk_update``) and the report names row, column and
reason — never the submitted value, so no personal data lands in the report or the logs.
Re-importing a person (same ID number, in the importer's scope) updates the record instead of
duplicating it. Modes: ``good-rows`` keeps every good row; ``all-or-nothing`` writes nothing if any
row is bad.
"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import os
import queue
import re
import threading
import uuid
import zipfile
from collections import deque
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone

from yiyang.audit.services import audit_record
from yiyang.core.identifiers import (
    IdentifierError,
    mask_address,
    normalize_phone,
    parse_resident_id,
)
from yiyang.core.pii import cipher, indexer
from yiyang.core.regioncodes import normalize_region_code
from yiyang.core.validators import check_name, check_text
from yiyang.core.xlsx import append_row
from yiyang.elders.choices import Category, LivingSituation, Relation
from yiyang.elders.identity import Warning_, birthplace_warnings_bulk
from yiyang.elders.models import Elder, ElderCategory, ElderContact, ImportJob
from yiyang.elders.services import elder_transferred
from yiyang.regions.models import Region
from yiyang.regions.scope import require_scope

logger = logging.getLogger("yiyang.elders.importing")

PERM = "elders.import"
BATCH = 5000
MAX_REPORTED = 10_000

# (key, header, required, help)
COLUMNS: list[tuple[str, str, bool, str]] = [
    ("name", "姓名", True, "必填，最多 50 字"),
    ("id_number", "身份证号", True, "必填，18 位（15 位旧号自动升位）；同一号码再次导入即更新该老人"),
    ("phone", "联系电话", False, "手机 11 位或带区号的固定电话"),
    ("region_code", "所属社区代码", True, "必填，常住地社区/村 12 位统计用区划代码，须在您的管辖范围内"),
    ("hukou_region_code", "户籍地代码", False, "户籍所在地区划代码（6/9/12 位）"),
    ("address", "居住地址", False, "详细住址"),
    ("lng", "经度", False, "如 119.452"),
    ("lat", "纬度", False, "如 32.394"),
    ("living_situation", "居住情况", False, "、".join(LivingSituation.labels)),
    (
        "categories",
        "类别",
        False,
        "可多个，用、或；分隔：" + "、".join(Category.labels) + "（高龄由出生日期自动得出，无需填写）",
    ),
    ("contact_name", "紧急联系人姓名", False, "选填；填写则作为紧急联系人登记（同名联系人再次导入即更新）"),
    ("contact_phone", "紧急联系人电话", False, "手机 11 位或带区号的固定电话"),
    ("contact_relation", "与老人关系", False, "、".join(Relation.labels)),
    ("notes", "备注", False, "最多 2000 字"),
]
# Columns whose values are digits that a spreadsheet must keep as text (the template formats them "@").
TEXT_COLUMNS = {"id_number", "phone", "region_code", "hukou_region_code", "contact_phone"}
NUMERIC_ID = "单元格为数字格式，身份证号后三位可能已丢失"
# 3.21002E+17, 3.21002194001011E+17, 321002194001011008.0: what Excel writes for an ID typed into a
# "General" cell, or saves to CSV from one.
_NUMERIC_NOTATION = re.compile(r"^\s*\d+(\.\d*)?[eE][+]?\d+\s*$|^\s*\d{15,}\.\d*\s*$")
# 高龄 is derived from the birth date (never stored): accepted in the category column and ignored.
DERIVED_CATEGORIES = {"高龄", "高龄老人", "高龄（80岁以上）", "高龄（80 岁以上）", "80岁以上", "advanced_age"}
DERIVED_NOTE = "提示：类别“高龄”由出生日期自动得出，无需填写，已忽略"
EXAMPLE_MARK = "示例"  # a row whose name starts with this is the template's example: skipped
HEADER_TO_KEY = {header: key for key, header, _, _ in COLUMNS}
KEY_TO_HEADER = {key: header for key, header, _, _ in COLUMNS}
REQUIRED = [key for key, _, required, _ in COLUMNS if required]

LIVING = {
    **{v: v for v in LivingSituation.values},
    **{label: v for v, label in LivingSituation.choices},
    "与配偶": LivingSituation.WITH_SPOUSE,
    "与子女": LivingSituation.WITH_CHILDREN,
}
CATEGORY_ALIASES = {
    **{v: v for v in Category.values},
    **{label: v for v, label in Category.choices},
    "特困": Category.TEKUN_DISPERSED,
    "特困分散": Category.TEKUN_DISPERSED,
    "分散特困": Category.TEKUN_DISPERSED,
    "特困集中": Category.TEKUN_CENTRALISED,
    "集中特困": Category.TEKUN_CENTRALISED,
    "建档立卡": Category.POVERTY_MONITOR,
    "防返贫监测": Category.POVERTY_MONITOR,
    "计生特殊": Category.FAMILY_PLANNING,
    "计划生育特殊家庭": Category.FAMILY_PLANNING,
    "残疾": Category.DISABLED,
    "重点优抚": Category.PRIORITY_CARE,
    "优抚": Category.PRIORITY_CARE,
}
RELATIONS = {
    **{v: v for v in Relation.values},
    **{label: v for v, label in Relation.choices},
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙": Relation.GRANDCHILD,
    "外孙女": Relation.GRANDCHILD,
    "丈夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "老伴": Relation.SPOUSE,
    "子女": Relation.SON,
}
_SPLIT = re.compile(r"[、;；,，/\s]+")


class ImportFormatError(ValueError):
    """The file itself cannot be read (wrong type, missing headers)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Prepared:
    """A row that passed the checks that need no database, with its stored columns already sealed
    (encrypted, blind-indexed, masked). Region codes are normalised but not yet looked up."""

    row: int
    name: str
    id_number: str
    id_hash: str
    birth_date: Any
    sex: str
    phone: str
    region_code: str
    hukou_code: str | None
    address: str
    lat: float | None
    lng: float | None
    living_situation: str
    categories: list[str] | None  # None: column empty → keep existing categories on update
    notes: str
    address_code: str  # birthplace: first six digits of the ID number
    converted_15: bool
    values: dict[str, Any] = field(default_factory=dict)
    warnings: list[Warning_] = field(default_factory=list)
    # the emergency contact of the row (name, relation, sealed phone columns), or None
    contact: dict[str, Any] | None = None
    hints: list[RowError] = field(default_factory=list)  # notes for the report that do not refuse the row
    # drawn by the reader thread: os.urandom releases the GIL, and the writing thread would then wait to
    # get it back from the reader once per row
    public_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass
class Report:
    total: int = 0
    processed: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    warned: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: bool = False

    def error(self, err: RowError) -> None:
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(err)


# --- reading -------------------------------------------------------------------------------------------


def _clean_header(value: Any) -> str:
    return str(value or "").replace("*", "").replace("（必填）", "").strip()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def max_bytes() -> int:
    return int(getattr(settings, "YIYANG_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_uncompressed() -> int:
    return int(getattr(settings, "YIYANG_IMPORT_MAX_UNCOMPRESSED", 200 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "YIYANG_IMPORT_MAX_ROWS", 200_000))


def max_columns() -> int:
    return int(getattr(settings, "YIYANG_IMPORT_MAX_COLUMNS", 50))


# A worksheet's XML compresses 10–30×; a decompression bomb compresses hundreds of times.
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # members smaller than this are never refused for their ratio
MAX_SHARED_STRINGS = 32 * 1024 * 1024  # openpyxl keeps every shared string in memory, even read-only
MAX_MEMBERS = 500
BAD_ENCODING = "含有无法识别的字符（文件须为 UTF-8 或 GBK 编码）"


def check_file(path: Path) -> None:
    """Refuse a file before any parser opens it: size, and for .xlsx (a zip) the declared sizes of its
    members — total, per member ratio and the shared strings — so a zip bomb is refused in milliseconds.
    (``zipfile`` never inflates a member past its declared size, so the declared sizes are a bound.)"""
    size = path.stat().st_size
    if size == 0:
        raise ImportFormatError("文件为空")
    if size > max_bytes():
        raise ImportFormatError(f"文件过大（上限 {max_bytes() // (1024 * 1024)} MB），请拆分后分批导入")
    if path.suffix.lower() != ".xlsx":
        return
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFormatError("无法读取 .xlsx 文件，请确认文件未损坏") from exc
    if len(members) > MAX_MEMBERS:
        raise ImportFormatError("无法读取 .xlsx 文件：文件结构异常")
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise ImportFormatError("文件解压后异常膨胀（疑似压缩炸弹），已拒绝")
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > MAX_SHARED_STRINGS:
            raise ImportFormatError("文件中的文字内容过多，请拆分后分批导入")
    if total > max_uncompressed():
        raise ImportFormatError(
            f"文件解压后过大（上限 {max_uncompressed() // (1024 * 1024)} MB），请拆分后分批导入"
        )


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the buffer edge
            return "gb18030"  # Excel in Chinese locales saves CSV as GBK
    return "utf-8-sig"


def _csv_lines(path: Path) -> Iterator[str]:
    """Decoded lines. The encoding is sniffed on the head; a later line that does not decode is passed on
    with U+FFFD in place of the bad bytes, and ``Checker`` reports that row (never a 500, never a stuck
    job). NUL bytes likewise reach ``Checker``, which refuses them."""
    with path.open("r", encoding=_csv_encoding(path), errors="replace", newline="") as fh:
        yield from fh


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(row number as the user sees it, {key: text})``, streaming the file within the limits."""
    source = _raw_rows(path)
    keys = next(source)
    for number, values in source:
        record = _record(keys, values)
        if record is not None:
            yield number, record


def _record(keys: list[str | None], values: list[Any]) -> dict[str, str] | None:
    """One row of cells as ``{key: text}``; None for a blank row or the template's example row."""
    record = {k: _cell(v) for k, v in zip(keys, values, strict=False) if k}
    for k, v in zip(keys, values, strict=False):
        # a number cell (int/float), or CSV text in scientific notation: the digits after the
        # 15th are already lost — refused for the row, never stored
        if k == "id_number" and (
            (isinstance(v, int | float) and not isinstance(v, bool))
            or (isinstance(v, str) and _NUMERIC_NOTATION.match(v))
        ):
            record["_id_numeric"] = "1"
    if any(record.values()) and not record.get("name", "").startswith(EXAMPLE_MARK):
        return record
    return None


def _raw_rows(path: Path) -> Generator[Any, None, None]:
    """The file's column keys (first item), then ``(row number, cells)`` for every data row, streaming the
    file within the limits; ``_record`` turns cells into a row (the bulk path does that in its workers)."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ImportFormatError("只支持 .xlsx 或 .csv 文件")
    check_file(path)
    limit_cols = max_columns()
    if suffix == ".csv":
        rows: Iterator[list[Any]] = csv.reader(_csv_lines(path))
        wb = None
    else:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
            ws = wb.worksheets[0]
            rows = (list(r) for r in ws.iter_rows(values_only=True, max_col=limit_cols))
        except Exception as exc:  # openpyxl raises many types for a corrupt file
            raise ImportFormatError("无法读取 .xlsx 文件，请确认文件未损坏") from exc
    number = 1
    try:
        header = next(rows, None)
        if header is None:
            raise ImportFormatError("文件为空")
        if len(header) > limit_cols and any(header[limit_cols:]):
            raise ImportFormatError(f"列数过多（最多 {limit_cols} 列），请使用下载的模板")
        keys = [HEADER_TO_KEY.get(_clean_header(h)) for h in header[:limit_cols]]
        missing = [KEY_TO_HEADER[k] for k in REQUIRED if k not in keys]
        if missing:
            raise ImportFormatError("缺少必填列：" + "、".join(missing) + "（请使用下载的模板）")
        yield keys
        limit_rows = max_rows()
        for number, values in enumerate(rows, start=2):
            if number - 1 > limit_rows:
                raise ImportFormatError(f"行数过多（最多 {limit_rows} 行），请拆分后分批导入")
            yield number, values
    except ImportFormatError:
        raise
    except csv.Error as exc:  # a field over the CSV module's limit, a broken quote
        raise ImportFormatError(f"第 {number + 1} 行无法解析（字段过长或引号不成对），请检查后重试") from exc
    except GeneratorExit:
        raise
    except Exception as exc:
        if wb is None:
            raise
        # a truncated or corrupt .xlsx, or XML that defusedxml refuses (entities, DTDs)
        raise ImportFormatError("无法读取 .xlsx 文件，请确认文件未损坏") from exc
    finally:
        if wb is not None:
            wb.close()


def count_rows(path: Path) -> int:
    """Data rows (for the progress bar), without loading the file; 0 if it cannot tell."""
    try:
        check_file(path)
    except ImportFormatError:
        return 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True)
            ws = wb.worksheets[0]
            n = (ws.max_row or 1) - 1
            wb.close()
            return min(max(n, 0), max_rows())
        except Exception:
            return 0
    with path.open("rb") as fh:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1, 0)


# --- validating ----------------------------------------------------------------------------------------


class Sealer:
    """The crypto of one import, set up once: the field cipher and the three keyed blind-index functions
    (same output as ``yiyang.elders.identity.id_number_index`` / ``phone_index`` / ``phone_tail_index``)."""

    def __init__(self) -> None:
        self.encrypt = cipher().encrypt
        self.id_index = indexer("id_number")
        self.phone_index = indexer("phone")
        self.phone_tail_index = indexer("phone_tail")


def _mask_normalized_phone(phone: str) -> str:
    """``mask_phone`` for a number already normalised by ``normalize_phone`` (no second parse)."""
    if "-" in phone:
        area, local = phone.split("-", 1)
        return area + "****" + local[-4:]
    return phone[:3] + "****" + phone[-4:]


class Checked(NamedTuple):
    number: int
    prepared: Prepared | None  # None: the row has errors
    errors: list[RowError]
    region_code: str | None  # normalised, still to be looked up
    hukou_code: str | None


class Checker:
    """The checks of one row that need no database (thread-safe: no shared mutable state), and the sealing
    of a good row's stored columns. Region codes are only normalised here; ``Validator`` looks them up."""

    def __init__(self, seal: Sealer) -> None:
        self.seal = seal
        self.today = timezone.localdate()

    def check(self, number: int, raw: dict[str, str]) -> Checked:
        errors: list[RowError] = []

        def bad(key: str, message: str) -> None:
            errors.append(RowError(number, KEY_TO_HEADER[key], message))

        for key, text in raw.items():
            if "\ufffd" in text and key in KEY_TO_HEADER:
                bad(key, BAD_ENCODING)
        name = raw.get("name", "")
        if not name:
            bad("name", "姓名不能为空")
        else:
            try:
                name = check_name(name, label="姓名", max_length=50)
            except ValidationError as exc:
                bad("name", exc.messages[0])
        rid = None
        if raw.get("_id_numeric"):
            bad("id_number", NUMERIC_ID)
        elif not raw.get("id_number"):
            bad("id_number", "身份证号不能为空")
        else:
            try:
                rid = parse_resident_id(raw["id_number"], today=self.today)
            except IdentifierError as exc:
                bad("id_number", exc.message)
        phone = ""
        if raw.get("phone"):
            try:
                phone = normalize_phone(raw["phone"])
            except IdentifierError as exc:
                bad("phone", exc.message)
        region_code = None
        code = raw.get("region_code", "")
        if not code:
            bad("region_code", "所属社区代码不能为空")
        else:
            try:
                region_code = normalize_region_code(code)
            except ValueError as exc:
                bad("region_code", str(exc))
        hukou_code = None
        if raw.get("hukou_region_code"):
            try:
                hukou_code = normalize_region_code(raw["hukou_region_code"])
            except ValueError as exc:
                bad("hukou_region_code", str(exc))
        coords: dict[str, float | None] = {"lat": None, "lng": None}
        for key, low, high in (("lat", -90.0, 90.0), ("lng", -180.0, 180.0)):
            if raw.get(key):
                try:
                    value = float(raw[key])
                    if not low <= value <= high:
                        raise ValueError
                    coords[key] = value
                except ValueError:
                    bad(key, f"应为 {low:g} 到 {high:g} 之间的数字")
        living = LivingSituation.UNKNOWN.value
        if raw.get("living_situation"):
            found = LIVING.get(raw["living_situation"])
            if found is None:
                bad("living_situation", "居住情况只能是：" + "、".join(LivingSituation.labels))
            else:
                living = found
        categories = None
        hints: list[RowError] = []
        if raw.get("categories"):
            categories = []
            for part in filter(None, _SPLIT.split(raw["categories"])):
                if part in DERIVED_CATEGORIES:
                    hints.append(RowError(number, KEY_TO_HEADER["categories"], DERIVED_NOTE))
                    continue
                cat = CATEGORY_ALIASES.get(part)
                if cat is None:
                    bad(
                        "categories",
                        f"无法识别的类别“{part[:10]}”，可填："
                        + "、".join(Category.labels)
                        + "（高龄自动得出，无需填写）",
                    )
                elif cat not in categories:
                    categories.append(cat)
        notes = raw.get("notes", "")
        try:
            notes = check_text(notes, label="备注", max_length=2000, multiline=True)
        except ValidationError as exc:
            bad("notes", exc.messages[0])
        address = raw.get("address", "")
        try:
            address = check_text(address, label="居住地址", max_length=200)
        except ValidationError as exc:
            bad("address", exc.messages[0])
        contact = self._contact(raw, bad)
        if rid is None or region_code is None:
            return Checked(number, None, errors, region_code, hukou_code)
        p = Prepared(
            row=number,
            name=name,
            id_number=rid.number,
            id_hash=self.seal.id_index(rid.number),
            birth_date=rid.birth_date,
            sex=rid.sex,
            phone=phone,
            region_code=region_code,
            hukou_code=hukou_code,
            address=address,
            lat=coords["lat"],
            lng=coords["lng"],
            living_situation=living,
            categories=categories,
            notes=notes,
            address_code=rid.address_code,
            converted_15=rid.converted_from_15,
            contact=contact,
            hints=hints,
        )
        if not errors:
            p.values = _values(p, self.seal)
        return Checked(number, p, errors, region_code, hukou_code)

    def _contact(self, raw: dict[str, str], bad: Any) -> dict[str, Any] | None:
        """The row's emergency contact: a name is needed if a phone or relation is given."""
        name, phone, relation = (
            raw.get("contact_name", ""),
            raw.get("contact_phone", ""),
            raw.get("contact_relation", ""),
        )
        if not (name or phone or relation):
            return None
        ok = True
        if not name:
            bad("contact_name", "填写了紧急联系人电话或关系时，请填写联系人姓名")
            ok = False
        else:
            try:
                name = check_name(name, label="紧急联系人姓名", max_length=50)
            except ValidationError as exc:
                bad("contact_name", exc.messages[0])
                ok = False
        normalized = ""
        if phone:
            try:
                normalized = normalize_phone(phone)
            except IdentifierError as exc:
                bad("contact_phone", exc.message)
                ok = False
        code = Relation.OTHER.value
        if relation:
            found = RELATIONS.get(relation)
            if found is None:
                bad("contact_relation", "与老人关系只能是：" + "、".join(Relation.labels))
                ok = False
            else:
                code = str(found)
        if not ok:
            return None
        return {
            "name": name,
            "relation": code,
            "phone_enc": self.seal.encrypt(normalized) if normalized else "",
            "phone_hash": self.seal.phone_index(normalized.replace("-", "")) if normalized else "",
            "phone_masked": _mask_normalized_phone(normalized) if normalized else "",
        }


class Validator:
    """The checks that need the database, for a chunk of rows at once: the community must exist in the
    importer's scope, the household registration region must exist, and birthplace warnings. Look-ups are
    cached for the whole file (one query per chunk for codes not seen before)."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self._scoped: dict[str, bool] = {}
        self._any: dict[str, bool] = {}
        self._birthplace: dict[str, list[Warning_]] = {}

    def _load(self, items: list[Checked]) -> None:
        scoped = {c.region_code for c in items if c.region_code} - self._scoped.keys()
        anywhere = {c.hukou_code for c in items if c.hukou_code} - self._any.keys()
        births = {c.prepared.address_code for c in items if c.prepared is not None} - self._birthplace.keys()
        if scoped:
            found = set(
                Region.objects.restrict(self.actor, PERM)
                .filter(code__in=scoped)
                .values_list("code", flat=True)
            )
            self._scoped.update({code: code in found for code in scoped})
        if anywhere:
            found = set(Region.objects.filter(code__in=anywhere).values_list("code", flat=True))
            self._any.update({code: code in found for code in anywhere})
        if births:
            self._birthplace.update(birthplace_warnings_bulk(births))

    def resolve(self, items: list[Checked]) -> Iterator[tuple[int, Prepared | None, list[RowError]]]:
        """Complete ``Checker.check`` results: a row is good (``Prepared`` with its warnings, no errors) or
        has errors (every error of the row)."""
        self._load(items)
        for number, p, errors, region_code, hukou_code in items:
            if region_code and not self._scoped[region_code]:
                errors.append(
                    RowError(number, KEY_TO_HEADER["region_code"], "区划代码不存在或不在您的管辖范围内")
                )
            if hukou_code and not self._any[hukou_code]:
                errors.append(RowError(number, KEY_TO_HEADER["hukou_region_code"], "区划代码不存在"))
            if errors:
                p = None
            elif p is not None:
                p.warnings = list(self._birthplace[p.address_code])
                if p.converted_15:
                    p.warnings.append(Warning_("converted_15", "15 位身份证号已升位为 18 位"))
            yield number, p, errors


# --- writing -------------------------------------------------------------------------------------------


def _values(p: Prepared, seal: Sealer) -> dict[str, Any]:
    """The stored columns of one good row: encrypted, blind-indexed and masked (one cipher, reused)."""
    number = p.id_number  # validated and normalised: 18 characters
    values: dict[str, Any] = {
        "name": p.name,
        "id_number_enc": seal.encrypt(number),
        "id_number_hash": p.id_hash,
        "id_number_masked": number[:6] + "********" + number[14:],  # = mask_id_number(number)
        "birth_date": p.birth_date,
        "sex": p.sex,
        "region_id": p.region_code,
        "living_situation": p.living_situation,
    }
    if p.phone:
        digits = p.phone.replace("-", "")
        values.update(
            phone_enc=seal.encrypt(p.phone),
            phone_hash=seal.phone_index(digits),
            phone_tail_hash=seal.phone_tail_index(digits[-4:]),
            phone_masked=_mask_normalized_phone(p.phone),
        )
    if p.address:
        values.update(address_enc=seal.encrypt(p.address), address_masked=mask_address(p.address))
    if p.hukou_code is not None:
        values["hukou_region_id"] = p.hukou_code
    if p.lat is not None:
        values["lat"] = p.lat
    if p.lng is not None:
        values["lng"] = p.lng
    if p.notes:
        values["notes"] = p.notes
    return values


def _fill(elder: Elder, p: Prepared) -> None:
    values = dict(p.values)
    if p.living_situation == LivingSituation.UNKNOWN and elder.living_situation:
        values.pop("living_situation")  # an empty column keeps what is known
    for key, value in values.items():
        setattr(elder, key, value)


COPY_COLUMNS = [
    "id",
    "public_id",
    "name",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "birth_date",
    "sex",
    "phone_enc",
    "phone_hash",
    "phone_tail_hash",
    "phone_masked",
    "region_id",
    "hukou_region_id",
    "address_enc",
    "address_masked",
    "lat",
    "lng",
    "living_situation",
    "status",
    "capability_standard",
    "capability_label",
    "disabled_moderate_plus",
    "notes",
    "created_at",
    "updated_at",
    "created_by_id",
]
_COPY_DEFAULTS = {
    "phone_enc": "",
    "phone_hash": "",
    "phone_tail_hash": "",
    "phone_masked": "",
    "hukou_region_id": None,
    "address_enc": "",
    "address_masked": "",
    "lat": None,
    "lng": None,
    "status": "active",
    "capability_standard": "",
    "capability_label": "",
    "disabled_moderate_plus": False,
    "notes": "",
}
TABLE = Elder._meta.db_table
CATEGORY_COPY_COLUMNS = ["elder_id", "category", "disability_certificate", "disability_kind", "note"]


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _existing(hashes: list[str]) -> dict[str, Elder]:
    """Already registered people among ``hashes``. PostgreSQL: one ``= ANY(array)`` probe of the unique
    index first (a 5,000-placeholder ``IN`` list costs more to build and parse than to run); full rows are
    loaded only for the hashes found (re-imports)."""
    if _postgres():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id_number_hash FROM {TABLE} WHERE id_number_hash = ANY(%s)",  # noqa: S608 (model table)
                [hashes],
            )
            hashes = [h for (h,) in cursor.fetchall()]
        if not hashes:
            return {}
    return {e.id_number_hash: e for e in Elder.objects.filter(id_number_hash__in=hashes)}


def _reserve_ids(n: int) -> list[int]:
    """``n`` primary keys from the table's identity sequence (safe with concurrent writers)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT nextval(pg_get_serial_sequence('{TABLE}', 'id')) FROM generate_series(1, %s)",  # noqa: S608
            [n],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _insert(rows: list[Prepared], creator_id: int | None, now: Any) -> dict[str, int]:
    """Insert new elders; returns {id_number_hash: pk}. PostgreSQL: primary keys reserved from the sequence
    in one query, then ``COPY … FROM STDIN`` (the fast path the benchmark measures); other databases:
    ``bulk_create``."""
    if _postgres():
        from django.db import connection

        ids = _reserve_ids(len(rows))
        fixed = {"created_at": now, "updated_at": now, "created_by_id": creator_id}
        sql = f"COPY {Elder._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        pks: dict[str, int] = {}
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            write = copy.write_row
            for pk, p in zip(ids, rows, strict=True):
                merged = {**_COPY_DEFAULTS, **p.values, **fixed, "id": pk, "public_id": p.public_id}
                write([merged[c] for c in COPY_COLUMNS])
                pks[p.id_hash] = pk
        return pks
    objs = [
        Elder(created_by_id=creator_id, created_at=now, updated_at=now, public_id=p.public_id, **p.values)
        for p in rows
    ]
    Elder.objects.bulk_create(objs, batch_size=BATCH)
    if objs and objs[0].pk is None:
        return dict(
            Elder.objects.filter(id_number_hash__in=[e.id_number_hash for e in objs]).values_list(
                "id_number_hash", "pk"
            )
        )
    return {e.id_number_hash: e.pk for e in objs}


def _insert_categories(pairs: list[tuple[int, str]]) -> None:
    """``(elder pk, category)`` rows; PostgreSQL: ``COPY``, others: ``bulk_create``."""
    if _postgres():
        from django.db import connection

        sql = f"COPY {ElderCategory._meta.db_table} ({', '.join(CATEGORY_COPY_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for pk, category in pairs:
                copy.write_row((pk, category, "", "", ""))
        return
    ElderCategory.objects.bulk_create(
        [ElderCategory(elder_id=pk, category=c) for pk, c in pairs], batch_size=BATCH
    )


UPDATE_FIELDS = [
    "name",
    "id_number_enc",
    "id_number_masked",
    "phone_enc",
    "phone_hash",
    "phone_tail_hash",
    "phone_masked",
    "address_enc",
    "address_masked",
    "region",
    "hukou_region",
    "lat",
    "lng",
    "living_situation",
    "notes",
    "updated_at",
]


def _write_batch(batch: list[Prepared], actor: Any, started: Any, report: Report) -> None:
    """Create new people, update re-imported ones (in scope), report the rest. One query to find the
    existing rows, one COPY/bulk insert, one bulk update, one category write."""
    seen: dict[str, int] = {}
    unique: list[Prepared] = []
    for p in batch:
        if p.id_hash in seen:
            report.failed += 1
            report.error(RowError(p.row, "身份证号", f"与第 {seen[p.id_hash]} 行身份证号重复"))
        else:
            seen[p.id_hash] = p.row
            unique.append(p)
    existing = _existing(list(seen))
    editable = (
        set(
            Elder.objects.restrict(actor, PERM)
            .filter(pk__in=[e.pk for e in existing.values()])
            .values_list("pk", flat=True)
        )
        if existing
        else set()
    )
    now = timezone.now()
    new_prepared: list[Prepared] = []
    changed: list[Elder] = []
    changed_prepared: list[Prepared] = []
    moved_from: dict[int, str] = {}
    creator_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    for p in unique:
        elder = existing.get(p.id_hash)
        if elder is None:
            new_prepared.append(p)
        elif elder.pk not in editable:
            report.failed += 1
            report.error(RowError(p.row, "身份证号", "该身份证号已在其他区域登记（如属迁入请办理转移）"))
        elif elder.created_at >= started:
            report.failed += 1
            report.error(RowError(p.row, "身份证号", "与本文件前面某行的身份证号重复"))
        else:
            moved_from[elder.pk] = elder.region_id
            _fill(elder, p)
            elder.updated_at = now
            changed.append(elder)
            changed_prepared.append(p)
    pks: dict[str, int] = {}
    if new_prepared:
        pks = _insert(new_prepared, creator_id, now)
    if changed:
        Elder.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=BATCH)
        replace = [e.pk for e, p in zip(changed, changed_prepared, strict=True) if p.categories is not None]
        if replace:
            ElderCategory.objects.filter(elder_id__in=replace).delete()
        pks.update({e.id_number_hash: e.pk for e in changed})
        for e in changed:
            _audit_transfer(actor, e, moved_from[e.pk])
    cats = [(pks[p.id_hash], c) for p in new_prepared + changed_prepared for c in p.categories or []]
    if cats:
        _insert_categories(cats)
    _write_contacts([(pks[p.id_hash], p.contact) for p in new_prepared + changed_prepared if p.contact])
    report.created += len(new_prepared)
    report.updated += len(changed)


def _write_contacts(pairs: list[tuple[int, dict[str, Any]]]) -> None:
    """Emergency contacts of the batch: a contact of the same name on the same elder is updated (a
    re-import), any other is added; one query to find them, one bulk insert, one bulk update."""
    if not pairs:
        return
    existing = {
        (c.elder_id, c.name): c
        for c in ElderContact.objects.filter(
            elder_id__in=[pk for pk, _ in pairs], name__in={c["name"] for _, c in pairs}
        )
    }
    new: list[ElderContact] = []
    changed: list[ElderContact] = []
    for pk, contact in pairs:
        found = existing.get((pk, contact["name"]))
        if found is None:
            new.append(ElderContact(elder_id=pk, is_emergency=True, **contact))
            continue
        found.relation = contact["relation"]
        found.is_emergency = True
        if contact["phone_enc"]:
            found.phone_enc, found.phone_masked = contact["phone_enc"], contact["phone_masked"]
            found.phone_hash = contact["phone_hash"]
        changed.append(found)
    if new:
        ElderContact.objects.bulk_create(new, batch_size=BATCH)
    if changed:
        ElderContact.objects.bulk_update(
            changed, ["relation", "is_emergency", "phone_enc", "phone_hash", "phone_masked"]
        )


def _audit_transfer(actor: Any, elder: Elder, old_region: str) -> None:
    """A re-import that moves an elder is a transfer: audited as ``elders.transfer`` (both regions) in the
    batch's transaction, and the elder's open rows move with it (``elder_transferred``)."""
    if elder.region_id == old_region:
        return
    require_scope(actor, PERM, old_region)
    require_scope(actor, PERM, elder.region_id)
    effects = elder_transferred(elder=elder, old_region=old_region, new_region=elder.region_id, actor=actor)
    audit_record(
        actor=actor,
        region=elder.region_id,
        event="elders.transfer",
        obj=elder,
        data={"from": old_region, "to": elder.region_id, "via": "import", "effects": effects},
    )


def _relax_commit() -> None:
    """An import batch need not wait for the WAL flush: a crash can lose at most the last batches, which a
    re-import (idempotent: it updates by ID number) restores. Never corrupts; PostgreSQL only."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _refresh_statistics() -> None:
    """PostgreSQL plans the per-batch "already registered?" lookup from table statistics; a table that
        grows from empty during a large import would otherwise be planned as empty (sequential scans, quadratic
        time). Analysed after batches 1 and 2 only: from then on the planner scales the row count by the table's
    current size (rows per page × pages), so later ANALYZEs (0.2–0.3 s each) bought nothing."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Elder._meta.db_table}")


# --- the bulk path (PostgreSQL): indexes set aside, rows checked by a process pool ------------------------

# ``auto`` takes the bulk path for a file of at least ``ELDERS_IMPORT_BULK_MIN_ROWS`` rows into a register
# holding at most BULK_MAX_EXISTING_SHARE × the file's rows (rebuilding the indexes costs time in proportion
# to the whole table; maintaining them row by row, in proportion to the new rows). Unset (the default), auto
# keeps the general path: on this project's 2-core machine the bulk path was not faster (measured in
# docs/decisions/0018-register-import-fast-path.md); a server with spare cores measures with
# bench/elders_import.py and sets it.
BULK_MAX_EXISTING_SHARE = 1.0
# the tables whose secondary indexes, and the foreign keys between them, are set aside during a bulk load
# (the primary keys and unique constraints stay: they keep "one record per person" checked row by row)
BULK_TABLES = [Elder._meta.db_table, ElderCategory._meta.db_table]
BULK_LOCK_TIMEOUT = "5s"  # waiting longer for readers to finish: the general path runs instead


class _TableBusy(Exception):
    """The register could not be locked for a bulk load within ``BULK_LOCK_TIMEOUT``."""


def _register_rows() -> int:
    """The register's size: PostgreSQL's estimate (``reltuples``), counted when there is none yet."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [TABLE])
        (estimate,) = cursor.fetchone()
        if estimate < 0:  # never analysed
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 (model table)
            (estimate,) = cursor.fetchone()
    return int(estimate)


def bulk_min_rows() -> int | None:
    value = getattr(settings, "ELDERS_IMPORT_BULK_MIN_ROWS", None)
    return int(value) if value is not None else None


def choose_strategy(rows: int) -> str:
    """``bulk`` for a large file into an empty or small register on PostgreSQL (when the deployment turned
    it on with ``ELDERS_IMPORT_BULK_MIN_ROWS``), else ``general``."""
    threshold = bulk_min_rows()
    if threshold is None or not _postgres() or rows < threshold:
        return "general"
    return "bulk" if _register_rows() <= rows * BULK_MAX_EXISTING_SHARE else "general"


def _workers() -> int:
    """Processes checking and encrypting rows on the bulk path (``ELDERS_IMPORT_WORKERS``). Default: the
    cores beyond two — this process reads the file and feeds PostgreSQL, and the server needs a core of its
    own; on two cores a pool only adds pickling to a saturated machine (measured: decision 0018). 0: no pool,
    the reader thread of the general path. A daemonic process (a Celery prefork worker) may not start
    children: there it is 0 too."""
    configured = getattr(settings, "ELDERS_IMPORT_WORKERS", None)
    n = int(configured) if configured is not None else max((os.cpu_count() or 1) - 2, 0)
    if multiprocessing.current_process().daemon:
        return 0
    return max(n, 0)


_WORKER: tuple[Checker, list[str | None]] | None = None


def _worker_start(keys: list[str | None]) -> None:
    global _WORKER  # one per worker process: the crypto is set up once
    _WORKER = (Checker(Sealer()), keys)


def _worker_check(rows: list[tuple[int, list[Any]]]) -> list[Checked]:
    """Cells → row → ``Checker.check`` for a piece of the file, in a worker process."""
    assert _WORKER is not None
    checker, keys = _WORKER
    out = []
    for number, values in rows:
        record = _record(keys, values)
        if record is not None:
            out.append(checker.check(number, record))
    return out


def _pooled_chunks(path: Path, size: int, workers: int) -> Generator[list[Checked], None, None]:
    """The file's rows through ``_record`` and ``Checker.check`` in a pool of ``workers`` processes, in
    chunks of about ``size``, in file order. This process only reads the file (the workers never touch it
    or the database); at most two pieces per worker are in flight, so memory stays flat whatever the
    file's size. Leaving early (an error, an interrupted import) terminates the pool."""
    source = _raw_rows(path)
    keys = next(source)  # a missing column is reported before any worker starts
    context = multiprocessing.get_context("fork")  # the workers inherit the configured settings and keys
    piece = max(size // (2 * workers), 1)
    try:
        with context.Pool(workers, initializer=_worker_start, initargs=(keys,)) as pool:
            pending: deque[Any] = deque()
            rows: list[tuple[int, list[Any]]] = []
            chunk: list[Checked] = []
            for item in source:
                rows.append(item)
                if len(rows) >= piece:
                    pending.append(pool.apply_async(_worker_check, (rows,)))
                    rows = []
                    while len(pending) > 2 * workers:
                        chunk.extend(pending.popleft().get())
                        if len(chunk) >= size:
                            yield chunk
                            chunk = []
            if rows:
                pending.append(pool.apply_async(_worker_check, (rows,)))
            while pending:
                chunk.extend(pending.popleft().get())
                if len(chunk) >= size:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk
    finally:
        source.close()


class _ProgressWriter:
    """Progress of a bulk import, written through a second connection (autocommit): the import's own
    transaction commits only at the end, and the progress bar must move before that."""

    def __init__(self) -> None:
        self.conn = connections.create_connection("default")

    def update(self, pk: int, counts: dict[str, int]) -> None:
        sets = ", ".join(f"{k} = %s" for k in counts)
        with self.conn.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {sets} WHERE id = %s",  # noqa: S608 (model columns)
                [*counts.values(), pk],
            )

    def close(self) -> None:
        self.conn.close()


def _set_indexes_aside() -> list[str]:
    """In the bulk import's transaction: lock the register's tables against every other session (nobody
    sees a half-loaded register: they wait for the commit), then drop their secondary indexes (the trigram
    index too) and the foreign keys between them, the way ``pg_restore`` loads data before it builds indexes
    and constraints. Foreign keys to other tables (regions, users) stay: dropping one would lock the other
    table (every page reads regions) until the commit; they are checked row by row at the commit.
    Returns the statements that recreate them exactly (``pg_get_indexdef``/``pg_get_constraintdef``);
    ``_restore_indexes`` runs them before the commit. PostgreSQL DDL is transactional: if the import fails
    or the process dies, the transaction rolls back and every index and constraint is as it was."""
    tables = ", ".join(BULK_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{BULK_LOCK_TIMEOUT}'")
        try:
            with transaction.atomic():
                cursor.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        except OperationalError as exc:
            raise _TableBusy from exc
        cursor.execute("SET LOCAL lock_timeout = 0")
        # PostgreSQL alters no table with pending deferred foreign-key checks (rows written earlier in the
        # caller's transaction): run them now, then defer again
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = ANY(%s::regclass[])
               AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY 1
            """,
            [BULK_TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c
             WHERE c.conrelid = ANY(%s::regclass[]) AND c.confrelid = ANY(%s::regclass[]) AND c.contype = 'f'
             ORDER BY 1, 2
            """,
            [BULK_TABLES, BULK_TABLES],
        )
        foreign = cursor.fetchall()
        for table, name, _ in foreign:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [ddl for _, ddl in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for table, name, ddl in foreign
    ]


def _restore_indexes(statements: list[str]) -> None:
    """Build the indexes set aside (each in one sort, with more memory than a row-by-row insert gets) and
    add the foreign keys back (each checked in one query over the whole table). Still inside the import's
    transaction. The statistics are those of the early ANALYZE (``_refresh_statistics``) until autovacuum
    analyses the loaded table after the commit (a final ANALYZE cost 3 s per 100,000 rows)."""
    with connection.cursor() as cursor:
        # the deferred foreign-key checks of the loaded rows (regions, users) run now, as the commit would run
        # them: PostgreSQL builds no index on a table with pending trigger events
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        memory = getattr(settings, "ELDERS_IMPORT_INDEX_MEMORY", "256MB")
        cursor.execute("SELECT set_config('maintenance_work_mem', %s, true)", [memory])
        for ddl in statements:
            cursor.execute(ddl)


_DONE = object()


def _checked_chunks(
    path: Path, checker: Checker, size: int, threaded: bool
) -> Generator[list[Checked], None, None]:
    """The file's rows through ``Checker.check``, in chunks of ``size``.

    ``threaded``: a reader thread parses, checks and encrypts (pure Python, no database) while the calling
    thread writes the previous batch — psycopg releases the GIL while it waits for PostgreSQL (COPY into an
    indexed table, the commit's foreign-key checks), so the two overlap. The queue holds at most two
    chunks, so memory stays flat; an error in the reader is re-raised here; leaving early stops the
    reader."""

    def chunks() -> Generator[list[Checked], None, None]:
        chunk: list[Checked] = []
        for number, raw in iter_rows(path):
            chunk.append(checker.check(number, raw))
            if len(chunk) >= size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    if not threaded:
        yield from chunks()
        return
    out: queue.Queue[Any] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        source = chunks()
        try:
            for chunk in source:
                if not put(chunk):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the calling thread, which re-raises it
            put(exc)
        finally:
            source.close()  # closes the workbook if stopped early

    reader = threading.Thread(target=produce, name="elder-import-reader", daemon=True)
    reader.start()
    try:
        while (item := out.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


class _Rollback(Exception):
    pass


def run_import(
    path: Path,
    *,
    actor: Any,
    mode: str = ImportJob.Mode.GOOD_ROWS,
    job: ImportJob | None = None,
    batch_size: int = BATCH,
    threaded: bool = True,
    strategy: str = "auto",
) -> Report:
    """Import a file; ``job`` (optional) receives progress after every batch. ``threaded``: read, check and
    encrypt in a second thread while this one waits for the database (see ``_checked_chunks``).

    ``strategy``: ``general`` writes batch by batch into the indexed table; ``bulk`` (PostgreSQL) loads the
    whole file in one transaction with the register's secondary indexes and foreign keys set aside and
    rebuilt at the end, rows checked and encrypted by a process pool where there are cores to spare (see
    ``_set_indexes_aside``, ``_pooled_chunks``); ``auto`` picks ``bulk`` for a large file into an empty or
    small register when the deployment set ``ELDERS_IMPORT_BULK_MIN_ROWS`` (``choose_strategy``). Both give
    the same rows, report and audit events."""
    report = Report(total=count_rows(path))
    if job is not None:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total=report.total)
    if strategy == "auto":
        strategy = choose_strategy(report.total)
    if strategy == "bulk" and _postgres():
        try:
            return _run(path, actor, mode, job, batch_size, threaded, report, bulk=True)
        except _TableBusy:
            logger.info("register busy: bulk import falls back to the general path")
            report = Report(total=report.total)
    return _run(path, actor, mode, job, batch_size, threaded, report, bulk=False)


def _run(
    path: Path,
    actor: Any,
    mode: str,
    job: ImportJob | None,
    batch_size: int,
    threaded: bool,
    report: Report,
    *,
    bulk: bool,
) -> Report:
    checker = Checker(Sealer())
    validator = Validator(actor)
    started = timezone.now()
    all_or_nothing = mode == ImportJob.Mode.ALL_OR_NOTHING
    side = _ProgressWriter() if bulk and job is not None else None

    def progress() -> None:
        if job is None:
            return
        counts = {
            "processed": report.processed,
            "created": report.created,
            "updated": report.updated,
            "failed": report.failed,
            "warned": report.warned,
        }
        if (
            side is not None
        ):  # the bulk transaction commits at the end: progress goes through a second connection
            side.update(job.pk, counts)
        else:
            ImportJob.objects.filter(pk=job.pk).update(**counts)

    batches = [0]

    def flush(batch: list[Prepared]) -> None:
        if batch:
            if all_or_nothing:
                _write_batch(batch, actor, started, report)
            else:
                with transaction.atomic():
                    _relax_commit()
                    created, updated, failed = report.created, report.updated, report.failed
                    _write_batch(batch, actor, started, report)
                    # The batch commits on its own: its audit row commits with it (rule 5).
                    _audit(
                        actor,
                        job,
                        mode,
                        report,
                        event="elders.import_batch",
                        counts={
                            "batch": batches[0] + 1,
                            "rows": len(batch),
                            "created": report.created - created,
                            "updated": report.updated - updated,
                            "failed": report.failed - failed,
                        },
                    )
            batches[0] += 1
            if batches[0] <= 2:
                _refresh_statistics()
        progress()

    def consume() -> None:
        batch: list[Prepared] = []
        source = (
            _pooled_chunks(path, batch_size, _workers())
            if bulk and _workers() > 0
            else _checked_chunks(path, checker, batch_size, threaded)
        )
        with closing(source) as chunks:
            for chunk in chunks:
                for number, prepared, errors in validator.resolve(chunk):
                    report.processed += 1
                    if errors:
                        report.failed += 1
                        for e in errors:
                            report.error(e)
                    elif prepared is not None:
                        if prepared.warnings or prepared.hints:
                            report.warned += 1
                            for w in prepared.warnings:
                                report.error(RowError(number, "身份证号", "提示：" + w.message))
                            for hint in prepared.hints:
                                report.error(hint)
                        if all_or_nothing and report.failed:
                            continue  # keep validating, stop writing
                        batch.append(prepared)
                        if len(batch) >= batch_size:
                            flush(batch)
                            batch = []
        flush(batch)

    try:
        if bulk:
            try:
                with transaction.atomic():
                    restore = _set_indexes_aside()
                    consume()
                    if all_or_nothing and report.failed:
                        raise _Rollback
                    _restore_indexes(restore)
                    _audit(actor, job, mode, report)
            except _Rollback:
                report.rejected = True
                report.created = report.updated = 0
        elif all_or_nothing:
            try:
                with transaction.atomic():
                    consume()
                    if report.failed:
                        raise _Rollback
                    _audit(actor, job, mode, report)
            except _Rollback:
                report.rejected = True
                report.created = report.updated = 0
        else:
            consume()
            with transaction.atomic():
                _audit(actor, job, mode, report)
    finally:
        if side is not None:
            side.close()
    report.errors.sort(key=lambda e: (e.row, e.column))
    report.total = report.processed  # every row was read: blank rows and the example row are not counted
    return report


def _audit(
    actor: Any,
    job: ImportJob | None,
    mode: str,
    report: Report,
    *,
    event: str = "elders.import",
    counts: dict[str, int] | None = None,
) -> None:
    region = job.region_id if job is not None else None
    if region is None:
        grant = actor.primary_grant() if hasattr(actor, "primary_grant") else None
        region = grant.region_id if grant else None
    audit_record(
        actor=actor,
        region=region,
        event=event,
        obj=job,
        data={"mode": mode, **(counts or {})}
        if counts is not None
        else {
            "mode": mode,
            "rows": report.processed,
            "created": report.created,
            "updated": report.updated,
            "failed": report.failed,
        },
    )


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )
    job.refresh_from_db()


def run_job(job: ImportJob, path: Path, *, strategy: str = "auto") -> Report | None:
    """Run an ``ImportJob`` and store its outcome (used by the Celery task and the command). The job
    always ends: a file that cannot be read, or any other failure, marks it failed with a Chinese reason
    (no file content in it) and returns None; the traceback goes to the log, never to the user."""
    try:
        report = run_import(path, actor=job.created_by, mode=job.mode, job=job, strategy=strategy)
    except ImportFormatError as exc:
        _fail(job, str(exc))
        return None
    except Exception:
        logger.exception("import job failed", extra={"job": str(job.public_id)})
        _fail(job, "导入失败：文件无法处理（已记录错误），请检查文件后重试或联系管理员")
        return None
    status = ImportJob.Status.REJECTED if report.rejected else ImportJob.Status.DONE
    message = (
        "文件中有误，按“全部正确才导入”模式未写入任何行"
        if report.rejected
        else f"新增 {report.created} 人，更新 {report.updated} 人，有误 {report.failed} 行"
    )
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        total=report.total,
        processed=report.processed,
        created=report.created,
        updated=report.updated,
        failed=report.failed,
        warned=report.warned,
        message=message,
        errors=[e.as_dict() for e in report.errors],
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return report


# --- template and reports ------------------------------------------------------------------------------


def _example_id(prefix: str) -> str:
    """A well-formed (checksummed) but made-up ID number for the example row: born 1945-03-08."""
    body = (prefix[:6] if len(prefix) >= 6 and prefix[:6].isdigit() else "321002") + "19450308123"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def template_communities(actor: Any) -> list[tuple[str, str, str]]:
    """``(code, community, street)`` of the communities/villages the importer may import into."""
    if actor is None:
        return []
    rows = (
        Region.objects.restrict(actor, PERM)
        .filter(level=Region.Level.VILLAGE, valid_to__isnull=True)
        .select_related("parent")
        .order_by("code")[:5000]
    )
    return [(r.code, r.name, r.parent.name if r.parent else "") for r in rows]


TEMPLATE_ROWS = 2000  # rows formatted as text and given dropdowns


def template_xlsx(actor: Any = None) -> bytes:
    """The import template people can fill in: the ID, phone and code columns formatted as text ("@")
    so Excel keeps every digit, an example row (skipped on import), dropdowns for living situation,
    categories and relation, and a sheet listing the importer's community codes with their names."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    communities = template_communities(actor)
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = "老年人名册"
    ws.append([h + ("*" if required else "") for _, h, required, _ in COLUMNS])
    letter = {key: get_column_letter(i) for i, (key, _, _, _) in enumerate(COLUMNS, start=1)}
    for cell, (_, _, required, help_text) in zip(ws[1], COLUMNS, strict=True):
        cell.font = Font(bold=True, color="C00000" if required else "000000")
        cell.comment = Comment(help_text, "颐养")
    for i, (key, header, _, _) in enumerate(COLUMNS, start=1):
        width = {"id_number": 22, "region_code": 16, "address": 28, "categories": 24, "notes": 24}.get(key)
        ws.column_dimensions[get_column_letter(i)].width = width or max(12, len(header) * 3)
    example = {
        "name": EXAMPLE_MARK + "：王秀英（此行为示例，导入时自动跳过）",
        "id_number": _example_id(communities[0][0] if communities else ""),
        "phone": "13812345678",
        "region_code": communities[0][0] if communities else "",
        "hukou_region_code": communities[0][0] if communities else "",
        "address": "某街道某小区 3 幢 201 室",
        "lng": "119.452",
        "lat": "32.394",
        "living_situation": LivingSituation.ALONE.label,
        "categories": "低保、残疾",
        "contact_name": "李明",
        "contact_phone": "13912345678",
        "contact_relation": Relation.SON.label,
        "notes": "",
    }
    append_row(ws, [example.get(key, "") for key, _, _, _ in COLUMNS])
    grey = PatternFill("solid", fgColor="EEEEEE")
    for cell in ws[2]:
        cell.fill = grey
        cell.font = Font(italic=True, color="666666")
    for key in TEXT_COLUMNS:
        col = letter[key]
        ws.column_dimensions[col].number_format = "@"
        for row in range(2, TEMPLATE_ROWS + 2):
            ws[f"{col}{row}"].number_format = "@"
    ws.freeze_panes = "B2"

    # dropdown lists live on a sheet of their own (a list longer than 255 characters cannot be inline)
    options = wb.create_sheet("选项")
    lists = {
        "living_situation": list(LivingSituation.labels),
        "categories": [*Category.labels, "特困", "残疾"],
        "contact_relation": list(Relation.labels),
    }
    for n, (key, values) in enumerate(lists.items(), start=1):
        col = get_column_letter(n)
        options[f"{col}1"] = KEY_TO_HEADER[key]
        for row, value in enumerate(values, start=2):
            options[f"{col}{row}"] = value
        dv = DataValidation(
            type="list",
            formula1=f"选项!${col}$2:${col}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=key != "categories",  # several categories may be typed: 低保、残疾
            errorTitle="请从下拉列表中选择",
            error="请从下拉列表中选择" + KEY_TO_HEADER[key],
            promptTitle=KEY_TO_HEADER[key],
            prompt="可多选，用“、”分隔；高龄自动得出，无需填写"
            if key == "categories"
            else "请从下拉列表中选择",
            showInputMessage=True,
        )
        dv.add(f"{letter[key]}2:{letter[key]}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(dv)
    options.sheet_state = "hidden"

    codes = wb.create_sheet("社区代码")
    codes.append(["所属社区代码", "社区/村", "街道/乡镇"])
    for cell in codes[1]:
        cell.font = Font(bold=True)
    for code, name, street in communities:
        codes.append([code, name, street])
        codes.cell(row=codes.max_row, column=1).number_format = "@"
    if not communities:
        codes.append(["（您的账户没有可导入的社区）"])
    codes.column_dimensions["A"].width = 18
    codes.column_dimensions["B"].width = 20
    codes.column_dimensions["C"].width = 20
    if communities:
        dv = DataValidation(
            type="list",
            formula1=f"社区代码!$A$2:$A${len(communities) + 1}",
            allow_blank=True,
            showErrorMessage=False,
            promptTitle="所属社区代码",
            prompt="12 位代码，见“社区代码”表",
            showInputMessage=True,
        )
        dv.add(f"{letter['region_code']}2:{letter['region_code']}{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(dv)

    info = wb.create_sheet("填写说明")
    info.append(["列", "是否必填", "说明"])
    for _, header, required, help_text in COLUMNS:
        info.append([header, "必填" if required else "选填", help_text])
    info.append([])
    info.append(
        ["身份证号", "", "请保持该列为“文本”格式：数字格式的单元格会丢失后三位，这样的行会被拒绝导入"]
    )
    info.append(["示例行", "", "第 2 行为示例（姓名以“示例”开头），导入时自动跳过，可保留或删除"])
    info.append(["高龄", "", "高龄（80 岁以上）由出生日期自动得出，类别中填写会被忽略并在报告中提示"])
    info.append(["模式", "", "“导入正确的行”跳过有误的行；“全部正确才导入”只要有一行有误就不写入任何行"])
    info.column_dimensions["A"].width = 16
    info.column_dimensions["C"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_xlsx(errors: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("导入报告")
    append_row(ws, ["行号", "列", "原因"])
    for e in errors:
        append_row(ws, [e["row"], e["column"], e["message"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
