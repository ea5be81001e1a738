"""A/B of the incremental import (issue 18, decision 0018): 100,000 people into a register of 1,000,000, run
alternately from two checkouts on the same database, so that the comparison sees the same machine load.

Run from the checkout whose code is measured (its ``bench/_setup.py`` and ``yiyang`` are imported from the
current directory), with the files ``bench/elders_import.py --workdir DIR`` generated:

    cd /work/wt/import && DATABASE_URL=… .venv/bin/python bench/elders_import_ab.py load DIR
    cd /tmp/main-checkout && DATABASE_URL=… .venv/bin/python /work/wt/import/bench/elders_import_ab.py inc DIR before
    cd /work/wt/import && DATABASE_URL=… .venv/bin/python bench/elders_import_ab.py inc DIR after

``load`` fills the empty register with ``main-1000000-100000.csv`` (bulk path); ``inc`` imports
``more-1000000-100000.csv`` with ``auto`` (the general path into a large register), prints the time and the
load average, and deletes the added people again so that the next run starts from the same register.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd() / "bench"))
os.environ.setdefault("YIYANG_IMPORT_MAX_ROWS", "5000000")
os.environ.setdefault("YIYANG_IMPORT_MAX_MB", "4000")
from _setup import city_and_importer, django_setup


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    action, workdir = sys.argv[1], Path(sys.argv[2])
    label = sys.argv[3] if len(sys.argv) > 3 else ""
    django_setup()
    from django.db import connection

    from yiyang.elders.importing import run_import

    _, user = city_and_importer()
    if action == "load":
        started = time.perf_counter()
        report = run_import(
            workdir / "main-1000000-100000.csv", actor=user, mode="good-rows", strategy="bulk"
        )
        print(f"load: {report.created} people in {time.perf_counter() - started:.1f}s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE elders_elder")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM elders_elder")
        (top,) = cursor.fetchone()
    before = loadavg()
    started = time.perf_counter()
    report = run_import(workdir / "more-1000000-100000.csv", actor=user, mode="good-rows", strategy="auto")
    seconds = time.perf_counter() - started
    print(
        f"{label}: incremental {report.created} created, {report.failed} failed in {seconds:.1f}s "
        f"(load {before} -> {loadavg()})",
        flush=True,
    )
    with connection.cursor() as cursor:
        for table in ("elders_eldercategory", "elders_eldercontact"):
            cursor.execute(f"DELETE FROM {table} WHERE elder_id > %s", [top])
        cursor.execute("DELETE FROM elders_elder WHERE id > %s", [top])
        cursor.execute("VACUUM ANALYZE elders_elder")
        cursor.execute("VACUUM ANALYZE elders_eldercategory")


if __name__ == "__main__":
    main()
