"""The KPI registry and the demo city's targets, from the seeds.

* 004 湖州市“十四五”养老服务发展规划, 表1 (“十三五”主要指标: 2015 value, 2020 target) and 表3
  (“十四五”主要发展指标: 2020 value, 2022 and 2025 targets);
* 000 扬州市养老服务业高质量发展三年行动计划 任务分解表 (2024, 2025, 2026 targets).

The targets are loaded for the demo city (扬州市, 321000000000) and marked ``is_demo``: 湖州's figures are
another city's plan, used here only so that the demo has something to measure against. A deployment
replaces them with its own (the rows marked 演示目标 can be deleted as a set)."""

from __future__ import annotations

from decimal import Decimal

from django.db import migrations

CITY = "321000000000"
ALL = ["city", "county", "town", "village"]
UPPER = ["city", "county"]
HZ1 = "004 湖州 表1（演示目标）"
HZ3 = "004 湖州 表3（演示目标）"
YZ = "000 扬州 任务分解表（演示目标）"

# code, name, unit, formula, direction, source, query, decimals, levels, group, department, seed_ref
KPIS = [
    # --- the seed tables' indicators (targeted) ---
    ("social_beds_per_1000", "每千名老年人拥有社会化养老床位数", "张",
     "登记在营服务设施床位合计 ÷ 60 岁以上在册老人 × 1000", "up", "computed", "social_beds_per_1000", 1, ALL,
     "规划目标", "市民政局", "004 表1 第1项"),
    ("care_home_beds_per_1000", "每千名老年人拥有养老机构床位数", "张",
     "养老机构（机构类型为养老机构）床位合计 ÷ 60 岁以上在册老人 × 1000", "up", "computed",
     "care_home_beds_per_1000", 1, ALL, "规划目标", "市民政局", "004 表1 第2项"),
    ("nursing_bed_share", "护理型床位占比", "%",
     "护理型床位 ÷（普通床位 + 护理型床位 + 认知障碍床位）× 100", "up", "computed", "nursing_bed_share", 1, ALL,
     "规划目标", "市民政局", "004 表1 第3项、表3 第3项；000 任务4"),
    ("private_bed_share", "民办养老机构床位占比", "%", "民办养老机构床位 ÷ 养老机构床位 × 100（部门填报）", "up",
     "entered", "", 1, UPPER, "规划目标", "市民政局", "004 表1 第4项"),
    ("public_private_operation_rate", "养老机构公建民营率", "%",
     "公建民营养老机构数 ÷ 公办养老机构数 × 100（部门填报）", "up", "entered", "", 1, UPPER, "规划目标", "市民政局",
     "004 表1 第5项"),
    ("centre_coverage", "居家养老服务照料中心覆盖率", "%",
     "设有或由照料中心（综合体、日间照料中心、养老服务站）服务的社区（村）÷ 社区（村）总数 × 100", "up",
     "computed", "centre_coverage", 1, ALL, "规划目标", "市民政局", "004 表1 第6项"),
    ("subsidy_recipient_share", "养老服务补贴对象占老年人口比", "%",
     "享受养老服务补贴的 60 岁以上在册老人 ÷ 60 岁以上在册老人 × 100", "up", "computed",
     "subsidy_recipient_share", 1, ALL, "规划目标", "市民政局", "004 表1 第7项"),
    ("caregivers_per_10k", "每万老年人拥有持证养老护理员数", "人",
     "在职且持有效养老护理员证书的服务人员 ÷ 60 岁以上在册老人 × 10000", "up", "computed", "caregivers_per_10k", 1,
     ALL, "规划目标", "市民政局、市人社局", "004 表3 第1项"),
    ("dementia_beds_per_10k", "每万老年人拥有养老机构认知障碍床位数", "张",
     "认知障碍床位 ÷ 60 岁以上在册老人 × 10000", "up", "computed", "dementia_beds_per_10k", 1, ALL, "规划目标",
     "市民政局", "004 表3 第4项"),
    ("kangyang_consortia", "康养联合体数", "个", "部门填报", "up", "entered", "", 0, UPPER, "规划目标",
     "市民政局、市卫健委", "004 表3 第5项"),
    ("senior_caregiver_share", "养老护理员高级、技师比例", "%",
     "持高级工、技师等级养老护理员证书的护理员 ÷ 持证养老护理员 × 100", "up", "computed",
     "senior_caregiver_share", 1, ALL, "规划目标", "市民政局、市人社局", "004 表3 第6项"),
    ("social_workers_per_10k", "每万老年人拥有社会工作者数", "人", "部门填报", "up", "entered", "", 1, UPPER,
     "规划目标", "市民政局", "004 表3 第7项"),
    ("smart_care_homes", "县（区）智慧养老院数", "个", "部门填报", "up", "entered", "", 0, UPPER, "规划目标",
     "市民政局", "004 表3 第8项"),
    ("assistive_platforms", "市、县（区）康复辅具适配服务平台数", "个", "部门填报", "up", "entered", "", 0, UPPER,
     "规划目标", "市民政局、市残联", "004 表3 第10项"),
    ("new_dementia_beds", "当年新增认知症照护床位数", "张", "部门填报（当年累计）", "up", "entered", "", 0, UPPER,
     "规划目标", "市民政局", "000 任务4"),
    ("new_yiyang_communities", "当年新建颐养社区数", "个", "部门填报（当年累计）", "up", "entered", "", 0, UPPER,
     "规划目标", "市民政局", "000 任务7"),
    ("rural_neighbour_points", "农村示范性互助养老睦邻点建设数", "个", "部门填报（当年累计）", "up", "entered", "",
     0, UPPER, "规划目标", "市民政局", "000 任务7"),
    ("new_meal_points", "当年新建或改造提升社区助餐点数", "个", "部门填报（当年累计）", "up", "entered", "", 0,
     UPPER, "规划目标", "市民政局、扬子江文旅集团", "000 任务8"),
    ("smart_device_homes", "配置智能安全设备的特殊困难老年人家庭数", "户", "部门填报（当年累计）", "up", "entered",
     "", 0, UPPER, "规划目标", "市民政局", "000 任务6"),
    # --- statistics of the register (no target) ---
    ("elders_60", "60 岁以上在册老人", "人", "在册（状态为在册）且统计日满 60 周岁的老人，按常住地", "none",
     "computed", "elders_60", 0, ALL, "老年人口", "", ""),
    ("elders_80", "80 岁以上在册老人", "人", "在册且统计日满 80 周岁的老人，按常住地", "none", "computed",
     "elders_80", 0, ALL, "老年人口", "", ""),
    ("share_80", "高龄老人占比", "%", "80 岁以上在册老人 ÷ 60 岁以上在册老人 × 100，保留一位小数", "none",
     "computed", "share_80", 1, ALL, "老年人口", "", ""),
    ("elders_disabled", "中度以上失能老人", "人", "60 岁以上在册老人中能力评估为中度以上失能", "none", "computed",
     "elders_disabled", 0, ALL, "老年人口", "", ""),
    # --- services ---
    ("orders_month", "本月居家上门服务工单", "单", "预约上门时间在本月、未取消的工单", "none", "computed",
     "orders_month", 0, ALL, "服务与结算", "", ""),
    ("settled_amount_month", "本月结算金额", "元", "本月政府购买服务支付清单合计（按老人常住地）", "none",
     "computed", "settled_amount_month", 2, ALL, "服务与结算", "", ""),
    ("complaint_rate", "服务投诉率", "%", "本月服务投诉 ÷ 本月工单 × 100", "down", "computed", "complaint_rate", 2,
     ALL, "服务与结算", "", ""),
    ("caregivers_certified", "持证养老护理员", "人", "在职且持有效养老护理员证书的服务人员（按机构登记地）", "none",
     "computed", "caregivers_certified", 0, ALL, "服务与结算", "", ""),
    ("visit_rate", "特殊困难老人探访率", "%", "本月已探访的特殊困难老人 ÷ 应探访的特殊困难老人 × 100（探访关爱模块）",
     "up", "computed", "visits.visit_rate", 1, ALL, "服务与结算", "", ""),
    # --- safety ---
    ("alarms_month", "本月设备告警", "次", "本月发生的智能设备告警", "none", "computed", "alarms_month", 0, ALL,
     "安全与应急", "", ""),
    ("alarm_response_minutes", "设备告警平均确认用时", "分钟", "本月已确认告警从告警到确认的平均分钟数", "down",
     "computed", "alarm_response_minutes", 1, ALL, "安全与应急", "", ""),
    ("incidents_month", "本月紧急呼叫事件", "件", "本月发起的 12349 紧急事件", "none", "computed", "incidents_month",
     0, ALL, "安全与应急", "", ""),
    ("incident_ack_minutes", "紧急事件平均确认用时", "分钟", "本月已确认紧急事件从发起到确认的平均分钟数", "down",
     "computed", "incident_ack_minutes", 1, ALL, "安全与应急", "", ""),
    # --- beds ---
    ("beds_total", "养老床位合计", "张", "登记在营服务设施的床位合计", "none", "computed", "beds_total", 0, ALL,
     "设施与床位", "", ""),
    ("beds_ordinary", "普通床位", "张", "登记在营服务设施的普通床位", "none", "computed", "beds:beds_ordinary", 0,
     ALL, "设施与床位", "", ""),
    ("beds_nursing", "护理型床位", "张", "登记在营服务设施的护理型床位", "none", "computed", "beds:beds_nursing", 0,
     ALL, "设施与床位", "", ""),
    ("beds_dementia", "认知障碍床位", "张", "登记在营服务设施的认知障碍床位", "none", "computed",
     "beds:beds_dementia", 0, ALL, "设施与床位", "", ""),
]

