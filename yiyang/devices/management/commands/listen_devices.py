"""``manage.py listen_devices``: the MQTT listener (a supervised process, see docs/deployment.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from yiyang.devices.mqtt import Listener, broker, broker_answers


class Command(BaseCommand):
    help = "订阅 MQTT 主题 yiyang/<厂商>/<序列号>/event（QoS 1），事件入库提交后再确认"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="", help="MQTT 地址（默认 settings.MQTT_URL）")
        parser.add_argument("--root", default="yiyang", help="主题根（默认 yiyang）")
        parser.add_argument("--client-id", default="yiyang-listen-devices")
        parser.add_argument(
            "--wait",
            type=float,
            default=0.0,
            help="与 --probe 同用：最多等待代理应答的秒数（内置代理启动中）",
        )
        parser.add_argument(
            "--probe", action="store_true", help="只检查代理是否应答并打印一行说明（应答时退出码 0）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        b = broker(options["url"] or None)
        if options["probe"]:
            deadline = time.monotonic() + options["wait"]
            while not broker_answers(b) and time.monotonic() < deadline:
                time.sleep(0.2)
            if broker_answers(b):
                self.stdout.write(
                    f"MQTT：设备监听已连接 {b.url}（主题 {options['root']}/<厂商>/<序列号>/event，QoS 1；"
                    "厂商与密钥见 var/demo_integrations.json）"
                )
                return
            self.stdout.write(f"MQTT：{b.url} 无应答，未启动设备监听；设备事件可经 webhook 推送")
            raise CommandError("broker not answering", returncode=3)
        listener = Listener(b, root=options["root"], client_id=options["client_id"])
        self.stdout.write(f"listening on {b.url} {options['root']}/+/+/event")
        listener.run_forever()
