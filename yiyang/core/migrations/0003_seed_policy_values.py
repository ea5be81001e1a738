"""Seed the platform-wide defaults of the policy values with their sources (``yiyang.core.policy``)."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)

DEFAULTS = [
    (
        "orders.check_in_max_distance",
        300,
        "米",
        "本平台上门服务监管规则：签到定位与老人登记住址的距离超过此值，工单标记「签到位置距老人住址过远」待核查",
    ),
    (
        "orders.short_service_percent",
        50,
        "%",
        "本平台上门服务监管规则：实际服务时长不足服务项目标准时长的该比例（默认一半），工单标记「服务时长不足」待核查",
    ),
    ("orders.accept_deadline", 30, "分钟", "本平台调度规则：派单后超过此时限未接单，收回并自动改派"),
    (
        "complaints.resolve_deadline",
        72,
        "小时",
        "本平台投诉处理规则（默认 72 小时，按地方 12345 热线与民政部门办理时限文件调整）",
    ),
    (
        "assessments.routine_interval",
        6,
        "个月",
        "MZ/T 039-2013《老年人能力评估》4.3.5：接受服务后若无特殊变化，每 6 个月定期评估一次",
    ),
    ("assessments.result_valid", 12, "个月", "本平台默认值（按地方评估管理办法调整）"),
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
    dependencies = [("core", "0002_policy_value")]

    operations = [migrations.RunPython(seed, unseed)]