LIVING = [
    ("alone", "独居"), ("empty_nest", "空巢"), ("left_behind", "留守"), ("with_spouse", "与配偶同住"),
    ("with_children", "与子女同住"), ("with_others", "与其他亲属/他人同住"), ("institution", "入住养老机构"),
    ("unknown", "居住情况不详"),
]
CATEGORIES = [
    ("tekun_dispersed", "特困（分散供养）"), ("tekun_centralised", "特困（集中供养）"), ("dibao", "低保"),
    ("dibao_edge", "低保边缘"), ("poverty_monitor", "建档立卡/防返贫监测"), ("family_planning_special", "计划生育特殊家庭"),
    ("disabled", "残疾（持残疾人证）"), ("priority_care", "重点优抚对象"),
]
CAPABILITY = ["能力完好", "能力轻度受损（轻度失能）", "能力中度受损（中度失能）", "能力重度受损（重度失能）",
              "能力完全丧失（完全失能）"]
ORG_TYPES = [
    ("care_home", "养老机构"), ("comprehensive_centre", "区域性养老服务综合体（中心）"), ("day_care", "日间照料中心"),
    ("station", "社区养老服务站"), ("canteen", "老年食堂（助餐点）"), ("home_service", "居家上门服务企业"),
    ("medical", "医疗机构"),
]

