"""Seed the platform-wide defaults of the planning rules with their source (see
``yiyang.planning.policies``): the walking distance of the 15-minute circle and beds per 1,000 elders."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)

DEFAULTS = [
    (
        "planning.walk_distance",
        1000,
        "米",
        "《湖州市养老服务发展“十四五”规划（征求意见稿）》三、1(1)：中密度居住区（1000—3000 人/平方公里）的老年人 1000 米内、"
        "高密度居住区（>3000 人/平方公里）500 米内建有 1 家养老机构；本平台以同一步行距离衡量社区养老服务设施的 15 分钟服务圈",
    ),
    (
        "planning.beds_per_1000",
        30,
        "张",
        "《湖州市养老服务发展“十四五”规划（征求意见稿）》三、1(1)：按 1 万名常住老年人配建不少于 300 张床位为规划单元（每千名 30 张）",
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
    dependencies = [("core", "0003_seed_policy_values")]

    operations = [migrations.RunPython(seed, unseed)]
