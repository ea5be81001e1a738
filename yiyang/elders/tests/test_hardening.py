"""Attacks on the register (issue 10): formula injection and control characters in exports, invisible
and direction-override names, Unicode digits in filters, and a fuzz of the import with malformed,
truncated and oversized files (zip bombs refused within the limits, memory flat, every job ends)."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiyang.elders.importing import run_job
from yiyang.elders.models import Elder, ImportJob
from yiyang.elders.tests.factories import id_number, make_elder
from yiyang.elders.tests.test_import_export import row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def _sheet(client: Client, **params: str) -> Any:
    from openpyxl import load_workbook

    r = client.get("/elders/export.xlsx", params)
    assert r.status_code == 200
    return load_workbook(io.BytesIO(r.content)).worksheets[0]


def test_export_neutralises_formulas_and_survives_control_characters(cast: Any) -> None:
    make_elder(cast, cast.community_a1, name='=HYPERLINK("http://evil.example/?x","点我")', notes="=1+1")
    legacy = make_elder(cast, cast.community_a1, name="旧数据")
    # stored before the validators existed (PostgreSQL never stores NUL, so only control characters)
    Elder.objects.filter(pk=legacy.pk).update(name="控制字符\x0b测试", notes="esc\x1b[31m")
    client = Client()
    client.force_login(cast.county_admin_a)
    ws = _sheet(client)
    cells = [c for r in ws.iter_rows(min_row=2) for c in r]
    assert all(c.data_type != "f" for c in cells)
    names = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert '\'=HYPERLINK("http://evil.example/?x","点我")' in names and "控制字符测试" in names


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u202eevil\u202c王", "控制\x0b字符", "a\x1bb"])
def test_api_and_page_refuse_invisible_or_control_characters_in_names(
    cast: Any, api_as: Any, name: str
) -> None:
    r = api_as(cast.county_admin_a).post(
        "/api/v1/elders/",
        {"name": name, "id_number": id_number(), "region_code": cast.community_a1.code},
        format="json",
    )
    assert r.status_code == 400 and "name" in r.json()["errors"]
    assert not Elder.objects.exists()


@pytest.mark.parametrize("param", ["age_min=%C2%B2", "age_max=%C2%B9", "capability_level=%E2%91%A0"])
def test_unicode_digits_in_filters_are_400_not_500(cast: Any, api_as: Any, param: str) -> None:
    assert api_as(cast.county_admin_a).get(f"/api/v1/elders/?{param}").status_code == 400
    client = Client()
    client.force_login(cast.county_admin_a)
    assert client.get(f"/elders/?{param}").status_code in {200, 400}
    assert client.get(f"/elders/export.xlsx?{param}").status_code in {200, 400}


# --- import fuzz ------------------------------------------------------------------------------------------


def _job(cast: Any, path: Path) -> ImportJob:
    job = ImportJob.objects.create(created_by=cast.county_admin_a, filename=path.name, mode="good-rows")
    run_job(job, path)  # never raises
    job.refresh_from_db()
    assert job.status in {"done", "failed", "rejected"} and job.finished_at is not None
    return job


def _bomb(path: Path, member: str, payload_mb: int) -> Path:
    """A valid-looking .xlsx whose ``member`` inflates to ``payload_mb`` MB of repetitive XML."""
    good = io.BytesIO()
    from openpyxl import Workbook

    Workbook().save(good)
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info.filename))
        with dst.open(member, "w") as out:
            out.write(
                b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            chunk = b"<si><t>" + b"A" * 1000 + b"</t></si>"
            for _ in range(payload_mb * 1024):
                out.write(chunk)
            out.write(b"</sst>")
    return path


def test_zip_bomb_is_refused_before_parsing_with_flat_memory(cast: Any, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.xlsx", "xl/sharedStrings.xml", 60)
    assert path.stat().st_size < 2 * 1024 * 1024
    tracemalloc.start()
    job = _job(cast, path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert job.status == "failed" and "压缩炸弹" in job.message
    assert peak < 20 * 1024 * 1024


def test_sheet_bomb_is_refused(cast: Any, tmp_path: Path) -> None:
    job = _job(cast, _bomb(tmp_path / "rows.xlsx", "xl/worksheets/sheet1.xml", 30))
    assert job.status == "failed" and job.message


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04garbage", b"\x00" * 1000, "姓名,身份证号\n".encode("utf-16")],
)
def test_malformed_files_end_the_job_with_a_reason(cast: Any, tmp_path: Path, content: bytes) -> None:
    for suffix in (".xlsx", ".csv"):
        path = tmp_path / f"bad{suffix}"
        path.write_bytes(content)
        job = _job(cast, path)
        assert job.status in {"failed", "done"} and job.message


def test_truncated_xlsx_fails_with_a_reason(cast: Any, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [row(cast) for _ in range(50)])
    data = good.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    job = _job(cast, cut)
    assert job.status == "failed" and "无法读取" in job.message


def test_xml_entities_are_refused(cast: Any, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [row(cast)])
    evil = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(evil, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"?>", b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>', 1
                ).replace("赵淑珍".encode(), b"&e;")
            dst.writestr(info, data)
    job = _job(cast, evil)
    assert job.status == "failed" and not Elder.objects.exists()


def test_non_utf8_bytes_after_64kb_are_reported_by_row(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "late.csv", [row(cast) for _ in range(700)])
    with path.open("ab") as fh:
        fh.write("王秀英".encode("gbk") + f",{id_number()},,{cast.community_a1.code},,,,,,,\r\n".encode())
    assert path.stat().st_size > 65536
    job = _job(cast, path)
    assert job.status == "done" and job.processed == 701
    assert any(e["row"] == 702 and "编码" in e["message"] for e in job.errors)


def test_overlong_csv_field_and_nul_end_the_job(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "long.csv", [row(cast, 备注="x" * 200_000)])
    job = _job(cast, path)
    assert job.status == "failed" and "无法解析" in job.message
    path = write_csv(tmp_path / "nul.csv", [row(cast, 姓名="a\x00b")])
    job = _job(cast, path)
    assert job.status == "done" and job.failed == 1 and not Elder.objects.exists()


@override_settings(YIYANG_IMPORT_MAX_ROWS=3)
def test_too_many_rows_fail_the_job(cast: Any, tmp_path: Path) -> None:
    job = _job(cast, write_csv(tmp_path / "many.csv", [row(cast) for _ in range(5)]))
    assert job.status == "failed" and "行数过多" in job.message


@override_settings(YIYANG_IMPORT_MAX_BYTES=1000)
def test_oversized_upload_is_refused_by_the_form(cast: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "big.csv", [row(cast) for _ in range(50)])
    client = Client()
    client.force_login(cast.county_admin_a)
    with path.open("rb") as fh:
        r = client.post("/elders/import/", {"file": fh, "mode": "good-rows"})
    assert r.status_code == 400 and "文件过大" in r.content.decode()
    assert not ImportJob.objects.exists()
    assert _job(cast, path).status == "failed"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    kind=st.sampled_from(["xlsx", "csv"]),
    op=st.sampled_from(["flip", "cut", "splice"]),
)
def test_fuzzed_files_never_leave_a_job_running(
    cast: Any, tmp_path: Path, seed: int, kind: str, op: str
) -> None:
    rnd = random.Random(seed)
    base = tmp_path / f"base.{kind}"
    if not base.exists():
        (write_xlsx if kind == "xlsx" else write_csv)(base, [row(cast) for _ in range(5)])
    data = bytearray(base.read_bytes())
    if op == "flip":
        for _ in range(rnd.randint(1, 20)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    elif op == "cut":
        data = data[: rnd.randrange(len(data))]
    else:
        at = rnd.randrange(len(data))
        data[at:at] = rnd.randbytes(rnd.randint(1, 200))
    path = tmp_path / f"fuzz-{seed}.{kind}"
    path.write_bytes(bytes(data))
    _job(cast, path)
