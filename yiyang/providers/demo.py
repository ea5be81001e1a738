"""Demo providers: a home-service provider serving 广陵区 (321002) whose admin is ``provider_admin`` and
whose staff include the ``caregiver`` login, one serving 邗江区, the service catalog (六助 and the seed
list), government shares by elder category and monthly quotas. Synthetic people only."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from yiyang.accounts.services import user_create
from yiyang.core.identifiers import resident_id_check_char, uscc_check_char
from yiyang.demo.city import CENTRES, COUNTY_A, COUNTY_B
from yiyang.providers.models import (
    Certificate,
    Contract,
    ContractItem,
    Facility,
    MonthlyQuota,
    Organisation,
    ServiceItem,
    SubsidyRule,
)
from yiyang.providers.services import organisation_create, staff_create
from yiyang.regions.models import Region
from yiyang.regions.scope import SYSTEM

# code, name, category, unit, standard minutes, price (fen), skills required, description
CATALOG: list[tuple[str, str, str, str, int, int, list[str], str]] = [
    ("ZC-01", "上门送餐", "meal", "meal", 20, 1500, ["meal"], "午餐或晚餐配送到家，协助进食准备"),
    ("ZJ-01", "居室清洁", "cleaning", "visit", 60, 6000, ["cleaning"], "卧室、客厅、厨房、卫生间日常清洁"),
    ("ZJ-02", "衣物洗涤", "cleaning", "visit", 45, 4000, ["cleaning"], "衣物、床单被套洗涤晾晒"),
    ("ZY-01", "上门助浴", "bathing", "visit", 60, 12000, ["bathing"], "移动助浴或居家协助洗浴，含安全评估"),
    ("ZX-01", "助行陪同", "walking", "hour", 60, 4000, ["walking"], "陪同户外活动、协助上下楼"),
    ("ZYI-01", "助医代办", "medical", "visit", 60, 5000, ["medical"], "代为配药、协助服药、测量血压血糖"),
    ("ZJI-01", "紧急援助上门", "emergency", "visit", 30, 5000, ["first_aid"], "一键呼叫后上门查看与应急处置"),
    (
        "JZ-01",
        "家政服务",
        "housekeeping",
        "hour",
        120,
        8000,
        ["housekeeping"],
        "整理收纳、简单烹饪、购物代办",
    ),
    (
        "SH-01",
        "生活照料",
        "personal_care",
        "visit",
        60,
        6000,
        ["personal_care"],
        "协助洗漱、穿衣、如厕、翻身",
    ),
    ("SH-02", "理发修面", "personal_care", "visit", 30, 2000, ["personal_care"], "上门理发、修面、修剪指甲"),
    ("KF-01", "康复护理", "rehab", "visit", 60, 10000, ["rehab"], "肢体功能训练、压疮预防护理"),
    ("PZ-01", "陪同就医", "escort", "visit", 180, 12000, ["escort"], "陪同就诊、挂号取药、报告解读转告"),
    ("JS-01", "精神慰藉", "companionship", "hour", 60, 3000, ["companionship"], "聊天陪伴、读报、心理疏导"),
    (
        "TY-01",
        "短期托养（日）",
        "respite",
        "day",
        480,
        15000,
        ["personal_care"],
        "日间照料中心短期托养（15 天–6 个月）",
    ),
]

# Government share (basis points) by elder category, and subsidised services a month.
SHARES = {
    "tekun_dispersed": 10000,
    "tekun_centralised": 10000,
    "dibao": 8000,
    "dibao_edge": 5000,
    "poverty_monitor": 5000,
    "family_planning_special": 7000,
    "disabled": 5000,
    "priority_care": 7000,
}
QUOTAS = {
    "tekun_dispersed": 8,
    "tekun_centralised": 4,
    "dibao": 4,
    "dibao_edge": 2,
    "poverty_monitor": 2,
    "family_planning_special": 4,
    "disabled": 4,
    "priority_care": 4,
}

SKILL_SETS = [
    ["cleaning", "personal_care", "housekeeping", "companionship", "walking", "first_aid", "bathing", "meal"],
    ["cleaning", "housekeeping", "meal"],
    ["bathing", "personal_care", "first_aid"],
    ["rehab", "personal_care"],
    ["medical", "escort", "first_aid"],
    ["meal", "companionship"],
    ["cleaning", "personal_care", "bathing"],
    ["escort", "walking", "companionship"],
    ["housekeeping", "cleaning"],
    ["personal_care", "walking", "meal"],
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀兰桂英玉梅建国志强丽娟海燕春华晓红明亮红霞文静"


def _uscc(prefix: str, rng: Any) -> str:
    first17 = prefix + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(17 - len(prefix)))
    return first17 + uscc_check_char(first17)


def _resident_id(rng: Any, county: str) -> str:
    born = f"{rng.randint(1966, 1995)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{county}{born}{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_char(first17)


def _catalog() -> int:
    created = 0
    for code, name, cat, unit, minutes, price, skills, desc in CATALOG:
        _, made = ServiceItem.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": cat,
                "unit": unit,
                "standard_minutes": minutes,
                "price_fen": price,
                "skills_required": skills,
                "description": desc,
            },
        )
        created += made
    for category, bp in SHARES.items():
        SubsidyRule.objects.get_or_create(
            category=category,
            service_category="",
            valid_from=date(2026, 1, 1),
            defaults={"government_bp": bp, "basis": "示例：区政府购买居家养老服务实施办法"},
        )
    for category, n in QUOTAS.items():
        MonthlyQuota.objects.get_or_create(
            category=category, valid_from=date(2026, 1, 1), defaults={"services_per_month": n}
        )
    return created


def _organisation(
    ctx: Any, *, name: str, county: str, org_type: str, admin: Any, staff_n: int, caregiver: Any = None
) -> Organisation:
    region = Region.objects.get(code=county)
    org = organisation_create(
        actor=SYSTEM,
        name=name,
        uscc=_uscc(f"52{county[:6]}MJ", ctx.rng),
        org_type=org_type,
        region=region,
        regions_served=[region],
        grade="4" if admin else "3",
        phone="0514-8" + "".join(ctx.rng.choice("0123456789") for _ in range(7)),
        address=f"{region.name}文昌中路{ctx.rng.randint(10, 300)}号",
    )
    if admin is not None:
        org.admins.add(admin)
    lat0, lng0 = CENTRES.get(county[:6], (32.39, 119.42))
    Facility.objects.create(
        organisation=org,
        name=f"{name}服务站",
        address=org.address,
        lat=lat0,
        lng=lng0,
        area_m2=ctx.rng.choice([320, 480, 650]),
        beds_ordinary=ctx.rng.randint(4, 10),
        beds_nursing=ctx.rng.randint(2, 8),
        beds_dementia=ctx.rng.randint(0, 4),
    )
    contract = Contract.objects.create(
        organisation=org,
        number=f"YZMZ-{county[:6]}-2026-{ctx.rng.randint(10, 99)}",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        note="政府购买居家上门服务",
    )
    for item in ServiceItem.objects.all():
        ContractItem.objects.create(contract=contract, service_item=item, price_fen=item.price_fen)
    communities = list(Region.objects.filter(code__startswith=county[:6], level="village").order_by("code"))
    for n in range(staff_n):
        name_ = ctx.rng.choice(SURNAMES) + "".join(ctx.rng.sample(GIVEN, 2))
        home = communities[n % len(communities)] if communities else region
        lat = (home.lat or lat0) + ctx.rng.uniform(-0.006, 0.006)
        lng = (home.lng or lng0) + ctx.rng.uniform(-0.006, 0.006)
        # Every caregiver has a phone login; only ``caregiver`` is published in demo_accounts.json.
        user = (
            caregiver
            if n == 0
            else user_create(
                username=f"caregiver_{county[:6]}_{n:02d}",
                display_name=name_,
                password="".join(
                    ctx.rng.choice("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                    for _ in range(20)
                )
                + "-9",
                grants=[("caregiver", county)],
            )
        )
        staff = staff_create(
            actor=SYSTEM,
            organisation=org,
            name="演示护理员" if n == 0 else name_,
            id_number=_resident_id(ctx.rng, county[:6]),
            phone="139" + "".join(ctx.rng.choice("0123456789") for _ in range(8)),
            user=user,
            skills=SKILL_SETS[n % len(SKILL_SETS)],
            liability_insurance_until=date(2027, 6, 30),
            home_lat=lat,
            home_lng=lng,
            work_start=time(6, 0) if n == 0 else time(8, 0),
            work_end=time(22, 0) if n == 0 else time(18, 0),
            work_days="1234567" if n == 0 else "123456",
        )
        expired = n == 7  # one caregiver whose certificate has lapsed (shown as not dispatchable)
        Certificate.objects.create(
            staff=staff,
            name="养老护理员职业技能等级证书",
            level=ctx.rng.choice(["五级/初级工", "四级/中级工", "三级/高级工"]),
            number=f"CZ{ctx.rng.randint(10**9, 10**10 - 1)}",
            valid_from=date(2023, 3, 1),
            valid_until=date(2025, 12, 31) if expired else date(2028, 3, 1),
        )
        Certificate.objects.create(
            staff=staff,
            name="健康证",
            valid_from=date(2026, 1, 5),
            valid_until=date(2025, 12, 31) if expired else date(2027, 1, 4),
        )
    return org


def seed(ctx: Any) -> str:
    items = _catalog()
    if Organisation.objects.filter(admins__username="provider_admin").exists():
        return f"服务目录新增 {items} 项；演示服务机构已存在，跳过"
    admin = ctx.user("provider_admin")
    caregiver = ctx.user("caregiver")
    a = _organisation(
        ctx,
        name="广陵区颐康居家养老服务中心",
        county=COUNTY_A,
        org_type="home_service",
        admin=admin,
        staff_n=10,
        caregiver=caregiver,
    )
    _organisation(
        ctx, name="邗江区安馨社区养老服务站", county=COUNTY_B, org_type="station", admin=None, staff_n=4
    )
    staff = a.staff.count()
    items_n = ServiceItem.objects.count()
    return f"服务目录 {items_n} 项；服务机构 2 家（{a.name} {staff} 名服务人员，含 caregiver）"
