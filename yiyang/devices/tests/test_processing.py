"""Processing: exactly once, rules per region, duplicates and flapping collapse, offline and low battery,
health limits, the alarm state machine."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from yiyang.core.statemachine import IllegalTransition
from yiyang.devices import services
from yiyang.devices.models import Alarm, AlarmEvent, Device, DeviceEvent
from yiyang.devices.tasks import process_device_events
from yiyang.devices.tests.factories import make_device, make_event
from yiyang.hotline.models import Incident
from yiyang.regions.scope import SYSTEM

pytestmark = pytest.mark.django_db


def test_an_event_is_processed_once_even_when_the_task_runs_twice(cast: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    event = make_event(device, "smoke", value=1)
    assert process_device_events([event.pk]) == 1
    assert process_device_events([event.pk]) == 0  # a redelivered task: the marker is already set
    assert services.events_process(actor=SYSTEM, pks=[event.pk]) == 0
    assert Alarm.objects.count() == 1 and Alarm.objects.get().repeats == 0


def test_a_failure_rolls_the_claim_back_so_a_retry_processes_it(cast: Any, monkeypatch: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    event = make_event(device, "smoke", value=1)

    def boom(*a: Any, **k: Any) -> None:
        raise RuntimeError("worker died")

    monkeypatch.setattr(services, "_alarm_event", boom)
    with pytest.raises(RuntimeError):
        services.events_process(actor=SYSTEM, pks=[event.pk])
    event.refresh_from_db()
    assert event.processed_at is None and Alarm.objects.count() == 0
    monkeypatch.undo()
    assert services.events_process(actor=SYSTEM, pks=[event.pk]) == 1
    assert Alarm.objects.count() == 1


def test_smoke_flapping_collapses_into_one_alarm(cast: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    now = timezone.now()
    pks = [make_event(device, "smoke", now + timedelta(seconds=i), value=i % 2 == 0).pk for i in range(8)]
    services.events_process(actor=SYSTEM, pks=pks)
    alarm = Alarm.objects.get()
    assert alarm.kind == "smoke" and alarm.repeats == 3  # four raises, four clears


def test_rules_are_data_per_region(cast: Any) -> None:
    leak_a = make_device(cast.community_a1, "water_leak")
    leak_b = make_device(cast.community_b1, "water_leak")
    services.rule_set(
        actor=cast.county_admin_a,
        region_code=cast.county_a.code,
        event_type="water_leak",
        kind="water_leak",
        severity="critical",
        needs_person=True,
    )
    services.events_process(
        actor=SYSTEM,
        pks=[make_event(leak_a, "water_leak", value=1).pk, make_event(leak_b, "water_leak", value=1).pk],
    )
    a, b = Alarm.objects.get(device=leak_a), Alarm.objects.get(device=leak_b)
    assert a.severity == "critical" and a.incident is not None  # county A's rule: a person goes
    assert b.severity == "medium" and b.incident is None  # the built-in rule elsewhere


def test_disabled_rule_raises_nothing(cast: Any) -> None:
    leak = make_device(cast.community_a1, "water_leak")
    services.rule_set(
        actor=cast.county_admin_a,
        region_code=cast.community_a1.code,
        event_type="water_leak",
        kind="water_leak",
        severity="low",
        needs_person=False,
        enabled=False,
    )
    services.events_process(actor=SYSTEM, pks=[make_event(leak, "water_leak", value=1).pk])
    assert not Alarm.objects.exists()


def test_fall_opens_a_fall_incident(cast: Any) -> None:
    device = make_device(cast.community_a1, "fall_detector")
    services.events_process(actor=SYSTEM, pks=[make_event(device, "fall").pk])
    assert Incident.objects.get(elder=device.elder).kind == "fall"


def test_offline_sweep_after_n_intervals_and_back_online(cast: Any) -> None:
    now = timezone.now()
    quiet = make_device(
        cast.community_a1, "door", last_heartbeat=now - timedelta(hours=4), heartbeat_seconds=3600
    )
    fresh = make_device(
        cast.community_a1, "door", last_heartbeat=now - timedelta(hours=2), heartbeat_seconds=3600
    )
    result = services.devices_sweep(actor=SYSTEM, now=now)
    assert result["offline"] == 1
    quiet.refresh_from_db()
    fresh.refresh_from_db()
    assert quiet.status == "offline" and fresh.status == "active"
    assert Alarm.objects.get(device=quiet).kind == "offline"
    assert services.devices_sweep(actor=SYSTEM, now=now)["offline"] == 0  # no second alarm
    services.events_process(actor=SYSTEM, pks=[make_event(quiet, "heartbeat", now).pk])
    quiet.refresh_from_db()
    assert quiet.status == "active" and Alarm.objects.get(device=quiet).status == "handled"


def test_low_battery_alarm_and_recovery(cast: Any) -> None:
    device = make_device(cast.community_a1, "sos_button")
    services.events_process(actor=SYSTEM, pks=[make_event(device, "battery", value=12).pk])
    device.refresh_from_db()
    assert device.status == "low_battery" and device.battery == 12
    assert Alarm.objects.get().kind == "low_battery"
    services.events_process(actor=SYSTEM, pks=[make_event(device, "battery", value=95).pk])
    device.refresh_from_db()
    assert device.status == "active" and Alarm.objects.get().status == "handled"


def test_health_readings_against_per_elder_thresholds(cast: Any) -> None:
    device = make_device(cast.community_a1, "health_monitor")
    services.events_process(actor=SYSTEM, pks=[make_event(device, "heart_rate", value=110).pk])
    assert not Alarm.objects.exists()  # under the default 120
    services.threshold_set(actor=cast.county_admin_a, elder=device.elder, heart_rate_max=100)  # type: ignore[arg-type]
    services.events_process(actor=SYSTEM, pks=[make_event(device, "heart_rate", value=110).pk])
    alarm = Alarm.objects.get()
    assert alarm.kind == "health" and "心率 110" in alarm.message and "100" in alarm.message
    services.events_process(actor=SYSTEM, pks=[make_event(device, "blood_pressure", value="170/95").pk])
    assert Alarm.objects.get().repeats == 1  # the live health alarm of the elder


def test_spo2_low(cast: Any) -> None:
    device = make_device(cast.community_a1, "watch")
    services.events_process(actor=SYSTEM, pks=[make_event(device, "spo2", value=85).pk])
    assert "血氧 85%" in Alarm.objects.get().message


def test_alarm_state_machine_and_timeline(cast: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    services.events_process(actor=SYSTEM, pks=[make_event(device, "smoke", value=1).pk])
    alarm = Alarm.objects.get()
    services.alarm_acknowledge(actor=cast.community_worker_a1, alarm=alarm)
    services.alarm_close(actor=cast.community_worker_a1, alarm=alarm, outcome="false_alarm", notes="做饭油烟")
    alarm.refresh_from_db()
    assert alarm.status == "false_alarm" and alarm.acknowledged_at and alarm.closed_at
    rows = list(
        AlarmEvent.objects.filter(alarm=alarm).order_by("pk").values_list("to_status", "actor_name", "reason")
    )
    assert [r[0] for r in rows] == ["raised", "acknowledged", "false_alarm"]
    assert rows[1][1] == "文昌社区网格员" and rows[2][2] == "做饭油烟"
    with pytest.raises(IllegalTransition):
        services.alarm_acknowledge(actor=cast.community_worker_a1, alarm=alarm)
    # after it is closed, a new smoke event is a new alarm
    services.events_process(actor=SYSTEM, pks=[make_event(device, "smoke", value=1).pk])
    assert Alarm.objects.count() == 2


def test_removed_device_raises_nothing(cast: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    services.device_remove(actor=cast.county_admin_a, device=device)
    services.events_process(actor=SYSTEM, pks=[make_event(device, "smoke", value=1).pk])
    assert not Alarm.objects.exists()
    assert Device.objects.get(pk=device.pk).status == "removed"


def test_sweep_processes_events_a_lost_task_left(cast: Any) -> None:
    device = make_device(cast.community_a1, "smoke")
    event = make_event(device, "smoke", value=1)
    DeviceEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - timedelta(minutes=5))
    assert services.devices_sweep(actor=SYSTEM)["reprocessed"] == 1
    assert Alarm.objects.count() == 1
