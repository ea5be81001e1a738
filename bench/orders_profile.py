"""Profile of the order transitions, in-process (decision 0019): for each step of the lifecycle, over the
full stack (middleware, token authentication, DRF, the service, the answer) — the SQL it sends (count,
time, text of one request's queries) and where the Python time goes (self time by component, and the
cumulative time of the main stages). The baseline endpoint of ``orders_lifecycle.py`` is profiled the
same way.

    (use a fresh database: it is migrated and filled with synthetic data)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_orders_profile \\
        .venv/bin/python bench/orders_profile.py --orders 40 [--sql]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.lifecycle_settings")

# Self time of a function is charged to the first component whose marker is in its file path.
COMPONENTS: list[tuple[str, tuple[str, ...]]] = [
    ("db driver + wait (psycopg)", ("psycopg",)),
    ("ORM (django.db)", ("django/db/",)),
    (
        "DRF serializers/fields",
        ("rest_framework/serializers", "rest_framework/fields", "rest_framework/relations"),
    ),
    ("DRF views/request/auth", ("rest_framework/",)),
    (
        "middleware (django + ours)",
        (
            "django/middleware",
            "django/contrib/sessions",
            "django/contrib/messages",
            "django/contrib/auth",
            "whitenoise",
            "yiyang/core/middleware",
        ),
    ),
    ("request/response/urls (django)", ("django/core/handlers", "django/http", "django/urls", "django/test")),
    ("json", ("json/",)),
    ("orders service + api", ("yiyang/orders/",)),
    ("accounts (grants, token)", ("yiyang/accounts/",)),
    ("audit", ("yiyang/audit/",)),
    ("core (statemachine, outbox, policy…)", ("yiyang/core/",)),
    ("other yiyang", ("yiyang/",)),
    ("django other", ("django/",)),
]
# Stages: cumulative time of these functions (file suffix, function name).
STAGES: list[tuple[str, str, str]] = [
    ("token authentication", "accounts/authentication.py", "authenticate_credentials"),
    ("permission check", "orders/api/views.py", "has_permission"),
    ("load scoped order (get_object)", "rest_framework/generics.py", "get_object"),
    ("parse + validate body", "orders/api/views.py", "_body"),
    ("service: move (CAS, audit, timeline, flags)", "orders/services.py", "_move"),
    ("  audit row", "audit/services.py", "audit_record"),
    ("  timeline row", "core/statemachine.py", "timeline_write"),
    ("answer (reload + serialise)", "orders/api/views.py", "_done"),
    ("  serialise (.data)", "rest_framework/serializers.py", "data"),
    ("whole view (DRF dispatch)", "rest_framework/views.py", "dispatch"),
    ("middleware + handler (whole request)", "django/core/handlers/base.py", "get_response"),
]


def component(filename: str) -> str:
    path = filename.replace("\\", "/")
    for name, markers in COMPONENTS:
        if any(m in path for m in markers):
            return name
    return "python/stdlib other"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=40, help="orders taken through the lifecycle")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request per step")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench._lifecycle import STEPS, build_world, plan, step_url

    call_command("migrate", verbosity=0)
    world = build_world(1)
    client = Client()
    names = [*STEPS, "baseline"]
    profiles = {s: cProfile.Profile() for s in names}
    walls: dict[str, list[float]] = defaultdict(list)
    nq: dict[str, list[int]] = defaultdict(list)
    dbms: dict[str, list[float]] = defaultdict(list)
    sample: dict[str, list[dict[str, str]]] = {}

    def call(name: str, url: str, token: str, body: dict[str, Any] | None) -> Any:
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            prof = profiles[name]
            t0 = time.perf_counter()
            prof.enable()
            r = client.post(
                url, body or {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
            )
            prof.disable()
            walls[name].append(time.perf_counter() - t0)
        if r.status_code not in (200, 201):
            raise SystemExit(f"{name}: HTTP {r.status_code} {r.content[:200]!r}")
        nq[name].append(len(ctx.captured_queries))
        dbms[name].append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
        sample[name] = ctx.captured_queries
        return r

    warm = 3
    for n in range(args.orders + warm):
        oid = ""
        for name, url, token, body in plan(world, 0):
            r = call(name, step_url(name, url, oid), token, body)
            oid = oid or r.json()["id"]
        call("baseline", f"/bench/baseline/{oid}/", world.tok_dispatcher, None)
        if n == warm - 1:  # first requests pay for imports and caches: not measured
            profiles = {s: cProfile.Profile() for s in names}
            walls.clear()
            nq.clear()
            dbms.clear()

    print(f"in-process profile, {args.orders} orders, {connection.vendor}; per request means")
    print(f"{'step':<10}{'wall ms':>9}{'queries':>9}{'SQL ms':>8}{'Python ms':>11}")
    for s in names:
        wall = statistics.mean(walls[s]) * 1000
        db = statistics.mean(dbms[s])
        print(f"{s:<10}{wall:>9.1f}{statistics.median(nq[s]):>9.0f}{db:>8.1f}{wall - db:>11.1f}")

    print("\nself time by component, ms per request")
    per: dict[str, dict[str, float]] = {}
    for s in names:
        stats = pstats.Stats(profiles[s])
        buckets: dict[str, float] = defaultdict(float)
        for (filename, _line, _func), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
            buckets[component(filename)] += tt
        per[s] = {k: v * 1000 / len(walls[s]) for k, v in buckets.items()}
    comps = sorted({c for b in per.values() for c in b}, key=lambda c: -sum(per[s].get(c, 0) for s in names))
    print(f"{'component':<40}" + "".join(f"{s[:9]:>10}" for s in names))
    for c in comps:
        print(f"{c:<40}" + "".join(f"{per[s].get(c, 0):>10.2f}" for s in names))

    print("\nstages (cumulative), ms per request")
    print(f"{'stage':<46}" + "".join(f"{s[:9]:>10}" for s in names))
    for label, suffix, func in STAGES:
        row = []
        for s in names:
            stats = pstats.Stats(profiles[s])
            total = sum(
                ct
                for (filename, _l, f), (_cc, _nc, _tt, ct, _c) in stats.stats.items()  # type: ignore[attr-defined]
                if f == func and filename.replace("\\", "/").endswith(suffix)
            )
            row.append(total * 1000 / len(walls[s]))
        print(f"{label:<46}" + "".join(f"{v:>10.2f}" for v in row))

    if args.sql:
        for s in names:
            print(f"\n-- {s}: {len(sample[s])} queries (one request)")
            for q in sample[s]:
                sql = " ".join(q["sql"].split())
                print(f"   {float(q['time']) * 1000:6.2f} ms  {sql[:150]}")
    print(
        "\ncommand: DATABASE_URL=postgres://postgres@127.0.0.1:5432/<fresh db> "
        f".venv/bin/python bench/orders_profile.py --orders {args.orders}{' --sql' if args.sql else ''}"
    )


if __name__ == "__main__":
    main()
