"""Pure rules of device processing (no database): the built-in alarm rules, health limits, the reading of
event values, and the inactivity model (无活动告警).

Inactivity: from a home's activity moments (a meter whose cumulative reading went up, a door opened, a
PIR sensor saw someone) the model learns, for each hour of the day, the longest idle span that began in
that hour over the last 14 days. The current idle span (since the last activity) is alarming when it
exceeds the learned span for the hour it began in (and its neighbours) by a clear margin; with less than
``MIN_HISTORY_DAYS`` of history it is alarming only past an absolute span counted in daytime hours, so a
night's sleep never counts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from yiyang.devices.choices import AlarmKind, EventType, Severity


@dataclass(frozen=True)
class Rule:
    kind: str
    severity: str
    needs_person: bool


# Event → alarm, where a region has no rule of its own (AlarmRule rows override per region).
DEFAULT_RULES: dict[str, Rule] = {
    EventType.SOS: Rule(AlarmKind.SOS, Severity.CRITICAL, True),
    EventType.FALL: Rule(AlarmKind.FALL, Severity.CRITICAL, True),
    EventType.SMOKE: Rule(AlarmKind.SMOKE, Severity.CRITICAL, True),
    EventType.GAS: Rule(AlarmKind.GAS, Severity.CRITICAL, True),
    EventType.WATER_LEAK: Rule(AlarmKind.WATER_LEAK, Severity.MEDIUM, False),
    EventType.WANDER: Rule(AlarmKind.WANDER, Severity.HIGH, False),
}

# Which hotline incident kind an alarm that needs a person opens.
INCIDENT_KIND: dict[str, str] = {AlarmKind.SOS: "sos", AlarmKind.FALL: "fall"}

HEALTH_DEFAULTS = {
    "heart_rate_min": 50,
    "heart_rate_max": 120,
    "spo2_min": 90,
    "systolic_max": 160,
    "diastolic_max": 100,
}

MIN_HISTORY_DAYS = 7
LEARN_DAYS = 14
DAY_START_HOUR = 6
DAY_END_HOUR = 22


def is_cleared(value: Any) -> bool:
    """An alarm event whose value is 0 / false / "clear" reports the condition over (a smoke detector
    that stopped sounding); it raises nothing."""
    if value is None:
        return False
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value == 0
    if isinstance(value, str):
        return value.strip().lower() in {"0", "false", "clear", "off", "normal"}
    return False


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    if isinstance(value, dict) and "value" in value:
        return number(value["value"])
    return None


def blood_pressure(value: Any) -> tuple[float, float] | None:
    """``{"systolic": 150, "diastolic": 95}``, ``[150, 95]`` or ``"150/95"``."""
    if isinstance(value, dict):
        s, d = number(value.get("systolic")), number(value.get("diastolic"))
    elif isinstance(value, list | tuple) and len(value) == 2:
        s, d = number(value[0]), number(value[1])
    elif isinstance(value, str) and "/" in value:
        a, _, b = value.partition("/")
        s, d = number(a), number(b)
    else:
        return None
    return (s, d) if s is not None and d is not None else None


def health_breach(event_type: str, value: Any, limits: dict[str, int]) -> str | None:
    """The sentence saying what is out of range, or ``None``."""
    if event_type == EventType.HEART_RATE:
        v = number(value)
        if v is None:
            return None
        if v > limits["heart_rate_max"]:
            return f"心率 {v:g} 次/分，高于上限 {limits['heart_rate_max']}"
        if v < limits["heart_rate_min"]:
            return f"心率 {v:g} 次/分，低于下限 {limits['heart_rate_min']}"
    elif event_type == EventType.SPO2:
        v = number(value)
        if v is not None and v < limits["spo2_min"]:
            return f"血氧 {v:g}%，低于下限 {limits['spo2_min']}%"
    elif event_type == EventType.BLOOD_PRESSURE:
        bp = blood_pressure(value)
        if bp is not None and (bp[0] > limits["systolic_max"] or bp[1] > limits["diastolic_max"]):
            return (
                f"血压 {bp[0]:g}/{bp[1]:g} mmHg，高于上限 {limits['systolic_max']}/{limits['diastolic_max']}"
            )
    return None


# --- inactivity -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    device: int
    type: str
    ts: datetime
    value: Any


def activity_times(readings: Iterable[Reading]) -> list[datetime]:
    """Moments of activity: a door or motion event (unless its value says nothing happened), a meter
    reading higher than the same meter's previous one (cumulative readings, in time order)."""
    out: list[datetime] = []
    last: dict[int, float] = {}
    for r in sorted(readings, key=lambda r: r.ts):
        if r.type in (EventType.WATER_METER, EventType.ELECTRICITY_METER):
            v = number(r.value)
            if v is None:
                continue
            prev = last.get(r.device)
            last[r.device] = v if prev is None else max(prev, v)
            if prev is not None and v > prev:
                out.append(r.ts)
        elif r.type in (EventType.DOOR, EventType.MOTION) and (
            r.value is None or not is_cleared(r.value) or r.type == EventType.DOOR
        ):
            out.append(r.ts)
    return out


