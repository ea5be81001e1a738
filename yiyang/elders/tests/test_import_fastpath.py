"""The import's fast paths give exactly what the general helpers give (blind indexes must match lookups made
elsewhere; masks must match the rest of the app) and the PostgreSQL COPY path stores categories."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from yiyang.core.identifiers import mask_id_number, mask_phone, normalize_phone
from yiyang.core.pii import blind_index, indexer
from yiyang.elders.identity import id_number_index, phone_index, phone_tail_index
from yiyang.elders.importing import Sealer, _mask_normalized_phone, run_import
from yiyang.elders.models import Elder, ElderCategory

from .test_import_export import mixed_rows, row, write_csv


@pytest.mark.parametrize(
    "value",
    ["11010519491231002X", "11010519491231002x", "１１０１０５", " 1381234 5678 ", "0514-87654321", "张三"],
)
def test_indexer_matches_blind_index(value: str) -> None:
    for purpose in ("id_number", "phone", "phone_tail"):
        assert indexer(purpose)(value) == blind_index(value, purpose)
    assert indexer("phone")("") == ""


def test_sealer_matches_the_service_indexes() -> None:
    seal = Sealer()
    assert seal.id_index("11010519491231002X") == id_number_index("11010519491231002X")
    assert seal.phone_index("13812345678") == phone_index("13812345678")
    assert seal.phone_tail_index("5678") == phone_tail_index("5678")


@pytest.mark.parametrize(
    "raw", ["13812345678", "+86 138 1234 5678", "0514-87654321", "010 12345678", "02187654321"]
)
def test_masking_a_normalised_phone_matches_mask_phone(raw: str) -> None:
    phone = normalize_phone(raw)
    assert _mask_normalized_phone(phone) == mask_phone(phone)


def test_stored_id_mask_matches_mask_id_number(cast: Any, tmp_path: Path) -> None:
    number = "11010519491231002X"
    run_import(write_csv(tmp_path / "a.csv", [row(cast, 身份证号=number)]), actor=cast.county_admin_a)
    assert Elder.objects.get().id_number_masked == mask_id_number(number)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path runs on PostgreSQL only")
def test_copy_path_stores_rows_with_reserved_ids_and_categories(cast: Any, tmp_path: Path) -> None:
    rows = [row(cast, 身份证号=n, 类别="低保、残疾") for n in ("11010519491231002X", "110105195001010039")]
    report = run_import(write_csv(tmp_path / "a.csv", rows), actor=cast.county_admin_a)
    assert report.created == 2 and report.failed == 0
    for elder in Elder.objects.all():
        assert sorted(ElderCategory.objects.filter(elder=elder).values_list("category", flat=True)) == sorted(
            ["dibao", "disabled"]
        )
    # the identity sequence moved past the reserved keys: a normal insert does not collide
    Elder.objects.create(
        name="新",
        id_number_enc="x",
        id_number_hash="h" * 32,
        id_number_masked="m",
        birth_date="1950-01-01",
        sex="M",
        region_id=Elder.objects.first().region_id,  # type: ignore[union-attr]
    )


def test_threaded_and_sequential_imports_give_the_same_report(cast: Any, tmp_path: Path) -> None:
    rows = [
        *mixed_rows(cast),
        row(
            cast, 身份证号="321002194803070010", 所属社区代码=cast.community_b1.code
        ),  # bad ID and out of scope
        row(cast, 身份证号="11010519491231002X"),
        row(cast, 身份证号="11010519491231002X"),  # twice in the file, next chunk
        row(cast, 身份证号="321027194501010033"),  # revoked birthplace: a warning
    ]
    path = write_csv(tmp_path / "a.csv", rows)
    reports = [
        run_import(path, actor=cast.county_admin_a, mode="all-or-nothing", threaded=threaded, batch_size=2)
        for threaded in (False, True)
    ]
    a, b = ([e.as_dict() for e in r.errors] for r in reports)
    assert a == b
    # the out-of-scope community is reported even when the ID number is bad too (row 7)
    assert {e["column"] for e in a if e["row"] == 7} == {"身份证号", "所属社区代码"}
    # 9 rows: 4 fail (rows 3, 5, 6, 7); 3 warn: rows 8 and 9 were born in 110105 (Beijing, not in the
    # test's region table) and row 10 in 321027 (revoked). Both paths agree on every number.
    assert [(r.processed, r.failed, r.warned, r.rejected) for r in reports] == [(9, 4, 3, True)] * 2
    assert [e["row"] for e in a if e["message"].startswith("提示")] == [8, 9, 10]
    assert "已撤销" in next(e["message"] for e in a if e["row"] == 10)
    assert not Elder.objects.exists()


def test_a_failing_write_stops_the_reader_thread(cast: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from yiyang.elders import importing

    def boom(*args: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(importing, "_write_batch", boom)
    path = write_csv(tmp_path / "a.csv", [row(cast) for _ in range(12)])
    with pytest.raises(RuntimeError, match="database gone"):
        run_import(path, actor=cast.county_admin_a, batch_size=2)
    assert not [t for t in threading.enumerate() if t.name == "elder-import-reader"]
