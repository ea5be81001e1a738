"""Benchmark: import N CSV rows of the elder register into PostgreSQL with full validation and encryption,
against a plain ``COPY`` of the same file into an unindexed table in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders \
        .venv/bin/python bench/elders_import.py --rows 100000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import city_and_importer, django_setup, truncate_elders, write_csv


def copy_baseline(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_elders")
        cursor.execute(
            "CREATE TABLE bench_copy_elders (name text, id_number text, phone text, region text, "
            "hukou text, address text, lng text, lat text, living text, categories text, notes text)"
        )
        raw = cursor.cursor  # psycopg 3 cursor
        started = time.perf_counter()
        with (
            raw.copy("COPY bench_copy_elders FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as fh,
        ):
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy_elders")
    return seconds


def indexed_floor(tmp: Path) -> float:
    """Seconds PostgreSQL alone needs to take the imported rows into the real (indexed, foreign-keyed)
    table: the rows are copied out to a file, the table emptied, and the file copied back in and committed.
    The import cannot be faster than this without changing the schema."""
    from django.db import connection, transaction

    dump = tmp / "elders.copy"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy("COPY elders_elder TO STDOUT") as copy, dump.open("wb") as fh:
            for chunk in copy:
                fh.write(chunk)
    truncate_elders()
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy("COPY elders_elder FROM STDIN") as copy,
        dump.open("rb") as fh,
    ):
        while chunk := fh.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the imported elders (for elders_search.py)")
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time a bare COPY of the imported rows into the indexed table",
    )
    args = parser.parse_args()
    if args.floor and args.keep:
        parser.error("--floor re-inserts the elders without their categories; run --keep separately")
    django_setup()
    from yiyang.elders.importing import run_import

    city, user = city_and_importer()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "elders.csv"
        t0 = time.perf_counter()
        write_csv(path, args.rows, city)
        print(
            f"generated {args.rows} synthetic rows ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        copy_s = copy_baseline(path)
        truncate_elders()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        report = run_import(path, actor=user, mode="good-rows")
        import_s = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        floor_s = indexed_floor(Path(tmp)) if args.floor else None
        if not args.keep:
            truncate_elders()
    print(
        f"rows={args.rows} created={report.created} updated={report.updated} failed={report.failed} "
        f"warned={report.warned}"
    )
    print(f"COPY (unindexed, no checks): {copy_s:.2f}s = {args.rows / copy_s:,.0f} rows/s")
    print(
        f"import (validate + encrypt + blind index + indexed insert): {import_s:.2f}s = "
        f"{args.rows / import_s:,.0f} rows/s"
    )
    print(f"ratio import/COPY: {import_s / copy_s:.1f}x")
    if floor_s is not None:
        print(
            f"floor: the same rows, already encrypted, COPYed into the indexed table + commit: {floor_s:.2f}s "
            f"= {floor_s / copy_s:.1f}x COPY; import/floor {import_s / floor_s:.1f}x"
        )
    print(f"peak RSS before import {rss_before / 1024:.0f} MB, after {rss_after / 1024:.0f} MB")
    print(
        "reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders "
        f".venv/bin/python bench/elders_import.py --rows {args.rows}"
    )


if __name__ == "__main__":
    main()
