"""Machine values of smart devices and alarms with their Chinese labels (people see the labels)."""

from __future__ import annotations

from django.db import models


class DeviceType(models.TextChoices):
    SOS_BUTTON = "sos_button", "一键呼叫器"
    WATCH = "watch", "智能手表"
    FALL_DETECTOR = "fall_detector", "跌倒检测器"
    SMOKE = "smoke", "烟雾报警器"
    GAS = "gas", "燃气报警器"
    WATER_LEAK = "water_leak", "溢水报警器"
    DOOR = "door", "门磁"
    MOTION = "motion", "红外探测器"
    WATER_METER = "water_meter", "智能水表"
    ELECTRICITY_METER = "electricity_meter", "智能电表"
    HEALTH_MONITOR = "health_monitor", "健康监护装置"
    GPS_TRACKER = "gps_tracker", "防走失定位器"


class DeviceStatus(models.TextChoices):
    ACTIVE = "active", "在线"
    OFFLINE = "offline", "离线"
    LOW_BATTERY = "low_battery", "电量低"
    REMOVED = "removed", "已拆除"


class EventType(models.TextChoices):
    HEARTBEAT = "heartbeat", "心跳"
    SOS = "sos", "一键呼叫"
    FALL = "fall", "跌倒"
    SMOKE = "smoke", "烟雾"
    GAS = "gas", "燃气泄漏"
    WATER_LEAK = "water_leak", "溢水"
    DOOR = "door", "开关门"
    MOTION = "motion", "有人活动"
    WATER_METER = "water_meter", "水表读数"
    ELECTRICITY_METER = "electricity_meter", "电表读数"
    HEART_RATE = "heart_rate", "心率"
    SPO2 = "spo2", "血氧"
    BLOOD_PRESSURE = "blood_pressure", "血压"
    WANDER = "wander", "走出安全区域"
    BATTERY = "battery", "电量"


class AlarmKind(models.TextChoices):
    SOS = "sos", "一键呼叫"
    FALL = "fall", "跌倒"
    SMOKE = "smoke", "烟雾报警"
    GAS = "gas", "燃气泄漏"
    WATER_LEAK = "water_leak", "溢水"
    WANDER = "wander", "走失预警"
    INACTIVITY = "inactivity", "无活动"
    OFFLINE = "offline", "设备离线"
    LOW_BATTERY = "low_battery", "电量低"
    HEALTH = "health", "健康指标异常"


class Severity(models.TextChoices):
    CRITICAL = "critical", "紧急"
    HIGH = "high", "高"
    MEDIUM = "medium", "中"
    LOW = "low", "低"


class AlarmStatus(models.TextChoices):
    RAISED = "raised", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    HANDLED = "handled", "已处置"
    FALSE_ALARM = "false_alarm", "误报"


LIVE_ALARM = (AlarmStatus.RAISED, AlarmStatus.ACKNOWLEDGED)

# Event types whose readings show that someone is at home and active (无活动告警).
ACTIVITY_TYPES = frozenset(
    {EventType.DOOR, EventType.MOTION, EventType.WATER_METER, EventType.ELECTRICITY_METER}
)
METER_TYPES = frozenset({EventType.WATER_METER, EventType.ELECTRICITY_METER})
HEALTH_TYPES = frozenset({EventType.HEART_RATE, EventType.SPO2, EventType.BLOOD_PRESSURE})
