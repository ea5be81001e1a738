"""Run every benchmark (``make bench``) and end with one summary table of their headline figures.

Each script prints its own figures, the ratio against its in-run baseline, and the command that reproduces
it; this runner streams that output and then reads the headline figures back from it (the patterns in
``HEADLINES``), so the table holds exactly what the scripts printed.

    .venv/bin/python bench/run_all.py            # modest sizes (a few minutes)
    .venv/bin/python bench/run_all.py --full     # the sizes the aims are stated for (much longer)
    .venv/bin/python bench/run_all.py --only lifecycle --only hotline

The benchmarks need PostgreSQL. Each group gets a fresh database (dropped and created here) on the server
of ``DATABASE_URL`` (default: the local server), named ``yiyang_bench_<group>``: the import leaves its rows
for the search benchmark; dispatch and the order lifecycle fill their own."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
# group → runs (script and arguments), at the modest size and at the full size.
GROUPS: dict[str, list[list[str]]] = {
    "elders": [
        ["elders_import.py", "--rows", "20000", "--keep"],
        ["elders_search.py", "--elders", "20000", "--repeat", "20"],
    ],
    "dispatch": [["dispatch_bulk.py", "--orders", "300", "--caregivers", "100"]],
    "lifecycle": [["orders_lifecycle.py", "--orders", "100", "--threads", "8"]],
    "hotline": [["hotline.py", "--requests", "200", "--threads", "4"]],
}
FULL: dict[str, list[list[str]]] = {
    "elders": [
        ["elders_import.py", "--rows", "1000000", "--keep"],
        ["elders_search.py", "--elders", "1000000"],
    ],
    "dispatch": [["dispatch_bulk.py", "--orders", "1000", "--caregivers", "300"]],
    "lifecycle": [["orders_lifecycle.py", "--orders", "300", "--threads", "8"]],
    "hotline": [["hotline.py", "--requests", "400", "--threads", "8"]],
}


@dataclass
class Row:
    benchmark: str
    measure: str
    figure: str
    aim: str = "—"
    met: bool | None = None


def _ratio_rows(
    script: str, pattern: str, measure: Callable[[re.Match[str]], str], aim: float | None, unit: str = "×"
) -> Callable[[str], list[Row]]:
    """Rows for every line of the script's output matching ``pattern`` (group ``v``: the figure)."""

    def parse(output: str) -> list[Row]:
        rows = []
        for m in re.finditer(pattern, output, flags=re.MULTILINE):
            value = float(m.group("v"))
            rows.append(
                Row(
                    script,
                    measure(m),
                    f"{m.group('v')}{unit}",
                    f"≤ {aim:g}{unit}" if aim is not None else "—",
                    None if aim is None else value <= aim,
                )
            )
        return rows

    return parse


def _worst_api_p95(output: str) -> list[Row]:
    values = [
        float(m.group(1)) for m in re.finditer(r"^.{38}\s*[\d.]+ms\s*([\d.]+)ms", output, flags=re.MULTILINE)
    ]
    return [Row("elders_search.py", "slowest filter, API p95", f"{max(values):.1f} ms")] if values else []


def _errors(script: str) -> Callable[[str], list[Row]]:
    def parse(output: str) -> list[Row]:
        m = re.search(r"errors (\d+)", output)
        if m is None:
            return []
        n = int(m.group(1))
        return [Row(script, "errors", str(n), "0", n == 0)]

    return parse


HEADLINES: dict[str, list[Callable[[str], list[Row]]]] = {
    "elders_import.py": [
        _ratio_rows(
            "elders_import.py", r"ratio import/COPY:\s*(?P<v>[\d.]+)x", lambda m: "import ÷ COPY", 10
        ),
    ],
    "elders_search.py": [_worst_api_p95],
    "dispatch_bulk.py": [
        _ratio_rows(
            "dispatch_bulk.py",
            r"ratio travel ours/greedy per assigned order:\s*(?P<v>[\d.]+)",
            lambda m: "travel per order ÷ greedy",
            1.0,
        )
    ],
    "orders_lifecycle.py": [
        _ratio_rows(
            "orders_lifecycle.py",
            r"^\s+(?P<step>[a-z-]+)\s+p50 .*p99/baseline\s+(?P<v>[\d.]+)x",
            lambda m: f"{m.group('step')} p99 ÷ baseline p99",
            3,
        ),
        _errors("orders_lifecycle.py"),
    ],
    "hotline.py": [
        _ratio_rows(
            "hotline.py",
            r"^\s+(?P<step>12345 inbound|incident create)\s.*p99/baseline\s+(?P<v>[\d.]+)x",
            lambda m: f"{m.group('step')} p99 ÷ baseline p99",
            None,
        ),
        _errors("hotline.py"),
    ],
}


def fresh_database(server_url: str, name: str) -> str:
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run one script, echoing its output as it comes, and return its exit code and output."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / args[0]), *args[1:]],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    return proc.wait(), "".join(lines)


def summary(rows: list[Row], failed: list[str]) -> str:
    header = ("benchmark", "headline", "figure", "aim", "")
    table = [header] + [
        (r.benchmark, r.measure, r.figure, r.aim, "" if r.met is None else ("met" if r.met else "NOT MET"))
        for r in rows
    ]
    widths = [max(_width(t[i]) for t in table) for i in range(len(header))]
    out = ["", "=== summary (figures as printed above; ratios are within one run)"]
    for n, t in enumerate(table):
        out.append("  ".join(_pad(c, w) for c, w in zip(t, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    for script in failed:
        out.append(f"{script}: failed (see its output above)")
    return "\n".join(out)


def _width(text: str) -> int:
    """Display width: CJK and other wide characters take two columns."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--full", action="store_true", help="the full sizes (long: the import is 1,000,000 rows)"
    )
    parser.add_argument(
        "--only", action="append", choices=sorted(GROUPS), help="run only this group (repeatable)"
    )
    opts = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    groups = FULL if opts.full else GROUPS
    rows: list[Row] = []
    failed: list[str] = []
    for group, runs in groups.items():
        if opts.only and group not in opts.only:
            continue
        env = {**os.environ, "DATABASE_URL": fresh_database(server, f"yiyang_bench_{group}")}
        for args in runs:
            print(f"\n=== {' '.join(args)}  (database yiyang_bench_{group})", flush=True)
            code, output = run(args, env)
            if code != 0:
                failed.append(" ".join(args))
            found = [row for parse in HEADLINES.get(args[0], []) for row in parse(output)]
            if not found and code == 0:
                rows.append(Row(args[0], "(no headline figure found in its output)", "—"))
            rows.extend(found)
    print(summary(rows, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
