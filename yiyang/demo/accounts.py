"""One demo login per role (PRODUCT.md §1), written to var/demo_accounts.json for acceptance checks."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from yiyang.accounts.models import User
from yiyang.accounts.roles import Role
from yiyang.accounts.services import user_create
from yiyang.demo.city import CITY, COUNTY_A, COUNTY_B, City
from yiyang.regions.models import Region


@dataclass
class DemoAccount:
    username: str
    password: str
    role: str
    region_code: str
    display_name: str


def _password(rng: random.Random) -> str:
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
    return f"Yy-{body}-2026"


def build_accounts(rng: random.Random, city: City) -> list[DemoAccount]:
    town_a = city.towns[COUNTY_A][0]
    community_a = city.communities[town_a.code][0]
    plan = [
        ("city_admin", Role.CITY_ADMIN, CITY, "市民政局管理员"),
        ("county_admin", Role.COUNTY_ADMIN, COUNTY_A, "广陵区民政管理员"),
        ("county_admin_b", Role.COUNTY_ADMIN, COUNTY_B, "邗江区民政管理员"),
        ("county_admin_2", Role.COUNTY_ADMIN, COUNTY_A, "广陵区民政复核员"),
        ("street_worker", Role.STREET_WORKER, town_a.code, f"{town_a.name}工作人员"),
        ("community_worker", Role.COMMUNITY_WORKER, community_a.code, f"{community_a.name}社工"),
        ("assessor", Role.ASSESSOR, COUNTY_A, "评估员"),
        ("assessor_2", Role.ASSESSOR, COUNTY_A, "评估员二"),
        ("dispatcher", Role.DISPATCHER, COUNTY_A, "广陵区调度员"),
        ("operator", Role.OPERATOR, CITY, "12349 话务员"),
        ("provider_admin", Role.PROVIDER_ADMIN, COUNTY_A, "服务商管理员"),
        ("caregiver", Role.CAREGIVER, COUNTY_A, "护理员"),
        ("auditor", Role.AUDITOR, CITY, "审计员"),
        ("family", Role.FAMILY, community_a.code, "老人家属"),
        ("volunteer", Role.VOLUNTEER, community_a.code, f"{community_a.name}探访志愿者"),
    ]
    accounts: list[DemoAccount] = []
    regions = {r.code: r for r in Region.objects.filter(code__in=[p[2] for p in plan])}
    for username, role, region_code, display in plan:
        password = _password(rng)
        user_create(username=username, password=password, display_name=display, grants=[(role, region_code)])
        accounts.append(DemoAccount(username, password, str(role), regions[region_code].gb_code, display))
    return accounts


def existing_accounts() -> bool:
    return User.objects.filter(username="city_admin").exists()
