from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "yiyang.devices"
    label = "devices"
    verbose_name = "智能设备与告警"

    def ready(self) -> None:
        from config.celery import app
        from yiyang.audit import events
        from yiyang.core import home, nav
        from yiyang.core.policy import POLICIES, Policy
        from yiyang.core.tabs import register_tab
        from yiyang.devices import tasks  # noqa: F401  (registers the tasks)

        for policy in [
            Policy(
                "devices.offline_factor",
                "设备离线判定（心跳间隔倍数）",
                "倍",
                3,
                "本平台设备规则：超过该倍数的心跳间隔没有收到心跳，设备记为离线并告警",
                "智能设备、告警队列",
                maximum=48,
            ),
            Policy(
                "devices.low_battery",
                "设备低电量告警阈值",
                "%",
                20,
                "本平台设备规则：设备报告的电量低于此值时告警，提醒更换电池或充电",
                "智能设备、告警队列",
                maximum=99,
            ),
            Policy(
                "devices.inactivity_absolute_hours",
                "无活动告警（历史不足时）白天时长",
                "小时",
                12,
                "本平台独居老人关爱规则：历史数据不足 7 天时，白天（6:00–22:00）连续无用水用电与进出活动超过此时长即告警",
                "告警队列、老人设备页",
                minimum=2,
                maximum=16,
            ),
            Policy(
                "devices.inactivity_margin",
                "无活动告警超出常态余量",
                "分钟",
                90,
                "本平台独居老人关爱规则：当前无活动时长超过该户 14 天内同时段最长无活动时长加此余量即告警",
                "告警队列、老人设备页",
                minimum=15,
                maximum=720,
            ),
        ]:
            POLICIES.setdefault(policy.key, policy)
        app.conf.beat_schedule = {
            **(app.conf.beat_schedule or {}),
            "devices-sweep": {"task": "yiyang.devices.tasks.devices_sweep", "schedule": 60.0},
        }
        for code, label in [
            ("devices.vendor_created", "新增设备厂商"),
            ("devices.secret_rotated", "更换厂商推送密钥"),
            ("devices.registered", "登记智能设备"),
            ("devices.removed", "拆除智能设备"),
            ("devices.installed", "登记设备安装"),
            ("devices.rule_set", "设置告警规则"),
            ("devices.thresholds_set", "设置健康阈值"),
            ("devices.away_added", "登记老人外出"),
            ("alarms.raised", "设备告警"),
            ("alarms.acknowledged", "确认设备告警"),
            ("alarms.handled", "处置设备告警"),
            ("alarms.false_alarm", "设备告警误报"),
        ]:
            events.register(code, label)
        for item in [
            nav.NavItem("设备告警", "devices:alarms", "alarms.view", section="服务", order=13),
            nav.NavItem("智能设备", "devices:devices", "devices.manage", section="老年人", order=40),
            nav.NavItem("设备地图", "devices:map", "devices.manage", section="监管", order=41),
        ]:
            nav.register(item)
        register_tab("devices", "智能设备", "devices.view", "devices/_elder_tab.html", _elder_tab, order=70)
        home.register(
            home.HomeCard(
                "devices_live_alarms", "待处理设备告警", "alarms.handle", _live, "devices:alarms", order=6
            )
        )


def _live(user: object) -> int:
    from yiyang.devices.selectors import alarms_live

    return alarms_live(user=user).count()


def _elder_tab(elder: Any, user: Any) -> dict[str, Any]:
    from yiyang.devices.selectors import alarm_list, away_periods, device_list

    return {
        "devices": list(device_list(user=user).filter(elder=elder)),
        "alarms": list(alarm_list(user=user).filter(elder=elder)[:20]),
        "aways": list(away_periods(user=user, elder=elder)[:5]),
    }
