"""The embedded broker make demo starts when nothing answers at MQTT_URL: on a port where no broker
answers it starts, the listener subscribes to it, and a published SOS opens an incident; the demo's
integration file names the broker used."""

from __future__ import annotations

import json
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from yiyang.devices import mqtt
from yiyang.devices.broker import EmbeddedBroker
from yiyang.devices.models import Alarm, DeviceEvent
from yiyang.devices.tests.factories import ev, make_device, make_vendor
from yiyang.hotline.models import Incident

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pump(listener: mqtt.Listener, until: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        listener.client.loop(timeout=0.1)
        if until():
            return True
    return False


def test_embedded_broker_starts_where_none_answers_and_an_sos_opens_an_incident(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    b = mqtt.broker(f"mqtt://127.0.0.1:{_free_port()}")
    assert not mqtt.broker_answers(b)
    vendor = make_vendor("emb-acme")
    device = make_device(cast.community_a1, "sos_button", vendor=vendor)
    with EmbeddedBroker(b):
        assert mqtt.broker_answers(b)
        listener = mqtt.Listener(b, client_id=f"l-{uuid.uuid4().hex[:8]}")
        listener.connect()
        assert _pump(listener, lambda: listener.client.is_connected())
        _pump(listener, lambda: False, 0.5)  # the subscription settles
        pub = mqtt.client(f"pub-{uuid.uuid4().hex[:8]}")
        pub.connect(b.host, b.port)
        pub.loop_start()
        body = ev(device.serial, "sos")
        with django_capture_on_commit_callbacks(execute=True):
            pub.publish(
                f"yiyang/{vendor.code}/{device.serial}/event", json.dumps(body).encode(), qos=1
            ).wait_for_publish(10)
            assert _pump(listener, lambda: listener.counts["stored"] == 1)
        pub.loop_stop()
        pub.disconnect()
        listener.client.disconnect()
    assert not mqtt.broker_answers(b)
    assert DeviceEvent.objects.get().channel == "mqtt"
    assert Alarm.objects.get().kind == "sos"
    assert Incident.objects.get(elder=device.elder).source == "device"


def test_if_absent_leaves_a_running_broker_alone_and_names_it(tmp_path: Path, settings: Any) -> None:
    settings.VAR_DIR = tmp_path
    b = mqtt.broker(f"mqtt://127.0.0.1:{_free_port()}")
    (tmp_path / "demo_integrations.json").write_text(
        json.dumps({"devices": {"vendor": "demo-vendor", "mqtt_url": "mqtt://elsewhere:1883"}, "other": {}})
    )
    with EmbeddedBroker(b):
        call_command("mqtt_broker", "--if-absent", "--url", b.url)  # returns: a broker answers
    data = json.loads((tmp_path / "demo_integrations.json").read_text())
    assert data["devices"] == {"vendor": "demo-vendor", "mqtt_url": b.url, "mqtt_broker": "external"}
    assert data["other"] == {}
