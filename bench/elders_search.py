"""Benchmark: p95 latency of the elder list API and list page for the common filters, on N elders in
PostgreSQL (the population is generated with the demo generator and bulk-loaded through the import path).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders \
        .venv/bin/python bench/elders_search.py --elders 100000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import city_and_importer, django_setup, write_csv


def ensure_population(n: int) -> None:
    from yiyang.elders.importing import run_import
    from yiyang.elders.models import Elder

    city, user = city_and_importer()
    have = Elder.objects.count()
    if have >= n:
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "elders.csv"
        write_csv(path, n - have, city, seed=1000 + have)
        run_import(path, actor=user)
    from django.db import connection

    with connection.cursor() as cursor:
        # VACUUM sets the visibility map that index-only scans (the capped counts) rely on; in production
        # autovacuum does this after a bulk import, here it is done at once so runs are comparable.
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    django_setup()
    import logging

    logging.disable(logging.INFO)  # request logs would drown the figures
    from django.test import Client
    from django.test.utils import setup_test_environment

    from yiyang.accounts.models import User
    from yiyang.elders.models import Elder

    setup_test_environment()
    ensure_population(args.elders)
    total = Elder.objects.count()
    county = User.objects.filter(username="bench_county").first()
    if county is None:
        from yiyang.accounts.services import user_create

        county = user_create(
            username="bench_county",
            password="Bench-Only-2026!x",
            display_name="基准区管理员",
            grants=[("county_admin", "321002000000")],
        )
    sample = Elder.objects.filter(region__code__startswith="321002").order_by("id").first()
    from yiyang.core.pii import decrypt

    number = decrypt(sample.id_number_enc) if sample else ""
    cases = {
        "no filter": {},
        "q=王": {"q": "王"},
        "q=王秀英 (3 chars: trigram index)": {"q": "王秀英"},
        "id_number (exact)": {"id_number": number},
        "phone_tail": {"phone_tail": "1234"},
        "category=dibao": {"category": "dibao"},
        "living_situation=alone": {"living_situation": "alone"},
        "age 80–89": {"age_min": "80", "age_max": "89"},
        "region=street 321002001": {"region": "321002001"},
        "alone + 80+ + ordering=birth_date": {
            "living_situation": "alone",
            "age_min": "80",
            "ordering": "birth_date",
        },
    }
    api = Client()
    api.force_login(county)
    print(f"elders in database: {total:,}; viewer: county admin of 广陵区 (321002)")
    print(
        f"{'filter':<38}{'API p50':>9}{'API p95':>9}{'page p50':>10}{'page p95':>10}  rows (N+ = capped count)"
    )
    for label, params in cases.items():
        timings: dict[str, list[float]] = {"api": [], "page": []}
        count = ""
        for kind, url in (("api", "/api/v1/elders/"), ("page", "/elders/")):
            for i in range(args.repeat + 3):
                started = time.perf_counter()
                r = api.get(url, params)
                ms = (time.perf_counter() - started) * 1000
                assert r.status_code == 200, (url, params, r.status_code)
                if i >= 3:  # warm-up
                    timings[kind].append(ms)
                if kind == "api":
                    body = r.json()
                    count = f"{body['count']:,}{'+' if body.get('count_capped') else ''}"

        def p(values: list[float], q: float) -> float:
            return statistics.quantiles(values, n=100)[int(q) - 1]

        print(
            f"{label:<38}{p(timings['api'], 50):>8.1f}ms{p(timings['api'], 95):>7.1f}ms"
            f"{p(timings['page'], 50):>8.1f}ms{p(timings['page'], 95):>8.1f}ms  {count}"
        )
    print(
        "reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_elders "
        f".venv/bin/python bench/elders_search.py --elders {args.elders}"
    )


if __name__ == "__main__":
    main()
