"""``manage.py mqtt_broker --if-absent``: ``make demo`` runs it before the listener. When a broker
answers at ``MQTT_URL`` it says so and exits; otherwise it starts the embedded broker (amqtt) on that
address and keeps it running. Either way ``var/demo_integrations.json`` ``devices.mqtt_url`` names the
broker the demo uses."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiyang.devices.integrations import integrations_merge
from yiyang.devices.mqtt import broker, broker_answers


class Command(BaseCommand):
    help = "MQTT_URL 无应答时启动内置 MQTT 代理（amqtt），并在演示集成文件中写明所用代理"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="", help="MQTT 地址（默认 settings.MQTT_URL）")
        parser.add_argument(
            "--if-absent", action="store_true", help="该地址已有代理应答时只说明并退出（退出码 0）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from yiyang.devices.broker import EmbeddedBroker

        b = broker(options["url"] or None)
        if broker_answers(b):
            if not options["if_absent"]:
                raise CommandError(f"{b.url} 已有 MQTT 代理在运行")
            integrations_merge("devices", mqtt_url=b.url, mqtt_broker="external")
            self.stdout.write(f"MQTT：使用 {b.url} 上已在运行的代理")
            return
        embedded = EmbeddedBroker(b)
        try:
            embedded.start()
        except RuntimeError as exc:
            self.stdout.write(f"MQTT：{b.url} 无应答，内置代理也未能启动（{exc}）；设备事件可经 webhook 推送")
            raise CommandError(str(exc), returncode=3) from exc
        integrations_merge("devices", mqtt_url=b.url, mqtt_broker="embedded")
        self.stdout.write(
            f"MQTT：{b.url} 原无代理应答，已启动内置代理（amqtt，仅供演示：消息只存于内存）；"
            "任何 MQTT 客户端都可向其发布"
        )
        self.stdout.flush()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        embedded.stop()
