"""Realistic device streams for demos and benchmarks: heartbeats, cumulative meter readings with a daily
rhythm (quiet nights, morning and evening peaks), door events, and an occasional SOS or smoke alarm."""

from __future__ import annotations

import json
import math
import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

# Share of an hour in which someone at home uses water/electricity, by local hour of the day.
RHYTHM = [0.02, 0.01, 0.01, 0.01, 0.02, 0.1, 0.6, 0.8, 0.7, 0.5, 0.5, 0.6,
          0.7, 0.4, 0.3, 0.4, 0.5, 0.7, 0.8, 0.7, 0.6, 0.4, 0.15, 0.05]  # fmt: skip


def active_in_hour(rng: random.Random, at: datetime) -> bool:
    return rng.random() < RHYTHM[timezone.localtime(at).hour]


def event(serial: str, type_: str, ts: datetime, value: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "event_id": uuid.uuid4().hex,
        "serial": serial,
        "type": type_,
        "ts": ts.isoformat(),
    }
    if value is not None:
        body["value"] = value
    return body


def home_history(
    rng: random.Random, serials: dict[str, str], start: datetime, hours: int, readings: dict[str, float]
) -> Iterator[dict[str, Any]]:
    """Hourly meter readings (and door events) of one home from ``start`` for ``hours`` hours."""
    for h in range(hours):
        at = start + timedelta(hours=h)
        active = active_in_hour(rng, at)
        for type_, step in (("water_meter", 0.02), ("electricity_meter", 0.3)):
            if type_ in serials:
                if active:
                    readings[type_] = round(readings[type_] + step * (0.5 + rng.random()), 3)
                yield event(serials[type_], type_, at, readings[type_])
        if "door" in serials and active and rng.random() < 0.3:
            yield event(serials["door"], "door", at + timedelta(minutes=rng.randint(1, 50)), 1)


def payload(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def wave(t: float) -> float:
    return 0.5 + 0.5 * math.sin(t)