# code, year, value, comparator, baseline_year, baseline_value, source
TARGETS = [
    ("social_beds_per_1000", 2020, "50", "≥", None, None, HZ1),
    ("care_home_beds_per_1000", 2020, "40", "≥", 2015, "29.5", HZ1),
    ("nursing_bed_share", 2020, "55", "≥", 2015, "32.4", HZ1),
    ("nursing_bed_share", 2022, "58", "≥", 2020, "55", HZ3),
    ("nursing_bed_share", 2024, "70", "≥", None, None, YZ),
    ("nursing_bed_share", 2025, "72", "≥", 2024, "70", YZ + "（以 2024 年目标为起点；湖州 表3 为 60）"),
    ("private_bed_share", 2020, "70", "≥", 2015, "52", HZ1),
    ("public_private_operation_rate", 2020, "60", "≥", 2015, "13.9", HZ1),
    ("centre_coverage", 2020, "100", "=", 2015, "65.6", HZ1),
    ("subsidy_recipient_share", 2020, "3", "≥", 2015, "2.5", HZ1),
    ("caregivers_per_10k", 2022, "21", "≥", 2020, "13", HZ3),
    ("caregivers_per_10k", 2025, "28", "≥", 2020, "13", HZ3),
    ("dementia_beds_per_10k", 2022, "10", "≥", 2020, "3.38", HZ3),
    ("dementia_beds_per_10k", 2025, "20", "≥", 2020, "3.38", HZ3),
    ("kangyang_consortia", 2022, "40", "≥", 2020, "7", HZ3),
    ("kangyang_consortia", 2025, "100", "≥", 2020, "7", HZ3),
    ("senior_caregiver_share", 2022, "15", "≥", 2020, "12", HZ3),
    ("senior_caregiver_share", 2025, "18", "≥", 2020, "12", HZ3),
    ("social_workers_per_10k", 2022, "35", "≥", 2020, "30", HZ3),
    ("social_workers_per_10k", 2025, "40", "≥", 2020, "30", HZ3),
    ("smart_care_homes", 2022, "6", "≥", None, None, HZ3),
    ("smart_care_homes", 2025, "12", "≥", None, None, HZ3),
    ("assistive_platforms", 2022, "1", "≥", None, None, HZ3),
    ("assistive_platforms", 2025, "3", "≥", None, None, HZ3),
    ("new_dementia_beds", 2024, "300", "≥", None, None, YZ),
    ("new_dementia_beds", 2025, "500", "≥", None, None, YZ),
    ("new_yiyang_communities", 2024, "37", "≥", None, None, YZ),
    ("new_yiyang_communities", 2025, "35", "≥", None, None, YZ),
    ("rural_neighbour_points", 2024, "80", "≥", None, None, YZ),
    ("new_meal_points", 2024, "35", "≥", None, None, YZ),
    ("new_meal_points", 2025, "40", "≥", None, None, YZ),
    ("new_meal_points", 2026, "43", "≥", None, None, YZ),
    ("smart_device_homes", 2024, "500", "≥", None, None, YZ),
]


