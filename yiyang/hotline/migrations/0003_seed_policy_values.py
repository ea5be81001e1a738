"""Seed the platform-wide defaults of the hotline's policy values with their sources (see
``yiyang.hotline.apps``: arrival target, acknowledgement timeout, work-order deadline)."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)

DEFAULTS = [
    (
        "hotline.arrival_target",
        30,
        "分钟",
        "本平台紧急呼援规则：发起呼援后处置人员应在此时限内到达老人身边（默认 30 分钟，按地方规定调整）",
    ),
    (
        "hotline.ack_timeout",
        60,
        "秒",
        "本平台值班规则：紧急呼援在此时限内无人确认，依次轮呼下一位值班话务员、值班长",
    ),
    (
        "hotline.work_order_deadline",
        72,
        "小时",
        "本平台工单规则（默认 72 小时，按地方 12345 热线办理时限文件调整）",
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
    dependencies = [("hotline", "0002_care_calls"), ("core", "0003_seed_policy_values")]

    operations = [migrations.RunPython(seed, unseed)]