@dataclass(frozen=True)
class Profile:
    max_idle_by_hour: list[int]  # minutes, 24 values
    history_days: int
    last_activity: datetime | None


def learn(
    times: list[datetime],
    now: datetime,
    days: int = LEARN_DAYS,
    exclude: Iterable[tuple[datetime, datetime]] = (),
) -> Profile:
    """The longest idle span (minutes) starting in each local hour over the ``days`` before ``now``.
    Spans that overlap an ``exclude`` period (the elder marked away) teach nothing: a week at a
    daughter's is not the home's rhythm."""
    since = now - timedelta(days=days)
    window = sorted(t for t in times if since <= t <= now)
    away = [(a, b) for a, b in exclude if b > since and a < now]
    spans = [0] * 24
    for a, b in itertools.pairwise(window):
        if any(x < b and a < y for x, y in away):
            continue
        hour = timezone.localtime(a).hour
        spans[hour] = max(spans[hour], int((b - a).total_seconds() // 60))
    history = int((now - window[0]).total_seconds() // 86400) if window else 0
    return Profile(spans, history, window[-1] if window else None)


def daytime_minutes(start: datetime, end: datetime) -> int:
    """Minutes between ``start`` and ``end`` that fall between 06:00 and 22:00 local time."""
    total = 0
    cursor = timezone.localtime(start)
    end = timezone.localtime(end)
    while cursor < end:
        day_start = cursor.replace(hour=DAY_START_HOUR, minute=0, second=0, microsecond=0)
        day_end = cursor.replace(hour=DAY_END_HOUR, minute=0, second=0, microsecond=0)
        lo, hi = max(cursor, day_start), min(end, day_end)
        if hi > lo:
            total += int((hi - lo).total_seconds() // 60)
        cursor = (cursor + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return total


@dataclass(frozen=True)
class Verdict:
    alarm: bool
    idle_minutes: int
    usual_minutes: int | None  # None: too little history, the absolute span applied
    limit_minutes: int


NEIGHBOUR_HOURS = 2
SPAN_FACTOR = 1.5
LONGEST_FLOOR = 0.7


def usual_span(profile: Profile, hour: int) -> int:
    """The learned span for ``hour``, widened to two hours either side (hourly readings blur the start
    hour, and a rhythm shifts by an hour or two between weekdays and weekends)."""
    spans = profile.max_idle_by_hour
    return max(spans[(hour + k) % 24] for k in range(-NEIGHBOUR_HOURS, NEIGHBOUR_HOURS + 1))


def idle_limit(profile: Profile, hour: int, margin_minutes: int) -> int:
    """Minutes of idleness that alarm for an idle span beginning at local ``hour``: clearly more than the
    usual span of that time of day (its span + the margin, and 1.5 × it), at least 0.7 × the home's
    longest idle span (a quiet afternoon is not an emergency), and never more than the longest span + the
    margin (so an incident is seen within the home's longest usual idle span + the margin). Tuned on
    bench/devices_inactivity.py (figures in docs/decisions/0014)."""
    usual = usual_span(profile, hour)
    longest = max(profile.max_idle_by_hour)
    limit = max(usual + margin_minutes, int(usual * SPAN_FACTOR), int(longest * LONGEST_FLOOR))
    return min(limit, longest + margin_minutes)


def judge(
    profile: Profile, last_activity: datetime, now: datetime, *, margin_minutes: int, absolute_hours: int
) -> Verdict:
    idle = int((now - last_activity).total_seconds() // 60)
    if profile.history_days >= MIN_HISTORY_DAYS:
        hour = timezone.localtime(last_activity).hour
        usual = usual_span(profile, hour)
        limit = idle_limit(profile, hour, margin_minutes)
        return Verdict(idle > limit, idle, usual, limit)
    daytime = daytime_minutes(last_activity, now)
    limit = absolute_hours * 60
    return Verdict(daytime > limit, idle, None, limit)


def inactivity_message(last_activity: datetime, now: datetime, verdict: Verdict, what: str) -> str:
    local = timezone.localtime(last_activity)
    when = f"{local:%H:%M}" if local.date() == timezone.localtime(now).date() else f"{local:%m月%d日 %H:%M}"
    if verdict.usual_minutes is None:
        hours = verdict.limit_minutes // 60
        return (
            f"自 {when} 起无{what}，白天已超过 {hours} 小时无活动（该户历史数据不足 {MIN_HISTORY_DAYS} 天）"
        )
    usual_h = round(verdict.usual_minutes / 60, 1)
    return f"自 {when} 起无{what}，该户通常最长 {usual_h:g} 小时无活动"


def activity_words(types: set[str]) -> str:
    """What was not seen, in words: 用水用电, 用水, 开关门…"""
    parts = []
    if EventType.WATER_METER in types and EventType.ELECTRICITY_METER in types:
        parts.append("用水用电")
    elif EventType.WATER_METER in types:
        parts.append("用水")
    elif EventType.ELECTRICITY_METER in types:
        parts.append("用电")
    if EventType.DOOR in types:
        parts.append("开关门")
    if EventType.MOTION in types:
        parts.append("室内活动")
    return "、".join(parts) or "活动"
