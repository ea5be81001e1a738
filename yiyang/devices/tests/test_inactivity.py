"""无活动告警 on synthetic histories: a normal night does not alarm, a real absence does and says why;
too little history falls back to the daytime span; an away period pauses it; readings trigger it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from yiyang.devices import rules, services
from yiyang.devices.models import Alarm, DeviceEvent
from yiyang.devices.tests.factories import make_device, make_event
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db


def _home(cast: Any) -> tuple[Any, Any, Any]:
    water = make_device(cast.community_a1, "water_meter")
    elder: Any = water.elder
    elder.living_situation = "alone"
    elder.save()
    power = make_device(cast.community_a1, "electricity_meter", elder=elder, vendor=water.vendor)
    return elder, water, power


def _history(water: Any, power: Any, start: datetime, end: datetime, active: Any) -> None:
    """Hourly cumulative readings from ``start`` to ``end``; the meters rise in hours where ``active``."""
    w, p = 100.0, 2000.0
    rows = []
    at = start
    while at <= end:
        if active(at):
            w, p = w + 0.05, p + 0.4
        for device, value in ((water, w), (power, p)):
            rows.append(
                DeviceEvent(
                    vendor=device.vendor,
                    event_id=f"{device.pk}-{at.timestamp()}",
                    serial=device.serial,
                    device=device,
                    type=device.type,
                    ts=at,
                    value=round(value, 3),
                    processed_at=at,
                    region_code=device.region_code,
                )
            )
        at += timedelta(hours=1)
    DeviceEvent.objects.bulk_create(rows)


def _daytime(at: datetime) -> bool:
    return 6 <= timezone.localtime(at).hour <= 21


def _local(day: datetime, hour: int) -> datetime:
    return timezone.localtime(day).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_a_normal_night_does_not_alarm(cast: Any) -> None:
    elder, water, power = _home(cast)
    today = _local(timezone.now(), 0)
    end = today + timedelta(hours=21)  # the last evening reading with use at 21:00
    _history(water, power, end - timedelta(days=14), end, _daytime)
    assert (
        services.inactivity_check(actor=SYSTEM, elder=elder, now=today + timedelta(days=1, hours=5)) is None
    )
    assert not Alarm.objects.exists()


def test_a_real_absence_alarms_and_says_what_was_seen(cast: Any) -> None:
    elder, water, power = _home(cast)
    today = _local(timezone.now(), 0)
    stop = today + timedelta(hours=6)  # the last use at 06:00, then the meters stay flat
    _history(
        water,
        power,
        stop - timedelta(days=14),
        stop + timedelta(hours=8),
        lambda at: _daytime(at) and at <= stop,
    )
    assert services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=2)) is None
    alarm = services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=8))
    assert alarm is not None and alarm.kind == "inactivity"
    assert alarm.message.startswith("自 06:00 起无用水用电，该户通常最长")
    again = services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=9))
    assert again is not None and again.pk == alarm.pk  # one alarm


def test_activity_resuming_closes_the_alarm(cast: Any) -> None:
    elder, water, power = _home(cast)
    today = _local(timezone.now(), 0)
    stop = today + timedelta(hours=6)
    _history(
        water,
        power,
        stop - timedelta(days=14),
        stop + timedelta(hours=8),
        lambda at: _daytime(at) and at <= stop,
    )
    alarm = services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=8))
    assert alarm is not None
    make_event(water, "water_meter", stop + timedelta(hours=8, minutes=30), value=999.0)
    services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=9))
    alarm.refresh_from_db()
    assert alarm.status == "handled"


def test_too_little_history_uses_the_daytime_span(cast: Any) -> None:
    elder, water, power = _home(cast)
    today = _local(timezone.now(), 0)
    stop = today + timedelta(hours=7)
    _history(
        water,
        power,
        stop - timedelta(days=3),
        stop + timedelta(hours=13),
        lambda at: _daytime(at) and at <= stop,
    )
    assert services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=11)) is None
    alarm = services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=13))
    assert alarm is not None and "白天已超过 12 小时无活动" in alarm.message


def test_an_away_period_pauses_inactivity(cast: Any) -> None:
    elder, water, power = _home(cast)
    today = _local(timezone.now(), 0)
    stop = today + timedelta(hours=6)
    _history(
        water,
        power,
        stop - timedelta(days=14),
        stop + timedelta(hours=8),
        lambda at: _daytime(at) and at <= stop,
    )
    services.away_add(
        actor=cast.community_worker_a1,
        elder=elder,
        starts_at=stop,
        ends_at=stop + timedelta(days=3),
        reason="住院",
    )
    assert services.inactivity_check(actor=SYSTEM, elder=elder, now=stop + timedelta(hours=8)) is None


def test_the_family_marks_away_and_it_closes_a_live_alarm(cast: Any) -> None:
    from yiyang.hotline.tests.factories import phone_elder

    elder = phone_elder(cast.community_a1, family=cast.family)
    water = make_device(cast.community_a1, "water_meter", elder=elder)
    alarm = Alarm.objects.create(
        elder=elder,
        kind="inactivity",
        severity="high",
        message="自 06:00 起无用水",
        dedupe_key=f"inactivity:elder:{elder.pk}",
        raised_at=timezone.now(),
        region_code=elder.region_id,
    )
    now = timezone.now()
    services.away_add(
        actor=cast.family,
        elder=elder,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        reason="去女儿家",
    )
    alarm.refresh_from_db()
    assert alarm.status == "handled" and water.pk


def test_a_flat_reading_arriving_raises_the_alarm(cast: Any) -> None:
    elder, water, power = _home(cast)
    now = timezone.now()
    stop = now - timedelta(hours=10)
    _history(water, power, stop - timedelta(days=14), stop, lambda at: True)
    last = DeviceEvent.objects.filter(device=water).order_by("-ts").first()
    assert last is not None
    event = make_event(water, "water_meter", now, value=last.value)
    services.events_process(actor=SYSTEM, pks=[event.pk])
    assert Alarm.objects.get(elder=elder).kind == "inactivity"


def test_learned_spans_and_daytime_minutes() -> None:
    base = timezone.localtime(timezone.now()).replace(hour=22, minute=0, second=0, microsecond=0)
    times = [base - timedelta(days=1), base - timedelta(hours=15)]  # 22:00 → 07:00 next morning
    profile = rules.learn(times, base)
    assert profile.max_idle_by_hour[22] == 9 * 60
    assert rules.daytime_minutes(base, base + timedelta(hours=10)) == 2 * 60  # 22:00–08:00: only 06–08


def test_idle_limit_is_clear_of_the_hour_at_least_part_of_the_longest_span_and_capped() -> None:
    from yiyang.devices import rules

    spans = [60] * 24
    spans[22] = 540  # the night: nine hours
    profile = rules.Profile(spans, 14, None)
    # Mid-morning: an hour's usual span, but a quiet morning is not an alarm before 0.7 × nine hours.
    assert rules.idle_limit(profile, 10, 90) == int(540 * 0.7)
    # Late evening: the night's span + the margin, never more.
    assert rules.idle_limit(profile, 22, 90) == 540 + 90
    assert rules.idle_limit(profile, 20, 90) == 540 + 90  # two hours before the night still counts it
    assert rules.usual_span(profile, 19) == 60
