"""Seed the platform default of ``orders.check_in_time_window`` with its source (``yiyang.core.policy``)."""

from datetime import date

from django.db import migrations

KEY = "orders.check_in_time_window"
SOURCE = (
    "本平台上门服务监管规则：签到时间早于或晚于预约上门时间超过此值，工单标记「签到时间与预约时间相差过大」待核查"
)


def seed(apps, schema_editor):
    PolicyValue = apps.get_model("core", "PolicyValue")
    if not PolicyValue.objects.filter(key=KEY, region_code="").exists():
        PolicyValue.objects.create(
            key=KEY, region_code="", value=60, unit="分钟", valid_from=date(2000, 1, 1), source=SOURCE
        )


def unseed(apps, schema_editor):
    apps.get_model("core", "PolicyValue").objects.filter(
        key=KEY, region_code="", created_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0005_merge_20261130_0740")]

    operations = [migrations.RunPython(seed, unseed)]
