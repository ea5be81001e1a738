"""The MQTT listener against the real broker (Mosquitto at MQTT_URL; skipped when none answers): QoS 1,
events stored before the acknowledgement, a message not stored is delivered again after a reconnect.
Each test uses its own topic root and client id, so parallel runs do not meet."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from yiyang.devices import mqtt
from yiyang.devices.models import Alarm, DeviceEvent
from yiyang.devices.tests.factories import ev, make_device, make_vendor
from yiyang.hotline.models import Incident

pytestmark = pytest.mark.django_db

BROKER = mqtt.broker()
needs_broker = pytest.mark.skipif(not mqtt.broker_answers(BROKER), reason="no MQTT broker at MQTT_URL")


def _pump(listener: mqtt.Listener, until: Any, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        listener.client.loop(timeout=0.1)
        if until():
            return True
    return False


def _publisher() -> Any:
    c = mqtt.client(f"pub-{uuid.uuid4().hex[:8]}")
    c.connect(BROKER.host, BROKER.port)
    c.loop_start()
    return c


def _publish(c: Any, topic: str, body: Any) -> None:
    c.publish(topic, json.dumps(body).encode(), qos=1).wait_for_publish(5)


@pytest.fixture
def root() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def test_parse_topic() -> None:
    assert mqtt.parse_topic("yiyang/acme/SN1/event") == ("acme", "SN1")
    assert mqtt.parse_topic("yiyang/acme/SN1/status") is None
    assert mqtt.parse_topic("other/acme/SN1/event") is None


@needs_broker
def test_published_sos_is_stored_and_opens_an_incident(
    cast: Any, root: str, django_capture_on_commit_callbacks: Any
) -> None:
    vendor = make_vendor("mq-acme")
    device = make_device(cast.community_a1, "sos_button", vendor=vendor)
    listener = mqtt.Listener(BROKER, root=root, client_id=f"l-{root}")
    listener.connect()
    assert _pump(listener, lambda: listener.client.is_connected(), 5)
    _pump(listener, lambda: False, 0.5)  # subscription settles
    pub = _publisher()
    body = ev(device.serial, "sos")
    del body["serial"]  # the topic names the device
    with django_capture_on_commit_callbacks(execute=True):
        _publish(pub, f"{root}/{vendor.code}/{device.serial}/event", body)
        assert _pump(listener, lambda: listener.counts["stored"] == 1)
    assert DeviceEvent.objects.get().channel == "mqtt"
    assert Incident.objects.get(elder=device.elder).source == "device"
    assert Alarm.objects.get().kind == "sos"
    _publish(pub, f"{root}/{vendor.code}/{device.serial}/event", body)  # the same event again
    assert _pump(listener, lambda: listener.counts["duplicate"] == 1)
    _publish(pub, f"{root}/{vendor.code}/{device.serial}/event", {"type": "sos"})  # malformed: acked, logged
    assert _pump(listener, lambda: listener.counts["rejected"] == 1)
    assert DeviceEvent.objects.count() == 1
    pub.loop_stop(), pub.disconnect(), listener.client.disconnect()


@needs_broker
def test_a_message_not_stored_is_not_acknowledged_and_comes_again(
    cast: Any, root: str, monkeypatch: Any
) -> None:
    vendor = make_vendor("mq-crash")
    device = make_device(cast.community_a1, "door", vendor=vendor)
    client_id = f"l-{root}"
    first = mqtt.Listener(BROKER, root=root, client_id=client_id)
    first.connect()
    assert _pump(first, lambda: first.client.is_connected(), 5)
    _pump(first, lambda: False, 0.5)
    real = mqtt.handle_message

    def crash(*a: Any, **k: Any) -> str:
        raise RuntimeError("database went away")

    monkeypatch.setattr(mqtt, "handle_message", crash)
    pub = _publisher()
    _publish(pub, f"{root}/{vendor.code}/{device.serial}/event", ev(device.serial, "door", value=1))
    assert _pump(first, lambda: first.failed is not None)
    assert DeviceEvent.objects.count() == 0
    _pump(first, lambda: not first.client.is_connected(), 2)
    monkeypatch.setattr(mqtt, "handle_message", real)
    second = mqtt.Listener(BROKER, root=root, client_id=client_id)  # the supervisor restarts it
    second.connect()
    assert _pump(second, lambda: second.counts["stored"] == 1)
    assert DeviceEvent.objects.filter(serial=device.serial).count() == 1
    pub.loop_stop(), pub.disconnect(), second.client.disconnect()
