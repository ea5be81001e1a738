"""Seed the default risk rule set (issue 14, from 000 §6; the city starts from it and may publish its own
version) and the visit frequencies as policy values with their sources."""

from datetime import date

from django.db import migrations

SINCE = date(2000, 1, 1)

RULES = [
    {
        "code": "A1",
        "class": "A",
        "name": "独居或留守，且失能、重残或80周岁以上",
        "when": [["alone", "left_behind"], ["disabled", "severe_disability", "age80"]],
    },
    {"code": "B1", "class": "B", "name": "独居或留守", "when": [["alone", "left_behind"]]},
    {
        "code": "B2",
        "class": "B",
        "name": "空巢，且失能、重残或80周岁以上",
        "when": [["empty_nest"], ["disabled", "severe_disability", "age80"]],
    },
    {
        "code": "B3",
        "class": "B",
        "name": "计划生育特殊家庭，且失能、重残或80周岁以上",
        "when": [["family_planning"], ["disabled", "severe_disability", "age80"]],
    },
    {
        "code": "C1",
        "class": "C",
        "name": "空巢、失能、重残或计划生育特殊家庭",
        "when": [["empty_nest", "disabled", "severe_disability", "family_planning"]],
    },
]

POLICIES = [
    ("visits.interval_a", 7, "天", "探访关爱服务（000 §6）：A类老年人每周至少探访一次"),
    ("visits.interval_b", 14, "天", "探访关爱服务（000 §6）：B类老年人每两周至少探访一次"),
    ("visits.interval_c", 30, "天", "探访关爱服务（000 §6）：C类老年人每月至少探访一次"),
    (
        "visits.interval_tekun",
        30,
        "天",
        "汕尾 001 §三(三)4、004 §三3(1)：特困老年人每月至少探访一次，月探访率 100%",
    ),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("visits", "RuleSet")
    if not RuleSet.objects.filter(region_code="").exists():
        RuleSet.objects.create(
            region_code="",
            version=1,
            valid_from=SINCE,
            rules=RULES,
            raise_days=30,
            raise_on_hazard=True,
            note="默认规则（000 §6 探访关爱服务：按居家安全风险分为 A、B、C 三类）",
        )
    PolicyValue = apps.get_model("core", "PolicyValue")
    for key, value, unit, source in POLICIES:
        if not PolicyValue.objects.filter(key=key, region_code="").exists():
            PolicyValue.objects.create(key=key, region_code="", value=value, unit=unit, valid_from=SINCE, source=source)


def unseed(apps, schema_editor):
    apps.get_model("visits", "RuleSet").objects.filter(region_code="", version=1, created_by__isnull=True).delete()
    apps.get_model("core", "PolicyValue").objects.filter(
        region_code="", key__in=[p[0] for p in POLICIES], created_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("core", "0006_seed_check_in_time_window")]

    operations = [migrations.RunPython(seed, unseed)]
