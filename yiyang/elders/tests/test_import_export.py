from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from yiyang.audit.models import AuditEvent
from yiyang.core.pii import decrypt
from yiyang.elders.importing import COLUMNS, iter_rows, run_import
from yiyang.elders.models import Elder, ImportJob
from yiyang.elders.tests.factories import id_number

HEADERS = [h for _, h, _, _ in COLUMNS]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for r in rows:
            w.writerow([r.get(h, "") for h in HEADERS])
    return path


def write_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append([h + "*" if h in ("姓名", "身份证号", "所属社区代码") else h for h in HEADERS])
    for r in rows:
        ws.append([r.get(h, "") for h in HEADERS])
    wb.save(path)
    return path


def row(cast: Any, **kw: str) -> dict[str, str]:
    data = {
        "姓名": "赵淑珍",
        "身份证号": id_number(),
        "联系电话": "13912340001",
        "所属社区代码": cast.community_a1.code,
        "居住地址": "广陵区文昌中路 8 号",
        "居住情况": "独居",
        "类别": "低保、残疾",
    }
    data.update(kw)
    return data


def mixed_rows(cast: Any) -> list[dict[str, str]]:
    return [
        row(cast, 姓名="甲"),
        row(cast, 姓名="乙", 身份证号="321002194803070010"),  # bad checksum (row 3)
        row(cast, 姓名="丙"),
        row(cast, 姓名="丁", 联系电话="12345", 所属社区代码=cast.community_b1.code),  # row 5: two bad columns
        row(cast, 姓名="戊", 居住情况="住在月球"),  # row 6
    ]


def test_good_rows_mode_keeps_every_good_row_and_reports_bad_ones(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "名册.csv", mixed_rows(cast))
    report = run_import(path, actor=cast.county_admin_a, mode="good-rows")
    assert report.created == 2 and report.failed == 3
    assert set(Elder.objects.values_list("name", flat=True)) == {"甲", "丙"}
    bad = {(e.row, e.column) for e in report.errors}
    assert bad == {(3, "身份证号"), (5, "联系电话"), (5, "所属社区代码"), (6, "居住情况")}
    assert any("校验码" in e.message for e in report.errors if e.row == 3)
    elder = Elder.objects.get(name="甲")
    assert sorted(elder.categories.values_list("category", flat=True)) == ["dibao", "disabled"]
    assert elder.living_situation == "alone"


