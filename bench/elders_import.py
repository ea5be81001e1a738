"""Benchmark: import the elder register from CSV into PostgreSQL with full validation and encryption, against
a plain ``COPY`` of the same file into an unindexed table in the same run (issue 18, decision 0018).

It prints, in one run:
- the COPY baseline of the N-row file (``--rows``, default 100,000);
- the import of those N rows into an empty register (``--strategy``: ``bulk``, the default here, sets the
  secondary indexes aside and rebuilds them at the end; ``general`` is the batch-by-batch path; ``auto`` is
  what the application does: general unless ``YIYANG_IMPORT_BULK_MIN_ROWS`` is set), its ratio to COPY and
  the peak RSS of this process and of the largest worker (``YIYANG_IMPORT_WORKERS`` sets the pool);
- with ``--incremental M``: the import of M more people into that register of N (``auto``: the general
  path, which ``auto`` always keeps for a small file into a large table);
- the physical limit: the per-row CPU cost of checking and encrypting one row (measured here, on a sample,
  in one process) × rows / 2 cores, and how far each figure is from it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders \
        .venv/bin/python bench/elders_import.py --rows 1000000 --incremental 100000

``--workdir DIR`` keeps the generated CSV files between runs (generating 1,000,000 rows takes minutes).
"""

from __future__ import annotations

import argparse
import inspect
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("YIYANG_IMPORT_MAX_ROWS", "5000000")
os.environ.setdefault("YIYANG_IMPORT_MAX_MB", "4000")
from _setup import city_and_importer, django_setup, truncate_elders, write_csv

CORES = 2


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


def files(workdir: Path, rows: int, incremental: int, city: object) -> tuple[Path, Path | None]:
    """``main.csv`` (``rows`` people) and ``more.csv`` (``incremental`` other people), generated once as one
    file so that no person of the second is in the first."""
    main = workdir / f"main-{rows}-{incremental}.csv"
    more = workdir / f"more-{rows}-{incremental}.csv"
    if not main.exists() or (incremental and not more.exists()):
        t0 = time.perf_counter()
        whole = workdir / "whole.csv"
        write_csv(whole, rows + incremental, city)
        with whole.open(encoding="utf-8", newline="") as src:
            header = src.readline()
            with main.open("w", encoding="utf-8", newline="") as out:
                out.write(header)
                for _ in range(rows):
                    out.write(src.readline())
            if incremental:
                with more.open("w", encoding="utf-8", newline="") as out:
                    out.write(header)
                    for line in src:
                        out.write(line)
        whole.unlink()
        print(f"generated {rows + incremental} synthetic rows in {time.perf_counter() - t0:.1f}s", flush=True)
    return main, (more if incremental else None)


def per_row_cpu(path: Path, sample: int) -> float:
    """CPU seconds per row to read, check and seal (encrypt, blind-index, mask) one row, in one process."""
    from itertools import islice

    from yiyang.elders.importing import Checker, Sealer, iter_rows

    checker = Checker(Sealer())
    rows = list(islice(iter_rows(path), sample))
    started = time.process_time()
    for number, raw in rows:
        checker.check(number, raw)
    return (time.process_time() - started) / len(rows)


def timed_import(path: Path, user: object, strategy: str) -> tuple[float, object]:
    from yiyang.elders.importing import run_import

    kwargs = {}
    if "strategy" in inspect.signature(run_import).parameters:
        kwargs["strategy"] = strategy
    elif strategy != "general":
        print("  (this code has no strategy parameter: the general path runs)")
    started = time.perf_counter()
    report = run_import(path, actor=user, mode="good-rows", **kwargs)
    return time.perf_counter() - started, report


