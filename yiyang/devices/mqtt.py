"""The MQTT side of ingestion: the listener (``manage.py listen_devices``) and a publisher for the
simulator. Topics are ``yiyang/<vendor>/<serial>/event`` with QoS 1; the listener keeps a persistent
session (clean_session off) and acknowledges a message only after its event is committed (paho-mqtt 2
``manual_ack``), so a crash before the commit makes the broker deliver it again."""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import close_old_connections, connection

from yiyang.core.errors import DomainError

logger = logging.getLogger("yiyang.devices.mqtt")


@dataclass(frozen=True)
class Broker:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def broker(url: str | None = None) -> Broker:
    parsed = urlparse(url or settings.MQTT_URL)
    return Broker(parsed.hostname or "127.0.0.1", parsed.port or 1883)


def broker_answers(b: Broker, timeout: float = 1.0) -> bool:
    """Whether something accepts TCP connections at the broker's address."""
    try:
        with socket.create_connection((b.host, b.port), timeout=timeout):
            return True
    except OSError:
        return False


def client(client_id: str, *, clean_session: bool = True, manual_ack: bool = False) -> mqtt.Client:
    return mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=clean_session,
        manual_ack=manual_ack,
        protocol=mqtt.MQTTv311,
    )


def parse_topic(topic: str, root: str = "yiyang") -> tuple[str, str] | None:
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != root or parts[3] != "event" or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def handle_message(topic: str, payload: bytes, root: str = "yiyang") -> str:
    """Store one MQTT message's event (committed when this returns). Returns what happened: ``stored``,
    ``duplicate`` or ``rejected`` (a malformed message or an unknown vendor: logged, and acknowledged,
    since delivering it again cannot make it valid). Database errors propagate: the caller then does
    not acknowledge."""
    from yiyang.devices.selectors import vendor_by_code
    from yiyang.devices.services import events_ingest

    where = parse_topic(topic, root)
    if where is None:
        logger.warning("mqtt message on an unexpected topic", extra={"topic": topic[:200]})
        return "rejected"
    code, serial = where
    vendor = vendor_by_code(code)
    if vendor is None:
        logger.warning("mqtt message of an unknown vendor", extra={"vendor": code[:40]})
        return "rejected"
    try:
        event = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        logger.warning("mqtt payload is not JSON", extra={"vendor": code})
        return "rejected"
    if isinstance(event, dict):
        event.setdefault("serial", serial)
    try:
        accepted, _, _ = events_ingest(vendor=vendor, events=[event], channel="mqtt")
    except DomainError as exc:
        logger.warning("mqtt event refused", extra={"vendor": code, "errors": exc.errors})
        return "rejected"
    return "stored" if accepted else "duplicate"


class Listener:
    """Subscribes to ``<root>/+/+/event`` at QoS 1 and stores each event before acknowledging it."""

    def __init__(self, b: Broker, *, root: str = "yiyang", client_id: str = "yiyang-listen-devices") -> None:
        self.broker = b
        self.root = root
        self.counts = {"stored": 0, "duplicate": 0, "rejected": 0}
        self.client = client(client_id, clean_session=False, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.failed: BaseException | None = None

    def _on_connect(self, c: Any, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        c.subscribe(f"{self.root}/+/+/event", qos=1)

    def _on_message(self, c: Any, userdata: Any, msg: Any) -> None:
        if not connection.in_atomic_block:  # between messages: drop a connection that died or aged out
            close_old_connections()
        try:
            outcome = handle_message(msg.topic, msg.payload, self.root)
        except Exception as exc:  # not stored: no ack, stop; the broker delivers it again on reconnect
            logger.exception("mqtt event not stored; stopping without acknowledging it")
            self.failed = exc
            c.disconnect()
            return
        self.counts[outcome] += 1
        c.ack(msg.mid, msg.qos)

    def connect(self) -> None:
        self.client.connect(self.broker.host, self.broker.port, keepalive=30)

    def run_forever(self) -> None:
        self.connect()
        self.client.loop_forever(retry_first_connection=True)
        if self.failed is not None:
            raise self.failed
