"""Benchmark: the order pages' elder search (点菜式下单) on N elders in PostgreSQL, as a dispatcher of the
city (every elder in scope). It searches every elder by full name and checks each one is among the
results (so anyone of the N can be found), and prints p50/p95/max of the search API and the HTMX page, the
register's own list search for the same names as the baseline in the same run (ratio), and the query plan.
Above 5,000 elders an evenly spread 2,000 of them are checked.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_ordering_bench \
        .venv/bin/python bench/orders_elder_search.py --elders 2000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_setup
from elders_search import ensure_population


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=2000)
    parser.add_argument(
        "--sample", type=int, default=300, help="names timed (all are checked for being found)"
    )
    args = parser.parse_args()
    django_setup()
    import logging

    logging.disable(logging.INFO)
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import setup_test_environment

    from yiyang.accounts.models import User
    from yiyang.accounts.services import user_create
    from yiyang.elders.models import Elder
    from yiyang.elders.selectors import elder_list

    setup_test_environment()
    ensure_population(args.elders)
    dispatcher = User.objects.filter(username="bench_dispatcher").first() or user_create(
        username="bench_dispatcher",
        password="Bench-Only-2026!x",
        display_name="基准调度员",
        grants=[("dispatcher", "321000000000")],
    )
    people = list(Elder.objects.filter(status="active").values_list("public_id", "name"))
    client = Client()
    client.force_login(dispatcher)

    # 1. Anyone can be found by their full name (the search shows at most 20; namesakes beyond that
    #    are told apart by phone tail or ID number).
    missed = 0
    checked = people if len(people) <= 5000 else people[:: len(people) // 2000]
    for public_id, name in checked:
        r = client.get("/api/v1/orders/elder-search/", {"q": name})
        ids = {h["id"] for h in r.json()["results"]}
        missed += str(public_id) not in ids
    namesakes = max(
        Elder.objects.values("name").annotate(n=Count("id")).values_list("n", flat=True), default=0
    )

    # 2. Latency: full names and two-character fragments, API and HTMX page; the register's list as baseline.
    sample = [n for _, n in people[: args.sample]]
    queries = sample + [n[-2:] for n in sample[: args.sample // 3]]
    timings: dict[str, list[float]] = {"api": [], "page": [], "baseline": []}
    for q in queries:
        for kind, url, params, headers in (
            ("api", "/api/v1/orders/elder-search/", {"q": q}, {}),
            ("page", "/services/order/", {"q": q}, {"HTTP_HX_REQUEST": "true"}),
            ("baseline", "/api/v1/elders/", {"q": q}, {}),
        ):
            started = time.perf_counter()
            r = client.get(url, params, **headers)
            timings[kind].append((time.perf_counter() - started) * 1000)
            assert r.status_code == 200, (url, q, r.status_code)

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"elders in database: {Elder.objects.count():,}; searched as a city dispatcher")
    print(
        f"found by full name: {len(checked) - missed:,} of {len(checked):,} checked (most namesakes: {namesakes})"
    )
    print(f"{'endpoint':<44}{'p50':>9}{'p95':>9}{'max':>9}")
    for kind, label in (
        ("api", "GET /api/v1/orders/elder-search/?q="),
        ("page", "GET /services/order/?q= (HTMX results)"),
        ("baseline", "baseline: GET /api/v1/elders/?q= (register)"),
    ):
        v = timings[kind]
        print(f"{label:<44}{p(v, 50):>7.1f}ms{p(v, 95):>7.1f}ms{max(v):>7.1f}ms")
    print(f"ratio search/baseline (p95): {p(timings['api'], 95) / p(timings['baseline'], 95):.2f}")

    qs = elder_list(user=dispatcher, perm="orders.add").filter(status="active", name__contains=sample[0][-2:])
    sql, params = qs.order_by("name", "-id")[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        print("query plan (name contains, two characters):")
        for (line,) in cursor.fetchall():
            print("   ", line)
    print(
        "reproduce: DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_ordering_bench "
        f".venv/bin/python bench/orders_elder_search.py --elders {args.elders}"
    )


if __name__ == "__main__":
    main()