def profile(path: Path, user: object, rows: int) -> None:
    """Where the time of the general path goes, stage by stage (the same calls as ``run_import``, one thread,
    timed around each stage), then what each secondary index costs the bulk write (the imported rows copied
    out, and COPYed back into the table with all indexes, without the trigram index, without any)."""
    from django.db import connection, transaction

    from yiyang.elders import importing as imp

    t: dict[str, float] = dict.fromkeys(
        ["parse", "check", "seal", "validate", "dedup", "copy", "categories", "contacts", "commit"], 0.0
    )
    seal = imp.Sealer()
    checker = imp.Checker(seal)
    validator = imp.Validator(user)
    started_at = __import__("django.utils.timezone", fromlist=["now"]).now()
    source = imp.iter_rows(path)
    total = 0
    while True:
        t0 = time.perf_counter()
        raw = [r for _, r in zip(range(imp.BATCH), source, strict=False)]
        t["parse"] += time.perf_counter() - t0
        if not raw:
            break
        total += len(raw)
        t0 = time.perf_counter()
        checked = [checker.check(n, r) for n, r in raw]
        t["check"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        for c in checked:  # the sealing alone, timed again on the good rows (encrypt ×3, HMAC ×3, masks)
            if c.prepared is not None:
                c.prepared.id_hash = seal.id_index(c.prepared.id_number)
                imp._values(c.prepared, seal)
        t["seal"] += time.perf_counter() - t0
        t0 = time.perf_counter()
        good = [p for _, p, errors in validator.resolve(checked) if p is not None and not errors]
        t["validate"] += time.perf_counter() - t0
        with transaction.atomic():
            t0 = time.perf_counter()
            existing = imp._existing([p.id_hash for p in good])
            assert not existing
            t["dedup"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            pks = imp._insert(good, user.pk, started_at)
            t["copy"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            imp._insert_categories([(pks[p.id_hash], c) for p in good for c in p.categories or []])
            t["categories"] += time.perf_counter() - t0
            t0 = time.perf_counter()
            imp._write_contacts([(pks[p.id_hash], p.contact) for p in good if p.contact])
            t["contacts"] += time.perf_counter() - t0
            t0 = time.perf_counter()
        t["commit"] += time.perf_counter() - t0
    t["check"] -= t["seal"]  # check includes sealing; shown apart
    whole = sum(t.values())
    print(f"profile of the general path, {total} rows, one thread ({whole:.1f}s in all):")
    for k, v in t.items():
        print(f"  {k:<11} {v:7.2f}s {v / whole:6.1%}  {v / total * 1e6:6.0f} µs/row")

    dump = path.parent / "elders.copy"
    with connection.cursor() as cursor:
        with cursor.cursor.copy("COPY elders_elder TO STDOUT") as copy, dump.open("wb") as fh:
            for chunk in copy:
                fh.write(chunk)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'elders_elder' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'elders_elder'::regclass)"
        )
        secondary = cursor.fetchall()

    def reload(drop: list[tuple[str, str]]) -> tuple[float, float]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE elders_elder CASCADE")
            for name, _ in drop:
                cursor.execute(f'DROP INDEX "{name}"')
            t0 = time.perf_counter()
            with cursor.cursor.copy("COPY elders_elder FROM STDIN") as copy, dump.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            copy_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _, ddl in drop:
                cursor.execute(ddl)
            build_s = time.perf_counter() - t0
            transaction.set_rollback(True)
        return copy_s, build_s

    all_s, _ = reload([])
    trgm = [i for i in secondary if "gin" in i[1].lower()]
    no_trgm_s, trgm_build = reload(trgm)
    none_s, build_all = reload(secondary)
    print(f"write of {total} sealed rows into elders_elder (COPY, foreign keys checked):")
    print(f"  all {len(secondary) + 2} indexes: {all_s:.2f}s")
    print(f"  without the trigram index: {no_trgm_s:.2f}s (+ {trgm_build:.2f}s to build it afterwards)")
    print(
        f"  without the {len(secondary)} secondary indexes: {none_s:.2f}s (+ {build_all:.2f}s to build them)"
    )
    for index in secondary:
        one_s, one_build = reload([index])
        print(
            f"  without {index[0]}: {one_s:.2f}s, saves {all_s - one_s:+.2f}s; building it: {one_build:.2f}s"
        )
    dump.unlink()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--incremental", type=int, default=0, help="then import this many more people")
    parser.add_argument("--strategy", default="bulk", choices=["auto", "bulk", "general"])
    parser.add_argument("--workdir", type=Path, default=None, help="keep the generated files here")
    parser.add_argument("--keep", action="store_true", help="keep the imported elders (for elders_search.py)")
    parser.add_argument(
        "--profile", action="store_true", help="where the general path's time goes, then stop"
    )
    args = parser.parse_args()
    django_setup()

    city, user = city_and_importer()
    if args.profile:
        with tempfile.TemporaryDirectory() as tmp:
            main_csv, _ = files(args.workdir or Path(tmp), args.rows, 0, city)
            truncate_elders()
            profile(main_csv, user, args.rows)
            truncate_elders()
        return
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        main_csv, more_csv = files(workdir, args.rows, args.incremental, city)
        cpu = per_row_cpu(main_csv, min(args.rows, 20_000))
        copy_s = copy_baseline(main_csv)
        truncate_elders()
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        import_s, report = timed_import(main_csv, user, args.strategy)
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            f"import {args.rows} into empty ({args.strategy}): created={report.created} "
            f"updated={report.updated} failed={report.failed} warned={report.warned}",
            flush=True,
        )
        inc_s = None
        if more_csv is not None:
            inc_s, inc = timed_import(more_csv, user, "auto")
            print(
                f"incremental {args.incremental} into {args.rows}: created={inc.created} "
                f"updated={inc.updated} failed={inc.failed}",
                flush=True,
            )
        if not args.keep:
            truncate_elders()

    limit_s = cpu * args.rows / CORES
    print()
    print(f"per-row CPU to read + check + encrypt + blind-index one row: {cpu * 1e6:.0f} µs (one process)")
    print(
        f"COPY of the {args.rows}-row file into an unindexed table: {copy_s:.2f}s = {args.rows / copy_s:,.0f} rows/s"
    )
    print(
        f"physical limit for {args.rows} rows (per-row CPU × rows / {CORES} cores): {limit_s:.1f}s "
        f"= {limit_s / copy_s:.1f}x COPY"
    )
    print(
        f"import {args.rows} into an empty register ({args.strategy}): {import_s:.1f}s = "
        f"{args.rows / import_s:,.0f} rows/s = {import_s / copy_s:.1f}x COPY = {import_s / limit_s:.2f}x the limit"
    )
    print(
        f"peak RSS: this process {rss_self / 1024:.0f} MB (before the import {rss0 / 1024:.0f} MB), "
        f"largest worker {rss_child / 1024:.0f} MB"
    )
    if inc_s is not None:
        inc_limit = cpu * args.incremental / CORES
        print(
            f"incremental {args.incremental} into {args.rows}: {inc_s:.1f}s = {args.incremental / inc_s:,.0f} rows/s "
            f"= {inc_s / inc_limit:.2f}x its limit ({inc_limit:.1f}s)"
        )
    print(
        "reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders "
        f".venv/bin/python bench/elders_import.py --rows {args.rows} --incremental {args.incremental} "
        f"--strategy {args.strategy}"
    )


if __name__ == "__main__":
    main()
