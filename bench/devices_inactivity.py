"""Inactivity detection quality on a simulated population (issue 13): homes of elders living alone, each
with hourly cumulative water and electricity meter readings over N days shaped by the home's own daily
rhythm (wake and sleep hours, weekends later, an afternoon nap, a night visit to the bathroom now and
then), away periods (visiting children, hospital; marked by the family, so they pause the check), and
one injected incident per home (activity stops at a random moment after the learning window).

The detector is the one the platform runs: ``yiyang.devices.rules`` (``activity_times``, ``learn`` over
14 days, ``judge`` with the seeded margin of 90 minutes). Reported: recall of injected incidents
(detected within 72 h), median detection delay against each home's usual longest idle span + 2 h, false
alarms per home per 100 days; and, in the same run, two baselines on the same data:
- a fixed rule: 12 h without activity, any time of day;
- a 28-day norm per hour of day without a margin (after the low-resolution meter monitoring of Sensors
  2024, 24(11):3662, which compares a day against the home's 28-day norm; an approximation, not their
  code).
The smart-water-meter activity detector of JSAN 2023, 12(3):46 reports precision 0.86 and recall 1.00
for activity events; the precision of our alarms is printed for that comparison.

Run: ``python bench/devices_inactivity.py`` (1,000 homes × 90 days; ``--homes 200`` for a quick run).
Pure computation: no database."""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django

django.setup()

from yiyang.devices import rules  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
MARGIN = 90  # minutes: the seeded devices.inactivity_margin
HORIZON = timedelta(hours=72)


@dataclass
class Home:
    times: list[datetime]  # activity moments (meter readings higher than the previous one)
    away: list[tuple[datetime, datetime]]
    incident: datetime


def simulate(rng: random.Random, start: datetime, days: int) -> Home:
    wake = rng.gauss(6.5, 0.8)
    sleep = rng.gauss(21.8, 0.8)
    p_day = rng.uniform(0.55, 0.9)  # chance of some water or electricity use in a waking hour
    nap = rng.random() < 0.5
    p_night = rng.uniform(0.0, 0.12)
    away: list[tuple[datetime, datetime]] = []
    d = rng.randint(15, 40)
    while d < days:
        if rng.random() < 0.5:
            a = start + timedelta(days=d, hours=rng.uniform(8, 16))
            away.append((a, a + timedelta(days=rng.uniform(1, 4))))
        d += rng.randint(20, 45)
    incident = start + timedelta(days=rng.uniform(16, days - 4))
    water, power = 0.0, 0.0
    readings: list[rules.Reading] = []
    for h in range(days * 24):
        t = start + timedelta(hours=h)
        local = t.astimezone(TZ)
        hour = local.hour + 0.5
        weekend = local.weekday() >= 5
        w, s = wake + (1.2 if weekend else 0), sleep + (0.4 if weekend else 0)
        awake = w <= hour <= s
        if nap and 13 <= hour <= 15:
            p = p_day * 0.35
        elif awake:
            p = p_day
        else:
            p = p_night
        if rng.random() < 0.02:  # an odd quiet day part
            p *= 0.3
        used = rng.random() < p
        if any(a <= t < b for a, b in away) or t >= incident:
            used = False
        if used:
            if rng.random() < 0.7:
                water += round(rng.uniform(0.005, 0.08), 3)
            else:
                power += round(rng.uniform(0.1, 0.6), 2)
        # The reading at the end of the hour (cumulative; the meter reports with a 0.001 resolution).
        end = t + timedelta(hours=1)
        readings.append(rules.Reading(1, "water_meter", end, round(water, 3)))
        readings.append(rules.Reading(2, "electricity_meter", end, round(power, 2)))
    times = rules.activity_times(readings)
    # A reading covers the hour before it: activity stopped at the incident, so the last reading that
    # rose is at most one hour after it.
    return Home(times, away, incident)


def in_away(t: datetime, away: list[tuple[datetime, datetime]]) -> bool:
    return any(a <= t < b for a, b in away)


def limit_ours(profile: rules.Profile, last: datetime) -> int:  # the platform's rule
    return rules.judge(profile, last, last, margin_minutes=MARGIN, absolute_hours=12).limit_minutes


def evaluate(home: Home, start: datetime, days: int, detector: str) -> tuple[int, float | None, float]:
    """(false alarms, detection delay in hours or None, the home's usual longest idle span in hours)."""
    times = home.times
    false = 0
    profiles: dict[int, rules.Profile] = {}

    def profile_at(t: datetime) -> rules.Profile:
        day = (t - start).days
        if day not in profiles:
            now = start + timedelta(days=day)
            lo = bisect.bisect_left(times, now - timedelta(days=28))
            hi = bisect.bisect_right(times, now)
            window = [x for x in times[lo:hi] if not in_away(x, home.away)]
            learn_days = 28 if detector == "norm28" else rules.LEARN_DAYS
            profiles[day] = rules.learn(window, now, days=learn_days, exclude=home.away)
        return profiles[day]

    def limit(t: datetime) -> int:
        if detector == "fixed12":
            return 12 * 60
        p = profile_at(t)
        if detector == "norm28":
            return rules.usual_span(p, t.astimezone(TZ).hour)
        return limit_ours(p, t)

    eval_from = start + timedelta(days=rules.LEARN_DAYS)
    for a, b in itertools.pairwise(times):
        if a < eval_from or a >= home.incident or b > home.incident + HORIZON:
            continue
        alarm_at = a + timedelta(minutes=limit(a) + 1)
        if alarm_at < b and not any(x < alarm_at and a < y for x, y in home.away):
            false += 1
    # The incident: the last activity at or before it.
    i = bisect.bisect_right(times, home.incident + timedelta(hours=1)) - 1
    last = times[i]
    alarm_at = last + timedelta(minutes=limit(last) + 1)
    delay = (alarm_at - home.incident).total_seconds() / 3600
    usual = max(profile_at(home.incident).max_idle_by_hour) / 60
    return false, (delay if delay <= HORIZON.total_seconds() / 3600 else None), usual


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--homes", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = datetime(2026, 6, 1, tzinfo=TZ)
    t0 = time.perf_counter()
    homes = [simulate(rng, start, args.days) for _ in range(args.homes)]
    print(f"simulated {args.homes} homes × {args.days} days in {time.perf_counter() - t0:.1f} s")
    watched_days = args.homes * (args.days - rules.LEARN_DAYS)
    for detector in ("ours", "norm28", "fixed12"):
        false = 0
        delays: list[float] = []
        within = 0
        bounds: list[float] = []
        for h in homes:
            f, delay, usual = evaluate(h, start, args.days, detector)
            false += f
            bounds.append(usual + 2)
            if delay is not None:
                delays.append(delay)
                within += delay <= usual + 2
        detected = len(delays)
        precision = detected / (detected + false) if detected + false else 0.0
        print(
            f"{detector:8s} recall {detected / len(homes):.3f} ({detected}/{len(homes)}) · "
            f"median delay {statistics.median(delays) if delays else float('nan'):.1f} h "
            f"(median bound usual+2h {statistics.median(bounds):.1f} h; within bound {within}/{len(homes)}) · "
            f"false alarms per home per 100 days {false / watched_days * 100 * 1:.3f} "
            f"(total {false}) · precision {precision:.2f}"
        )


if __name__ == "__main__":
    main()