def test_all_or_nothing_mode_writes_nothing_when_a_row_is_bad(cast: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名册.xlsx", mixed_rows(cast))
    report = run_import(path, actor=cast.county_admin_a, mode="all-or-nothing")
    assert report.rejected and report.failed == 3
    assert {e.row for e in report.errors} == {3, 5, 6}
    assert not Elder.objects.exists()


def test_all_or_nothing_mode_writes_everything_when_all_rows_are_good(cast: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "名册.xlsx", [row(cast), row(cast)])
    report = run_import(path, actor=cast.county_admin_a, mode="all-or-nothing")
    assert not report.rejected and report.created == 2 and Elder.objects.count() == 2


def test_reimport_updates_by_id_number_instead_of_duplicating(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    run_import(
        write_csv(tmp_path / "a.csv", [row(cast, 身份证号=number, 联系电话="13900000001")]),
        actor=cast.county_admin_a,
    )
    report = run_import(
        write_csv(
            tmp_path / "b.csv",
            [row(cast, 身份证号=number, 姓名="赵淑珍改", 联系电话="13900000002", 类别="特困")],
        ),
        actor=cast.county_admin_a,
    )
    assert report.created == 0 and report.updated == 1
    elder = Elder.objects.get()
    assert elder.name == "赵淑珍改" and decrypt(elder.phone_enc) == "13900000002"
    assert list(elder.categories.values_list("category", flat=True)) == ["tekun_dispersed"]


def test_same_id_twice_in_a_file_is_reported(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    report = run_import(
        write_csv(tmp_path / "a.csv", [row(cast, 身份证号=number), row(cast, 身份证号=number)]),
        actor=cast.county_admin_a,
    )
    assert report.created == 1 and report.failed == 1 and report.errors[0].row == 3


def test_import_of_a_person_registered_in_another_county_is_refused(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    run_import(write_csv(tmp_path / "a.csv", [row(cast, 身份证号=number)]), actor=cast.county_admin_a)
    report = run_import(
        write_csv(tmp_path / "b.csv", [row(cast, 身份证号=number, 所属社区代码=cast.community_b1.code)]),
        actor=cast.county_admin_b,
    )
    assert report.failed == 1 and "其他区域" in report.errors[0].message
    assert Elder.objects.get().region_id == cast.community_a1.code


def test_historical_birthplace_is_imported_with_a_warning(cast: Any, tmp_path: Path) -> None:
    report = run_import(
        write_csv(tmp_path / "a.csv", [row(cast, 身份证号=id_number(address="321027"))]),
        actor=cast.county_admin_a,
    )
    assert report.created == 1 and report.warned == 1 and "已撤销" in report.errors[0].message


def test_missing_required_header_is_refused(cast: Any, tmp_path: Path) -> None:
    from yiyang.elders.importing import ImportFormatError

    path = tmp_path / "x.csv"
    path.write_text("姓名,电话\n张三,13900000000\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match="身份证号"):
        list(iter_rows(path))


def test_gbk_csv_from_excel_is_read(cast: Any, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    w.writerow([row(cast).get(h, "") for h in HEADERS])
    path.write_bytes(buf.getvalue().encode("gb18030"))
    assert run_import(path, actor=cast.county_admin_a).created == 1


def test_management_command_imports_and_reports(cast: Any, tmp_path: Path, capsys: Any) -> None:
    path = write_csv(tmp_path / "名册.csv", mixed_rows(cast))
    call_command("import_elders", str(path), "--mode", "good-rows", "--user", cast.county_admin_a.username)
    out = capsys.readouterr().out
    assert "第 3 行 [身份证号]" in out and "新增 2" in out
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created == 2 and job.failed == 3
    assert AuditEvent.objects.filter(event="elders.import").count() == 1


def test_upload_page_runs_the_job_and_shows_progress_and_report(
    cast: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(cast.county_admin_a)
    path = write_xlsx(tmp_path / "名册.xlsx", mixed_rows(cast))
    uploads = Path(settings.VAR_DIR) / "imports"
    before = set(uploads.glob("*")) if uploads.exists() else set()
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True) as queued:
        r = client.post("/elders/import/", {"file": fh, "mode": "good-rows"})
    assert r.status_code == 302 and len(queued) == 1  # the job is queued for after the commit
    job = ImportJob.objects.get()
    assert job.status == "done" and job.processed == 5
    page = client.get(r["Location"])
    assert "有误" in page.content.decode() and "hx-trigger" not in page.content.decode()
    report = client.get(f"/elders/import/{job.public_id}/report.xlsx")
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxml")
    assert set(uploads.glob("*")) == before  # the uploaded file (clear IDs) is deleted after the run
    other = Client()
    other.force_login(cast.county_admin_b)
    assert other.get(f"/elders/import/{job.public_id}/").status_code == 404


def test_template_has_chinese_headers(cast: Any) -> None:
    from openpyxl import load_workbook

    client = Client()
    client.force_login(cast.county_admin_a)
    r = client.get("/elders/import/template.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["姓名*", "身份证号*", "联系电话", "所属社区代码*"]


def _export(client: Client, **params: str) -> list[list[Any]]:
    from openpyxl import load_workbook

    r = client.get("/elders/export.xlsx", params)
    assert r.status_code == 200
    return [list(x) for x in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True)]


def test_export_is_masked_by_default_and_clear_only_with_reveal(cast: Any, tmp_path: Path) -> None:
    number = id_number()
    run_import(
        write_csv(tmp_path / "a.csv", [row(cast, 身份证号=number, 联系电话="13900000009")]),
        actor=cast.county_admin_a,
    )
    client = Client()
    client.force_login(cast.county_admin_a)
    masked = _export(client)
    assert masked[1][1] == number[:6] + "********" + number[14:] and masked[1][5] == "139****0009"
    clear = _export(client, reveal="1")
    assert clear[1][1] == number and clear[1][5] == "13900000009"
    assert list(
        AuditEvent.objects.filter(event="elders.export")
        .order_by("id")
        .values_list("data__clear_values", flat=True)
    ) == [False, True]
    auditor = Client()
    auditor.force_login(cast.auditor)
    assert auditor.get("/elders/export.xlsx").status_code == 403
