"""Run every benchmark at a modest size (``make bench``). Each script prints its own figures, the ratio
against its in-run baseline, and the command that reproduces it at full size. The benchmarks need
PostgreSQL: ``DATABASE_URL`` defaults to the local server's ``yiyang_bench`` database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS = [
    ["elders_import.py", "--rows", "20000", "--keep"],
    ["elders_search.py", "--elders", "20000", "--repeat", "20"],
    ["dispatch_bulk.py", "--orders", "300", "--caregivers", "100"],
    ["orders_lifecycle.py", "--orders", "100", "--threads", "4"],
]


def main() -> int:
    env = {**os.environ}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yiyang_bench")
    failed = 0
    for args in RUNS:
        print(f"\n=== {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], env=env, check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
