"""Device ingestion under load (issue 13): Mosquitto → ``manage.py listen_devices`` → Celery (Redis) →
PostgreSQL, on this machine. Each step publishes water-leak events (QoS 1) at a fixed rate for a fixed
time and measures, per event, the time from the publish to the moment its processing claimed it (the
alarm is written in that transaction): p50/p99. In the same run, a bare MQTT publish → subscribe round
trip on the same broker is the baseline. Reported: the latency per rate, the highest rate whose p99 stays
under 1 s, and a fault run at 200 ev/s where the listener and the Celery worker are killed with SIGKILL
and restarted (events sent, stored, processed; alarms per device — a duplicate alarm would show there).
Mosquitto is the machine's shared broker and is not restarted here.

Run (PostgreSQL, Redis and Mosquitto up):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/yiyang_bench_devices \\
  CELERY_BROKER_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/devices_ingest.py
Defaults: 1,000 ev/s for 300 s; ``--rates 100,200,400 --seconds 20`` for a shorter run."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_setup


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


class Proc:
    def __init__(self, args: list[str]) -> None:
        self.args = args
        self.p: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.p = subprocess.Popen(
            self.args, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def kill9(self) -> None:
        if self.p is not None and self.p.poll() is None:
            self.p.send_signal(signal.SIGKILL)
            self.p.wait(10)

    def stop(self) -> None:
        if self.p is not None and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()


def bare_round_trip(mqtt: Any, b: Any, n: int = 300) -> list[float]:
    got: dict[str, float] = {}
    done = threading.Event()
    topic = f"bench/{uuid.uuid4().hex[:8]}/rtt"
    sub = mqtt.client(f"rtt-s-{uuid.uuid4().hex[:6]}")

    def on_message(c: Any, u: Any, m: Any) -> None:
        got[m.payload.decode()] = time.time()
        if len(got) >= n:
            done.set()

    sub.on_message = on_message
    sub.connect(b.host, b.port)
    sub.subscribe(topic, qos=1)
    sub.loop_start()
    time.sleep(0.5)
    pub = mqtt.client(f"rtt-p-{uuid.uuid4().hex[:6]}")
    pub.connect(b.host, b.port)
    pub.loop_start()
    sent: dict[str, float] = {}
    for i in range(n):
        key = str(i)
        sent[key] = time.time()
        pub.publish(topic, key, qos=1)
        time.sleep(0.005)
    done.wait(30)
    pub.loop_stop(), sub.loop_stop(), pub.disconnect(), sub.disconnect()
    return [got[k] - sent[k] for k in sent if k in got]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rates", default="1000", help="comma-separated events per second")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--fault-rate", type=int, default=200)
    parser.add_argument("--fault-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the listener and worker on the way out
    django_setup()
    from django.utils import timezone

    from yiyang.devices import mqtt
    from yiyang.devices.models import Alarm, Device, DeviceEvent
    from yiyang.devices.services import vendor_create
    from yiyang.elders.models import Elder
    from yiyang.regions.scope import SYSTEM

    b = mqtt.broker()
    if not mqtt.broker_answers(b):
        sys.exit(f"MQTT 代理 {b.url} 无应答")
    elder = Elder.objects.filter(status="active").order_by("pk").first()
    if elder is None:  # a migrated database without the demo city: a small one
        from django.core.management import call_command

        call_command("seed_demo", seed=1, elders=50)
        elder = Elder.objects.filter(status="active").order_by("pk").first()
    code = f"bench{uuid.uuid4().hex[:6]}"
    vendor, _ = vendor_create(actor=SYSTEM, code=code, name="基准厂商", region_code="321000000000")
    assert elder is not None
    devices = Device.objects.bulk_create(
        Device(vendor=vendor, serial=f"B{n:06d}", type="water_leak", elder=elder, region_code=elder.region_id)
        for n in range(args.devices)
    )
    root = f"b{uuid.uuid4().hex[:8]}"
    py = sys.executable
    listener = Proc([py, "manage.py", "listen_devices", "--root", root, "--client-id", f"l-{root}"])
    worker = Proc(
        [py, "-m", "celery", "-A", "config", "worker", "-c", str(args.workers), "-l", "WARNING",
         "--without-gossip", "--without-mingle", "-n", f"w-{root}@%h"]
    )  # fmt: skip
    listener.start()
    worker.start()
    pub = mqtt.client(f"p-{root}")
    pub.max_inflight_messages_set(1000)
    pub.max_queued_messages_set(0)
    pub.connect(b.host, b.port)
    pub.loop_start()
    sent_at: dict[str, float] = {}

    def publish(event_id: str, serial: str) -> None:
        body = {"event_id": event_id, "type": "water_leak", "ts": timezone.now().isoformat(), "value": 1}
        sent_at[event_id] = time.time()
        pub.publish(f"{root}/{code}/{serial}/event", json.dumps(body), qos=1)

    probe_deadline = time.time() + 120
    while not DeviceEvent.objects.filter(vendor=vendor).exists():
        if time.time() > probe_deadline:
            sys.exit("监听进程未在 120 秒内订阅")
        publish("probe", devices[0].serial)
        time.sleep(1)
    print(f"MQTT {b.url}; devices {len(devices)}; Celery workers {args.workers}")
    rtt = bare_round_trip(mqtt, b)
    print(
        f"bare MQTT publish→subscribe: p50 {pct(rtt, 0.5) * 1000:.1f} ms, p99 {pct(rtt, 0.99) * 1000:.1f} ms"
    )

    def run(rate: int, seconds: float, tag: str, faults: bool = False) -> dict[str, Any]:
        total = int(rate * seconds)
        ids: list[str] = []
        t0 = time.time()
        killed = []
        for i in range(total):
            target = t0 + i / rate
            delay = target - time.time()
            if delay > 0:
                time.sleep(delay)
            event_id = f"{tag}-{i}"
            ids.append(event_id)
            publish(event_id, devices[i % len(devices)].serial)
            if faults and i == total // 3:
                listener.kill9(), listener.start(), killed.append("listener")
            if faults and i == total // 2:
                worker.kill9(), worker.start(), killed.append("worker")
        achieved = total / (time.time() - t0)
        drain_until = time.time() + (600 if faults else 120)
        last, still = -1, 0
        while time.time() < drain_until:
            done = DeviceEvent.objects.filter(vendor=vendor, event_id__startswith=f"{tag}-").exclude(
                processed_at=None
            )
            n = done.count()
            if n >= total:
                break
            still = still + 1 if n == last else 0
            if faults and still >= 30:  # the killed worker's tasks: the minute sweep, as beat runs it
                from datetime import timedelta

                from yiyang.devices.services import devices_sweep

                devices_sweep(now=timezone.now() + timedelta(seconds=61))
            last = n
            time.sleep(1)
        rows = DeviceEvent.objects.filter(vendor=vendor, event_id__startswith=f"{tag}-")
        lat = [
            p.timestamp() - sent_at[e]
            for e, p in rows.exclude(processed_at=None).values_list("event_id", "processed_at")
        ]
        return {
            "rate": rate,
            "achieved": achieved,
            "sent": total,
            "stored": rows.count(),
            "processed": len(lat),
            "p50": pct(lat, 0.5),
            "p99": pct(lat, 0.99),
            "killed": killed,
        }

    results = []
    try:
        for rate in [int(r) for r in args.rates.split(",") if r]:
            r = run(rate, args.seconds, f"r{rate}")
            results.append(r)
            print(
                f"{rate:5d} ev/s (sent at {r['achieved']:.0f}/s) × {args.seconds:.0f} s: "
                f"sent {r['sent']} stored {r['stored']} processed {r['processed']} · "
                f"event→alarm p50 {r['p50'] * 1000:.0f} ms p99 {r['p99'] * 1000:.0f} ms · "
                f"p99 / bare MQTT p99 = {r['p99'] / max(pct(rtt, 0.99), 1e-6):.0f}×"
            )
        held = [r["rate"] for r in results if r["p99"] < 1.0 and r["processed"] == r["sent"]]
        print(f"highest rate with p99 < 1 s: {max(held) if held else 'none of those tried'}")
        f = run(args.fault_rate, args.fault_seconds, "fault", faults=True)
        alarms = Alarm.objects.filter(device__vendor=vendor)
        per_device = alarms.values("device").distinct().count()
        print(
            f"fault run {args.fault_rate} ev/s × {args.fault_seconds:.0f} s, SIGKILL {' and '.join(f['killed'])}: "
            f"sent {f['sent']} stored {f['stored']} processed {f['processed']} · "
            f"alarms {alarms.count()} on {per_device} devices (duplicate alarms {alarms.count() - per_device})"
        )
    finally:
        pub.loop_stop()
        pub.disconnect()
        listener.stop()
        worker.stop()


if __name__ == "__main__":
    main()