def rows() -> list[dict]:
    out = []
    for n, (code, name, unit, formula, direction, source, query, decimals, levels, group, dept, ref) in enumerate(
        KPIS
    ):
        out.append(
            dict(code=code, name=name, unit=unit, formula=formula, direction=direction, source=source, query=query,
                 decimals=decimals, levels=levels, group=group, department=dept, seed_ref=ref, order=10 + n)
        )
    base = 100
    for n, (value, label) in enumerate(LIVING):
        out.append(dict(code=f"elders_living_{value}", name=f"{label}老人" if value != "unknown" else label,
                        unit="人", formula=f"60 岁以上在册老人中居住情况为“{label}”", direction="none",
                        source="computed", query=f"elders_living:{value}", decimals=0, levels=ALL, group="居住情况",
                        department="", seed_ref="", order=base + n))
    for n, (value, label) in enumerate(CATEGORIES):
        out.append(dict(code=f"elders_category_{value}", name=f"{label}老人", unit="人",
                        formula=f"60 岁以上在册老人中统计日持有“{label}”类别", direction="none", source="computed",
                        query=f"elders_category:{value}", decimals=0, levels=ALL, group="老人类别", department="",
                        seed_ref="", order=base + 20 + n))
    for level, label in enumerate(CAPABILITY):
        out.append(dict(code=f"elders_capability_{level}", name=f"能力等级 {level}：{label}", unit="人",
                        formula=f"60 岁以上在册老人中当前能力等级为 {level}", direction="none", source="computed",
                        query=f"elders_capability:{level}", decimals=0, levels=ALL, group="能力等级", department="",
                        seed_ref="", order=base + 40 + level))
    for n, (value, label) in enumerate(ORG_TYPES):
        out.append(dict(code=f"facilities_{value}", name=f"{label}设施数", unit="个",
                        formula=f"在营“{label}”类机构登记的服务设施数（按机构登记地）", direction="none",
                        source="computed", query=f"facilities:{value}", decimals=0, levels=ALL, group="设施与床位",
                        department="", seed_ref="", order=base + 60 + n))
    return out


def seed(apps, schema_editor):
    Kpi = apps.get_model("analytics", "Kpi")
    KpiTarget = apps.get_model("analytics", "KpiTarget")
    for row in rows():
        code = row.pop("code")
        Kpi.objects.update_or_create(code=code, defaults=row)
    for code, year, value, comparator, by, bv, source in TARGETS:
        KpiTarget.objects.update_or_create(
            kpi=Kpi.objects.get(code=code),
            region_code=CITY,
            year=year,
            defaults=dict(
                value=Decimal(value),
                comparator=comparator,
                baseline_year=by,
                baseline_value=Decimal(bv) if bv is not None else None,
                is_demo=True,
                source=source,
            ),
        )


def unseed(apps, schema_editor):
    apps.get_model("analytics", "KpiTarget").objects.filter(is_demo=True).delete()
    codes = [r["code"] for r in rows()]
    apps.get_model("analytics", "Kpi").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
