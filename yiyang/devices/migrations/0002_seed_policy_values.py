"""Seed the platform-wide defaults of the devices' policy values with their sources (see
``yiyang.devices.apps``: offline factor, low battery, inactivity spans)."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)

DEFAULTS = [
    (
        "devices.offline_factor",
        3,
        "倍",
        "本平台设备规则：超过该倍数的心跳间隔没有收到心跳，设备记为离线并告警",
    ),
    (
        "devices.low_battery",
        20,
        "%",
        "本平台设备规则：设备报告的电量低于此值时告警，提醒更换电池或充电",
    ),
    (
        "devices.inactivity_absolute_hours",
        12,
        "小时",
        "本平台独居老人关爱规则：历史数据不足 7 天时，白天（6:00–22:00）连续无用水用电与进出活动超过此时长即告警",
    ),
    (
        "devices.inactivity_margin",
        90,
        "分钟",
        "本平台独居老人关爱规则：当前无活动时长超过该户 14 天内同时段最长无活动时长加此余量即告警",
    ),
]


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("core", "PolicyValue")
    for key, value, unit, source in DEFAULTS:
        if not PolicyValue.objects.filter(key=key, region_code="").exists():
            PolicyValue.objects.create(
                key=key, region_code="", value=value, unit=unit, valid_from=SINCE, source=source
            )


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyValue").objects.filter(
        region_code="", key__in=[d[0] for d in DEFAULTS], created_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("devices", "0001_initial"), ("core", "0003_seed_policy_values")]

    operations = [migrations.RunPython(seed, unseed)]
