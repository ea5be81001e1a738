"""``manage.py simulate_devices``: publish a realistic stream for the demo homes over MQTT."""

from __future__ import annotations

import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from yiyang.devices import simulation
from yiyang.devices.models import Device, DeviceEvent
from yiyang.devices.mqtt import broker, broker_answers, client


class Command(BaseCommand):
    help = "向 MQTT 发布演示家庭的设备事件（心跳、按日作息变化的表计读数、开关门，偶发一键呼叫或烟雾报警）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="")
        parser.add_argument("--rounds", type=int, default=1, help="轮数（每轮每台设备一个事件）")
        parser.add_argument("--interval", type=float, default=1.0, help="两轮之间的秒数")
        parser.add_argument(
            "--alarm-rate", type=float, default=0.01, help="每轮每户发生一键呼叫或烟雾报警的概率"
        )
        parser.add_argument("--sos", default="", help="只为该序列号的一键呼叫器发布一次呼叫")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args: Any, **options: Any) -> None:
        b = broker(options["url"] or None)
        if not broker_answers(b):
            raise CommandError(f"MQTT 代理 {b.url} 无应答")
        rng = random.Random(options["seed"] or None)
        c = client(f"yiyang-simulator-{rng.randrange(10**9)}")
        c.connect(b.host, b.port)
        c.loop_start()
        devices = list(Device.objects.select_related("vendor").exclude(status="removed").order_by("pk"))
        sent = 0

        def publish(device: Device, body: dict[str, Any]) -> None:
            nonlocal sent
            info = c.publish(
                f"yiyang/{device.vendor.code}/{device.serial}/event", simulation.payload(body), qos=1
            )
            info.wait_for_publish(10)
            sent += 1

        if options["sos"]:
            device = next((d for d in devices if d.serial == options["sos"]), None)
            if device is None:
                raise CommandError("没有这个序列号的设备")
            publish(device, simulation.event(device.serial, "sos", timezone.now()))
        else:
            meters: dict[int, float] = {}
            for n in range(options["rounds"]):
                now = timezone.now()
                for d in devices:
                    if d.type in ("water_meter", "electricity_meter"):
                        if d.pk not in meters:  # continue from the meter's last reading
                            last = (
                                DeviceEvent.objects.filter(device=d, type=d.type)
                                .order_by("-ts")
                                .values_list("value", flat=True)
                                .first()
                            )
                            meters[d.pk] = (
                                float(last) if isinstance(last, int | float) else rng.uniform(10, 500)
                            )
                        base = meters[d.pk]
                        if simulation.active_in_hour(rng, now):
                            meters[d.pk] = round(base + rng.uniform(0.01, 0.5), 3)
                        publish(d, simulation.event(d.serial, d.type, now, meters[d.pk]))
                    elif d.type == "sos_button" and rng.random() < options["alarm_rate"]:
                        publish(d, simulation.event(d.serial, "sos", now))
                    elif d.type == "smoke" and rng.random() < options["alarm_rate"]:
                        publish(d, simulation.event(d.serial, "smoke", now, 1))
                    else:
                        publish(d, simulation.event(d.serial, "heartbeat", now))
                if n + 1 < options["rounds"]:
                    time.sleep(options["interval"])
        c.loop_stop()
        c.disconnect()
        self.stdout.write(f"已发布 {sent} 个事件到 {b.url}")
