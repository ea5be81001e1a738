"""Benchmark: the 12349 hotline over HTTP (gunicorn, PostgreSQL, 2 workers) — the 12345 inbound endpoint
(API key, idempotency check, region check, outbox callback) and incident creation (scope, one-open-per-
elder lock, timeline, audit, notifications) — req/s and p50/p99 against the baseline endpoint of the
orders benchmark (one indexed read and one write on the same stack), measured in the same run with the
same concurrency.

The server gets a Celery broker (``--broker``, Redis by default) as production has one: a request that
writes outbox messages (notifications, SMS, the 12345 callback) only writes the rows and queues one task
per message after the commit; no worker runs here, so the bench then delivers what the run queued
in-process and prints the count. ``--broker ''`` runs the server without a broker, where Celery runs the
delivery in the request after the commit (demo mode).

    (use a fresh database: it is migrated and filled with synthetic data)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_hotline_bench \\
        .venv/bin/python bench/hotline.py --requests 400 --threads 8
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.lifecycle_settings")


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400, help="requests per measured endpoint")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=8194)
    parser.add_argument(
        "--broker", default="redis://127.0.0.1:6379/15", help="the server's CELERY_BROKER_URL ('' for none)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    import requests
    from django.core.management import call_command

    from yiyang.accounts.services import token_issue, user_create
    from yiyang.hotline.tests.factories import make_integration, phone_elder
    from yiyang.orders.tests.factories import make_item, make_order
    from yiyang.regions.models import Region

    call_command("migrate", verbosity=0)
    prov, _ = Region.objects.get_or_create(
        code="320000000000", defaults={"name": "江苏省", "level": "province"}
    )
    city, _ = Region.objects.get_or_create(
        code="321000000000", defaults={"name": "扬州市", "level": "city", "parent": prov}
    )
    county, _ = Region.objects.get_or_create(
        code="321002000000", defaults={"name": "广陵区", "level": "county", "parent": city}
    )
    town, _ = Region.objects.get_or_create(
        code="321002001000", defaults={"name": "文昌街道", "level": "town", "parent": county}
    )
    village, _ = Region.objects.get_or_create(
        code="321002001001", defaults={"name": "文昌社区", "level": "village", "parent": town}
    )
    stamp = str(int(time.time()))
    operator = user_create(
        username=f"hl_operator_{stamp}", password="Bench-Password-2026!", grants=[("operator", county.code)]
    )
    token = token_issue(user=operator)[1]
    _, key = make_integration(village)
    n = args.requests
    elders = [phone_elder(village) for _ in range(n)]
    item = make_item()
    order_ids = [str(make_order(elders[i % len(elders)], item).public_id) for i in range(min(n, 50))]

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.lifecycle_settings",
        "YIYANG_LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": args.broker,
    }
    from yiyang.core.models import OutboxMessage

    first_message = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    timings: dict[str, list[float]] = {"12345 inbound": [], "incident create": [], "baseline": []}
    walls: dict[str, float] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def run(name: str, requests_for: Any) -> None:
        def worker(t: int) -> None:
            s = requests.Session()
            for i in range(t, n, args.threads):
                url, body, headers, ok = requests_for(i)
                t0 = time.perf_counter()
                r = s.post(base + url, json=body, headers=headers)
                dt = time.perf_counter() - t0
                with lock:
                    if r.status_code in ok:
                        timings[name].append(dt)
                    else:
                        errors.append(f"{name} {r.status_code} {r.text[:120]}")

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        walls[name] = time.perf_counter() - t0

    try:
        for _ in range(100):
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.2)
        auth = {"Authorization": f"Token {token}"}
        run(
            "baseline",
            lambda i: (f"/bench/baseline/{order_ids[i % len(order_ids)]}/", {}, auth, (200,)),
        )
        run(
            "12345 inbound",
            lambda i: (
                "/api/v1/hotline/12345/work-orders/",
                {
                    "external_id": f"B{stamp}-{i}",
                    "title": "独居老人家中无人应答",
                    "content": "邻居反映老人两天未出门，请社区上门查看",
                    "caller_phone": "13811112222",
                    "region_code": village.code,
                    "deadline": None,
                },
                {"Authorization": f"Api-Key {key}"},
                (201,),
            ),
        )
        run(
            "incident create",
            lambda i: (
                "/api/v1/incidents/",
                {"elder": str(elders[i].public_id), "kind": "fall", "source": "call", "notes": "摔倒"},
                auth,
                (201,),
            ),
        )
    finally:
        server.terminate()
        server.wait()
    from yiyang.core.outbox import deliver_due

    written = OutboxMessage.objects.filter(pk__gt=first_message)
    left = written.filter(status=OutboxMessage.Status.PENDING).count()
    if args.broker:  # no worker consumed the queued tasks: drop them and deliver here instead
        from config.celery import app

        app.conf.broker_url = args.broker
        app.control.purge()
    while deliver_due(limit=500)["claimed"]:
        pass
    sent = written.filter(status=OutboxMessage.Status.SENT).count()
    print(
        f"gunicorn 2 workers, {args.threads} client threads, PostgreSQL, {n} requests per endpoint; errors {len(errors)}"
    )
    print(
        f"  broker {args.broker or 'none (delivery in the request, after commit)'}: {written.count()} outbox "
        f"messages written, {left} left pending for a worker by the requests, {sent} delivered in all"
    )
    for e in errors[:3]:
        print("  error:", e)
    b99 = pct(timings["baseline"], 0.99)
    for name in ["baseline", "12345 inbound", "incident create"]:
        v = timings[name]
        rate = len(v) / walls[name] if walls.get(name) else 0
        print(
            f"  {name:16s} {rate:6.0f} req/s  p50 {pct(v, 0.5):6.1f} ms  p99 {pct(v, 0.99):6.1f} ms"
            + ("" if name == "baseline" else f"  p99/baseline {pct(v, 0.99) / b99:4.1f}x")
        )
    print(
        "reproduce: DATABASE_URL=<fresh db> .venv/bin/python bench/hotline.py "
        f"--requests {n} --threads {args.threads}" + (" --broker ''" if not args.broker else "")
    )


if __name__ == "__main__":
    main()
