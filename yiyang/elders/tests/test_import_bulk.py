"""The bulk import path (issue 18, decision 0018): on PostgreSQL a large load into an empty or small register
sets the secondary indexes aside and rebuilds them in the import's transaction, with rows checked by a
process pool. Its result must be the general path's, row for row, and an import interrupted half-way —
an exception, or the process killed — must leave the register as it was, every index in place."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings

from yiyang.audit.models import AuditEvent
from yiyang.core.pii import decrypt
from yiyang.elders import importing
from yiyang.elders.importing import choose_strategy, run_import
from yiyang.elders.models import Elder, ElderCategory, ElderContact
from yiyang.elders.tests.factories import id_number

from .test_import_export import row, write_csv, write_xlsx

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk path is PostgreSQL's")


def _file_rows(cast: Any) -> list[dict[str, str]]:
    """Good rows of every shape, bad rows, a duplicate, a 15-digit number, a historical birthplace."""
    rows = []
    for i in range(14):
        rows.append(
            row(
                cast,
                姓名=f"王{'一二三四五六七八九十'[i % 10]}英",
                身份证号=id_number(),
                联系电话=["13912340001", "0514-87654321", ""][i % 3],
                所属社区代码=cast.community_a1.code,
                户籍地代码=cast.community_a1.code if i % 2 else "",
                居住地址=["广陵区文昌中路 8 号", ""][i % 2],
                经度="119.45" if i % 4 == 0 else "",
                纬度="32.39" if i % 4 == 0 else "",
                居住情况=["独居", "空巢", ""][i % 3],
                类别=["低保、残疾", "", "特困", "高龄"][i % 4],
                紧急联系人姓名="李明" if i % 5 == 0 else "",
                紧急联系人电话="13912345678" if i % 5 == 0 else "",
                与老人关系="儿子" if i % 5 == 0 else "",
                备注="行动不便" if i % 3 == 0 else "",
            )
        )
    rows.append(row(cast, 姓名="乙", 身份证号="321002194803070010"))  # bad checksum
    rows.append(
        row(cast, 姓名="丁", 联系电话="12345", 所属社区代码=cast.community_b1.code)
    )  # two bad columns
    rows.append(row(cast, 姓名="重复", 身份证号=rows[2]["身份证号"]))  # the same person again
    rows.append(row(cast, 姓名="老号", 身份证号="321002450308123"))  # 15 digits, converted
    rows.append(row(cast, 姓名="旧县", 身份证号=id_number(address="321027")))  # historical birthplace
    return rows


def _snapshot() -> dict[str, dict[str, Any]]:
    """Every stored fact of every elder, with the encrypted fields decrypted, keyed by the ID's blind index."""
    out = {}
    for e in Elder.objects.order_by("id_number_hash"):
        out[e.id_number_hash] = {
            "name": e.name,
            "id_number": decrypt(e.id_number_enc),
            "id_number_masked": e.id_number_masked,
            "birth_date": e.birth_date,
            "sex": e.sex,
            "phone": decrypt(e.phone_enc) if e.phone_enc else "",
            "phone_hash": e.phone_hash,
            "phone_tail_hash": e.phone_tail_hash,
            "phone_masked": e.phone_masked,
            "address": decrypt(e.address_enc) if e.address_enc else "",
            "address_masked": e.address_masked,
            "region": e.region_id,
            "hukou_region": e.hukou_region_id,
            "lat": e.lat,
            "lng": e.lng,
            "living_situation": e.living_situation,
            "status": e.status,
            "notes": e.notes,
            "categories": sorted(ElderCategory.objects.filter(elder=e).values_list("category", flat=True)),
            "contacts": sorted(
                (
                    c.name,
                    c.relation,
                    decrypt(c.phone_enc) if c.phone_enc else "",
                    c.phone_hash,
                    c.phone_masked,
                )
                for c in ElderContact.objects.filter(elder=e)
            ),
        }
    return out


