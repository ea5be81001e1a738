"""Benchmark: the order lifecycle over HTTP (gunicorn, PostgreSQL, 2 workers) — orders completed per
second and p50/p99 per transition — against a baseline endpoint of the same stack doing one indexed
read and one write, measured in the same run with the same concurrency.

    (use a fresh database: it is migrated and filled with synthetic data)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_orders_bench \\
        .venv/bin/python bench/orders_lifecycle.py --orders 300 --threads 8
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.lifecycle_settings")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8193)
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers (docs/deployment.md runs 4)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    import requests
    from django.core.management import call_command

    from bench._lifecycle import STEPS, build_world, plan, step_url

    call_command("migrate", verbosity=0)
    world = build_world(args.threads)
    tok_d = world.tok_dispatcher

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.lifecycle_settings", "YIYANG_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        timings: dict[str, list[float]] = {s: [] for s in [*STEPS, "baseline"]}
        errors: list[str] = []
        lock = threading.Lock()
        per_thread = args.orders // args.threads

        def h(token: str) -> dict[str, str]:
            return {"Authorization": f"Token {token}"}

        def lifecycle(t: int) -> None:
            s = requests.Session()
            for _ in range(per_thread):
                oid = ""
                for name, url, tok, body in plan(world, t):
                    full = base + step_url(name, url, oid)
                    t0 = time.perf_counter()
                    r = s.post(full, json=body, headers=h(tok))
                    dt = time.perf_counter() - t0
                    if r.status_code not in (200, 201):
                        with lock:
                            errors.append(f"{name} {r.status_code} {r.text[:120]}")
                        break
                    oid = oid or r.json()["id"]
                    with lock:
                        timings[name].append(dt)

        def baseline(t: int, ids: list[str]) -> None:
            s = requests.Session()
            for oid in ids:
                t0 = time.perf_counter()
                r = s.post(f"{base}/bench/baseline/{oid}/", headers=h(tok_d))
                dt = time.perf_counter() - t0
                if r.status_code == 200:
                    with lock:
                        timings["baseline"].append(dt)

        def run(target: object, argsets: list[tuple]) -> float:
            threads = [threading.Thread(target=target, args=a) for a in argsets]  # type: ignore[arg-type]
            t0 = time.perf_counter()
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            return time.perf_counter() - t0

        wall = run(lifecycle, [(t,) for t in range(args.threads)])
        from yiyang.orders.models import Order

        ids = [str(x) for x in Order.objects.filter(provider=world.org).values_list("public_id", flat=True)]
        calls = len(STEPS) * per_thread
        chunks = [(t, [ids[(t + k) % len(ids)] for k in range(calls)]) for t in range(args.threads)]
        base_wall = run(baseline, chunks)
    finally:
        server.terminate()
        server.wait()
    done = len(timings["rate"])
    print(
        f"gunicorn {args.workers} workers, {args.threads} client threads, PostgreSQL; {done} orders through 7 transitions "
        f"in {wall:.1f} s = {done / wall:.1f} orders/s ({done * 7 / wall:.0f} requests/s); "
        f"errors {len(errors)}"
    )
    for e in errors[:3]:
        print("  error:", e)
    b99 = pct(timings["baseline"], 0.99)
    print(
        f"baseline (1 indexed read + 1 write): {len(timings['baseline']) / base_wall:.0f} requests/s, "
        f"p50 {pct(timings['baseline'], 0.5):.1f} ms, p99 {b99:.1f} ms"
    )
    for step in STEPS:
        v = timings[step]
        if v:
            print(
                f"  {step:10s} p50 {pct(v, 0.5):6.1f} ms  p99 {pct(v, 0.99):6.1f} ms  "
                f"p99/baseline {pct(v, 0.99) / b99:4.1f}x  mean {statistics.mean(v) * 1000:6.1f} ms"
            )
    ratios = {step: pct(timings[step], 0.99) / b99 for step in STEPS if timings[step]}
    if ratios:
        worst = max(ratios, key=lambda k: ratios[k])
        print(
            f"worst transition p99/baseline: {ratios[worst]:.1f}x ({worst}); aim ≤ 3x with 0 errors "
            f"({'met' if ratios[worst] <= 3 and not errors else 'not met'})"
        )
    print(
        "command: DATABASE_URL=... .venv/bin/python bench/orders_lifecycle.py "
        f"--orders {args.orders} --threads {args.threads} --workers {args.workers}"
    )


if __name__ == "__main__":
    main()
