"""The embedded MQTT broker (amqtt, pure Python) that ``make demo`` starts when nothing answers at
``MQTT_URL``, so a new user can publish to the demo with any MQTT client. Production uses a real broker
(Mosquitto, EMQX…; docs/deployment.md): amqtt keeps sessions and queued QoS 1 messages in memory only."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

from yiyang.devices.mqtt import Broker, broker_answers

logger = logging.getLogger("yiyang.devices.broker")


def broker_config(b: Broker) -> dict[str, Any]:
    return {
        "listeners": {"default": {"type": "tcp", "bind": f"{b.host}:{b.port}", "max_connections": 1000}},
        "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}},
    }


class EmbeddedBroker:
    """amqtt on its own event loop in a background thread; ``start()`` returns once it accepts
    connections (or raises), ``stop()`` shuts it down."""

    def __init__(self, b: Broker) -> None:
        self.broker = b
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        from amqtt.broker import Broker as AmqttBroker

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._server = AmqttBroker(broker_config(self.broker), loop=loop)
            loop.run_until_complete(self._server.start())
        except BaseException as exc:  # reported to start()'s caller
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    def start(self, timeout: float = 15.0) -> None:
        for name in ("amqtt", "transitions"):  # per-packet INFO lines would drown the demo's log
            logging.getLogger(name).setLevel(logging.WARNING)
        self._thread = threading.Thread(target=self._run, name="amqtt-broker", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"内置 MQTT 代理 {timeout:.0f} 秒内未启动")
        if self._error is not None:
            raise RuntimeError(f"内置 MQTT 代理未能启动：{self._error}") from self._error
        deadline = time.monotonic() + timeout
        while not broker_answers(self.broker, timeout=0.5):
            if time.monotonic() > deadline:
                raise RuntimeError(f"内置 MQTT 代理未在 {self.broker.url} 应答")
            time.sleep(0.05)

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is None or server is None or loop.is_closed():
            return
        done = asyncio.run_coroutine_threadsafe(server.shutdown(), loop)
        try:
            done.result(10)
        except Exception:  # shutting down anyway
            logger.warning("embedded broker did not shut down cleanly")
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> EmbeddedBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
