"""Imports people can fill in (issue 11): the template keeps IDs as text and offers dropdowns, an
example row and the importer's community codes; an ID that arrives as a number is refused for its row
with the reason; 高龄 in the category column is ignored with a note; emergency contacts are imported;
past imports are listed with their reports, region by region."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.test import Client
from openpyxl import Workbook, load_workbook

from yiyang.core.pii import decrypt
from yiyang.elders.importing import COLUMNS, NUMERIC_ID, run_import
from yiyang.elders.models import Elder, ElderContact, ImportJob
from yiyang.elders.tests.factories import id_number

HEADERS = [h for _, h, _, _ in COLUMNS]


def _row(cast: Any, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "姓名": "赵淑珍",
        "身份证号": id_number(),
        "所属社区代码": cast.community_a1.code,
        "居住情况": "独居",
    }
    data.update(kw)
    return data


def _xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(HEADERS)
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    wb.save(path)
    return path


def _template(cast: Any) -> Workbook:
    client = Client()
    client.force_login(cast.county_admin_a)
    r = client.get("/elders/import/template.xlsx")
    assert r.status_code == 200
    return load_workbook(io.BytesIO(r.content))


def test_an_id_stored_as_a_number_is_refused_for_its_row_with_the_reason(cast: Any, tmp_path: Path) -> None:
    good = id_number()
    mangled = 321002194001011008  # what an 18-digit ID typed into a General cell becomes
    path = _xlsx(
        tmp_path / "名册.xlsx",
        [
            _row(cast, 姓名="甲", 身份证号=good),
            _row(cast, 姓名="乙", 身份证号=float(mangled)),  # numeric cell, float
            _row(cast, 姓名="丙", 身份证号=mangled),  # numeric cell, integer
        ],
    )
    report = run_import(path, actor=cast.county_admin_a)
    assert (report.created, report.failed) == (1, 2)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "身份证号", NUMERIC_ID),
        (4, "身份证号", NUMERIC_ID),
    ]
    assert list(Elder.objects.values_list("name", flat=True)) == ["甲"]


def test_an_id_in_scientific_notation_in_a_csv_is_refused(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "名册.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for name, number in [
            ("甲", "3.21002E+17"),
            ("乙", "3.21002194001011E+17"),
            ("丙", "321002194001011008.0"),
        ]:
            w.writerow([_row(cast, 姓名=name, 身份证号=number).get(h, "") for h in HEADERS])
    report = run_import(path, actor=cast.county_admin_a)
    assert report.created == 0 and report.failed == 3
    assert {e.message for e in report.errors} == {NUMERIC_ID}
    assert not Elder.objects.exists()


def test_advanced_age_in_the_category_column_is_ignored_with_a_note(cast: Any, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "名册.xlsx", [_row(cast, 类别="高龄、低保"), _row(cast, 类别="高龄")])
    report = run_import(path, actor=cast.county_admin_a)
    assert (report.created, report.failed, report.warned) == (2, 0, 2)
    assert {(e.column, e.message) for e in report.errors} == {
        ("类别", "提示：类别“高龄”由出生日期自动得出，无需填写，已忽略")
    }
    cats = sorted(Elder.objects.values_list("categories__category", flat=True), key=str)
    assert cats == [None, "dibao"] or sorted(c for c in cats if c) == ["dibao"]


def test_emergency_contacts_are_imported_and_updated_on_reimport(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    first = _row(
        cast, 身份证号=number, 紧急联系人姓名="李明", 紧急联系人电话="13912345678", 与老人关系="儿子"
    )
    run_import(_xlsx(tmp_path / "a.xlsx", [first]), actor=cast.county_admin_a)
    contact = ElderContact.objects.get()
    assert (contact.name, contact.relation, contact.is_emergency) == ("李明", "son", True)
    assert decrypt(contact.phone_enc) == "13912345678" and contact.phone_masked == "139****5678"
    again = dict(first, 紧急联系人电话="13700001111", 与老人关系="女婿")
    run_import(_xlsx(tmp_path / "b.xlsx", [again]), actor=cast.county_admin_a)
    contact = ElderContact.objects.get()
    assert contact.relation == "child_in_law" and decrypt(contact.phone_enc) == "13700001111"
    bad = _row(cast, 紧急联系人电话="13912345678")  # a phone without a name
    report = run_import(_xlsx(tmp_path / "c.xlsx", [bad]), actor=cast.county_admin_a)
    assert report.failed == 1 and report.errors[0].column == "紧急联系人姓名"


def test_template_keeps_ids_as_text_and_offers_dropdowns_an_example_and_community_codes(
    cast: Any, tmp_path: Path
) -> None:
    wb = _template(cast)
    ws = wb["老年人名册"]
    headers = [c.value for c in ws[1]]
    for header in (
        "身份证号*",
        "联系电话",
        "所属社区代码*",
        "紧急联系人姓名",
        "紧急联系人电话",
        "与老人关系",
    ):
        assert header in headers
    col = {str(h).rstrip("*"): i + 1 for i, h in enumerate(headers)}
    for header in ("身份证号", "联系电话", "所属社区代码", "紧急联系人电话"):
        assert ws.cell(row=3, column=col[header]).number_format == "@"
        assert ws.cell(row=500, column=col[header]).number_format == "@"
    example = [c.value for c in ws[2]]
    assert str(example[0]).startswith("示例") and len(str(example[col["身份证号"] - 1])) == 18
    ranges = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    from openpyxl.utils import get_column_letter

    letters = {h: get_column_letter(i) for h, i in col.items()}
    for header in ("居住情况", "类别", "与老人关系", "所属社区代码"):
        assert any(r.startswith(f"{letters[header]}2:") for r in ranges), header
    options = wb["选项"]
    living = [c.value for c in options["A"]][1:]
    assert "独居" in living and "空巢" in living
    codes = wb["社区代码"]
    listed = {(r[0], r[1]) for r in codes.iter_rows(min_row=2, values_only=True)}
    assert (cast.community_a1.code, cast.community_a1.name) in listed
    assert all(not str(code).startswith(cast.county_b.code[:6]) for code, _ in listed)
    # the template filled in as it comes (example row kept) imports only the real rows
    ws.cell(row=3, column=1, value="钱桂英")
    ws.cell(row=3, column=col["身份证号"], value=id_number())
    ws.cell(row=3, column=col["所属社区代码"], value=cast.community_a1.code)
    ws.cell(row=3, column=col["类别"], value="高龄")
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    report = run_import(path, actor=cast.county_admin_a)
    assert (report.created, report.failed, report.total) == (1, 0, 1)  # the example row is not counted
    assert list(Elder.objects.values_list("name", flat=True)) == ["钱桂英"]


def test_import_history_lists_the_regions_imports_with_their_reports(cast: Any) -> None:
    mine = ImportJob.objects.create(
        created_by=cast.county_admin_a,
        region=cast.county_a,
        filename="广陵区名册.xlsx",
        status="done",
        total=5,
        created=3,
        failed=2,
        errors=[{"row": 3, "column": "身份证号", "message": NUMERIC_ID}],
    )
    ImportJob.objects.create(created_by=cast.county_admin_b, region=cast.county_b, filename="邗江区名册.xlsx")
    cast.county_admin_a.display_name = "周建华"
    cast.county_admin_a.save(update_fields=["display_name"])
    client = Client()
    client.force_login(cast.county_admin_a)
    html = client.get("/elders/import/history/").content.decode()
    assert "广陵区名册.xlsx" in html and "邗江区名册.xlsx" not in html
    assert f"/elders/import/{mine.public_id}/report.xlsx" in html
    table = html.split('data-testid="import-history"')[1]
    assert "周建华" in table and cast.county_admin_a.username not in table
    other = Client()
    other.force_login(cast.county_admin_b)
    assert "广陵区名册.xlsx" not in other.get("/elders/import/history/").content.decode()
    caregiver = Client()
    caregiver.force_login(cast.caregiver)
    assert caregiver.get("/elders/import/history/").status_code in (403, 404)


def test_register_export_shows_labels_not_codes(cast: Any, tmp_path: Path) -> None:
    run_import(
        _xlsx(
            tmp_path / "a.xlsx",
            [_row(cast, 身份证号="321002194001010005", 类别="残疾、低保", 居住情况="空巢")],
        ),
        actor=cast.county_admin_a,
    )
    client = Client()
    client.force_login(cast.county_admin_a)
    rows = list(load_workbook(io.BytesIO(client.get("/elders/export.xlsx").content)).worksheets[0].values)
    header, line = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "类别" in header and "居住情况" in header
    assert line["居住情况"] == "空巢" and line["状态"] == "在册"
    assert set(str(line["类别"]).split("、")) == {"残疾（持残疾人证）", "低保", "高龄（80 岁以上）"}
    text = " ".join(str(v) for v in rows[1] if v is not None)
    for code in ("disabled", "dibao", "empty_nest", "active", "advanced_age"):
        assert code not in text
