"""Run every benchmark at a modest size (``make bench``). Each script prints its own figures, the ratio
against its in-run baseline, and the command that reproduces it at full size.

The benchmarks need PostgreSQL. Each group gets a fresh database (dropped and created here) on the server
of ``DATABASE_URL`` (default: the local server), named ``yiyang_bench_<group>``: the import leaves its rows
for the search benchmark; dispatch and the order lifecycle fill their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
GROUPS = {
    "elders": [
        ["elders_import.py", "--rows", "20000", "--keep"],
        ["elders_search.py", "--elders", "20000", "--repeat", "20"],
    ],
    "dispatch": [["dispatch_bulk.py", "--orders", "300", "--caregivers", "100"]],
    "lifecycle": [["orders_lifecycle.py", "--orders", "100", "--threads", "4"]],
    "hotline": [["hotline.py", "--requests", "200", "--threads", "4"]],
}


def fresh_database(server_url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> int:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    failed = 0
    for group, runs in GROUPS.items():
        env = {**os.environ, "DATABASE_URL": fresh_database(server, f"yiyang_bench_{group}")}
        for args in runs:
            print(f"\n=== {' '.join(args)}  (database yiyang_bench_{group})", flush=True)
            result = subprocess.run([sys.executable, str(HERE / args[0]), *args[1:]], env=env, check=False)
            failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