def _schema() -> set[tuple[str, ...]]:
    """The register's indexes and constraints as PostgreSQL defines them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'index', c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [importing.BULK_TABLES, importing.BULK_TABLES],
        )
        return {tuple(r) for r in cursor.fetchall()}


def _report(report: Any) -> tuple[Any, ...]:
    return (
        report.created,
        report.updated,
        report.failed,
        report.warned,
        report.rejected,
        [e.as_dict() for e in report.errors],
    )


@override_settings(ELDERS_IMPORT_WORKERS=2)
@pytest.mark.parametrize("writer", [write_csv, write_xlsx])
def test_bulk_path_stores_what_the_general_path_stores_row_for_row(
    cast: Any, tmp_path: Path, writer: Any, monkeypatch: Any
) -> None:
    path = writer(tmp_path / ("名册.csv" if writer is write_csv else "名册.xlsx"), _file_rows(cast))
    general = run_import(path, actor=cast.county_admin_a, strategy="general", batch_size=4)
    expected = _snapshot()
    assert general.created == 16 and general.failed == 3  # the file exercises good and bad rows
    Elder.objects.all().delete()

    set_aside: list[int] = []
    original = importing._set_indexes_aside

    def spy() -> list[str]:
        set_aside.append(1)
        return original()

    monkeypatch.setattr(importing, "_set_indexes_aside", spy)
    schema = _schema()
    bulk = run_import(path, actor=cast.county_admin_a, strategy="bulk", batch_size=4)
    assert set_aside == [1]  # the bulk path ran
    assert _report(bulk) == _report(general)
    assert _snapshot() == expected
    assert _schema() == schema  # every index and constraint is back, defined as before


@override_settings(ELDERS_IMPORT_WORKERS=2)
def test_bulk_path_updates_re_imported_people_and_audits_like_the_general_path(
    cast: Any, tmp_path: Path
) -> None:
    first = [row(cast, 身份证号=id_number()) for _ in range(3)]
    run_import(write_csv(tmp_path / "a.csv", first), actor=cast.county_admin_a, strategy="general")
    again = [dict(r, 姓名="改名", 类别="特困") for r in first] + [row(cast)]
    before = AuditEvent.objects.count()
    report = run_import(write_csv(tmp_path / "b.csv", again), actor=cast.county_admin_a, strategy="bulk")
    assert (report.created, report.updated, report.failed) == (1, 3, 0)
    assert Elder.objects.count() == 4
    assert set(Elder.objects.filter(name="改名").values_list("categories__category", flat=True)) == {
        "tekun_dispersed"
    }
    events = list(AuditEvent.objects.order_by("pk").values_list("event", flat=True)[before:])
    assert events == ["elders.import_batch", "elders.import"]


def test_bulk_all_or_nothing_writes_nothing_when_a_row_is_bad(cast: Any, tmp_path: Path) -> None:
    schema = _schema()
    path = write_csv(tmp_path / "a.csv", [row(cast), row(cast, 身份证号="321002194803070010"), row(cast)])
    report = run_import(path, actor=cast.county_admin_a, mode="all-or-nothing", strategy="bulk", batch_size=1)
    assert report.rejected and report.failed == 1 and report.created == 0
    assert not Elder.objects.exists()
    assert _schema() == schema


def test_an_exception_half_way_leaves_the_register_and_its_indexes_as_they_were(
    cast: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    run_import(write_csv(tmp_path / "a.csv", [row(cast)]), actor=cast.county_admin_a, strategy="general")
    before, schema = _snapshot(), _schema()
    calls: list[int] = []
    write_batch = importing._write_batch

    def fail_on_the_second(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the import dies half-way")
        write_batch(*args)

    monkeypatch.setattr(importing, "_write_batch", fail_on_the_second)
    path = write_csv(tmp_path / "b.csv", [row(cast) for _ in range(6)])
    with pytest.raises(RuntimeError):
        run_import(path, actor=cast.county_admin_a, strategy="bulk", batch_size=2)
    assert len(calls) == 2  # the first batch was written, then the import failed
    assert _snapshot() == before  # no row of the failed import, the old row untouched
    assert _schema() == schema  # no index or constraint missing
    assert (
        ElderCategory.objects.filter(elder__in=Elder.objects.all()).count() == ElderCategory.objects.count()
    )


def test_auto_keeps_the_general_path_unless_the_deployment_sets_a_threshold(
    cast: Any, monkeypatch: Any
) -> None:
    assert choose_strategy(10_000_000) == "general"
    with override_settings(ELDERS_IMPORT_BULK_MIN_ROWS=1000):
        assert choose_strategy(999) == "general"
        monkeypatch.setattr(importing, "_register_rows", lambda: 0)
        assert choose_strategy(1000) == "bulk"
        monkeypatch.setattr(importing, "_register_rows", lambda: 10_000)
        assert choose_strategy(1000) == "general"  # a small file into a large register


@override_settings(ELDERS_IMPORT_BULK_MIN_ROWS=2)
def test_the_command_and_auto_take_the_bulk_path_above_the_threshold(
    cast: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    from django.core.management import call_command

    set_aside: list[int] = []
    original = importing._set_indexes_aside

    def spy() -> list[str]:
        set_aside.append(1)
        return original()

    monkeypatch.setattr(importing, "_set_indexes_aside", spy)
    monkeypatch.setattr(importing, "_register_rows", lambda: 0)  # (statistics of other tests may linger)
    path = write_csv(tmp_path / "a.csv", [row(cast), row(cast), row(cast)])
    call_command("import_elders", str(path), "--user", cast.county_admin_a.username)
    assert set_aside == [1] and Elder.objects.count() == 3
    call_command("import_elders", str(path), "--user", cast.county_admin_a.username, "--strategy", "general")
    assert set_aside == [1] and Elder.objects.count() == 3  # updated, not duplicated, on the general path


def test_a_busy_register_falls_back_to_the_general_path(cast: Any, tmp_path: Path, monkeypatch: Any) -> None:
    def busy() -> list[str]:
        raise importing._TableBusy

    monkeypatch.setattr(importing, "_set_indexes_aside", busy)
    report = run_import(
        write_csv(tmp_path / "a.csv", [row(cast), row(cast)]), actor=cast.county_admin_a, strategy="bulk"
    )
    assert report.created == 2 and Elder.objects.count() == 2


# --- a process killed half-way (real commits: the import runs in a child process) -------------------------


def _child_import(path: str, username: str, ready: Any) -> None:
    """Runs in a forked child: its own database connection, the bulk path, and a stop after the first batch
    (with the indexes set aside and rows written) until the parent kills it."""
    for conn in connections.all():  # the parent's socket is not ours: never use or close it
        conn.connection = None
    from yiyang.accounts.models import User

    write_batch = importing._write_batch

    def write_then_hang(*args: Any) -> None:
        write_batch(*args)
        ready.set()
        time.sleep(120)

    importing._write_batch = write_then_hang  # type: ignore[assignment]
    run_import(Path(path), actor=User.objects.get(username=username), strategy="bulk", batch_size=2)


@pytest.mark.django_db(transaction=True)
@override_settings(ELDERS_IMPORT_WORKERS=1)
def test_a_process_killed_half_way_leaves_the_register_consistent(cast: Any, tmp_path: Path) -> None:
    run_import(write_csv(tmp_path / "a.csv", [row(cast)]), actor=cast.county_admin_a, strategy="general")
    before, schema = _snapshot(), _schema()
    path = write_csv(tmp_path / "b.csv", [row(cast) for _ in range(6)])
    ready = multiprocessing.get_context("fork").Event()
    child = multiprocessing.get_context("fork").Process(
        target=_child_import, args=(str(path), cast.county_admin_a.username, ready)
    )
    child.start()
    try:
        assert ready.wait(60), "the child import did not reach its first batch"
        # half-way: the indexes are dropped and rows written inside the child's transaction. Another session
        # sees the committed catalog (every index) and cannot read the half-loaded table: it waits.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE i.indrelid = ANY(%s::regclass[])",
                [importing.BULK_TABLES],
            )
            assert {n for (n,) in cursor.fetchall()} == {name for kind, name, _ in schema if kind == "index"}
            cursor.execute("SET lock_timeout = '200ms'")
            with pytest.raises(Exception, match="lock timeout"):
                cursor.execute("SELECT count(*) FROM elders_elder")
        connection.close()  # the failed statement aborted nothing committed; start clean
    finally:
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(30)
    deadline = time.monotonic() + 30
    while True:  # the server notices the dead client and rolls its transaction back
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state <> 'idle'"
            )
            (busy,) = cursor.fetchone()
        if not busy or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert _snapshot() == before
    assert _schema() == schema
    report = run_import(
        path, actor=cast.county_admin_a, strategy="bulk"
    )  # and the register takes the file again
    assert report.created == 6 and Elder.objects.count() == 7
