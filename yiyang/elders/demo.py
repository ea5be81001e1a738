"""Synthetic elders for the demo city (and the benchmarks): deterministic, realistic shares, valid IDs.

Shares: ages 60+ on a declining pyramid with about 15% aged 80+; living situation 独居 ~12%, 空巢 ~40%;
categories 特困 ~1.5%, 低保 ~4%, 低保边缘 ~2%, 残疾 ~6%, 计生特殊 ~1%, 防返贫监测 ~1%, 优抚 ~1%.
Birthplaces are mostly the elder's own Yangzhou county, some other Yangzhou counties, a few revoked
codes (邗江县 321027, 江都县 321026, 维扬区 321011) and a few other provinces. Everyone is fictitious.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from yiyang.core.identifiers import mask_address, mask_id_number, mask_phone, resident_id_check_char
from yiyang.core.pii import encrypt
from yiyang.elders.choices import Category, LivingSituation
from yiyang.elders.identity import id_number_index, phone_index, phone_tail_index

YANGZHOU = ["321002", "321003", "321012", "321023", "321081", "321084"]
HISTORICAL = ["321027", "321026", "321011"]
ELSEWHERE = ["320106", "320583", "321202", "340102", "370102", "330106"]
LIVING_WEIGHTS = [
    (LivingSituation.ALONE, 12),
    (LivingSituation.EMPTY_NEST, 40),
    (LivingSituation.LEFT_BEHIND, 3),
    (LivingSituation.WITH_SPOUSE, 12),
    (LivingSituation.WITH_CHILDREN, 27),
    (LivingSituation.WITH_OTHERS, 4),
    (LivingSituation.INSTITUTION, 2),
]
CATEGORY_RATES = [
    (Category.TEKUN_DISPERSED, 0.012),
    (Category.TEKUN_CENTRALISED, 0.003),
    (Category.DIBAO, 0.04),
    (Category.DIBAO_EDGE, 0.02),
    (Category.POVERTY_MONITOR, 0.01),
    (Category.FAMILY_PLANNING, 0.01),
    (Category.DISABLED, 0.06),
    (Category.PRIORITY_CARE, 0.01),
]
DISABILITY_KINDS = ["肢体", "视力", "听力", "言语", "智力", "精神", "多重"]
MOBILE_PREFIXES = ["138", "139", "137", "151", "152", "158", "159", "187", "188", "180", "189", "133", "153"]
AGE_DECAY = 11.5  # years; gives ~15% aged 80+ among 60–104


def _age_weights() -> tuple[list[int], list[float]]:
    ages = list(range(60, 105))
    return ages, [math.exp(-(a - 60) / AGE_DECAY) for a in ages]


def synthetic_people(
    rng: random.Random,
    communities: list[Any],
    n: int,
    *,
    today: date | None = None,
    weights: list[float] | None = None,
    faker_seed: int = 1,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` fictitious people as plain values (clear ID, phone, address; region; categories)."""
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(faker_seed)
    today = today or date.today()
    ages, age_w = _age_weights()
    living, living_w = zip(*LIVING_WEIGHTS, strict=True)
    used: set[str] = set()
    streets = [fake.street_name() for _ in range(200)]
    for _ in range(n):
        region = rng.choices(communities, weights=weights)[0] if weights else rng.choice(communities)
        county = region.code[:6]
        r = rng.random()
        birthplace = (
            county
            if r < 0.82
            else rng.choice(YANGZHOU)
            if r < 0.94
            else rng.choice(HISTORICAL)
            if r < 0.97
            else rng.choice(ELSEWHERE)
        )
        age = rng.choices(ages, weights=age_w)[0]
        birth = today - timedelta(days=int(age * 365.25) + rng.randrange(0, 365))
        sex = "M" if rng.random() < 0.46 else "F"
        while True:
            order = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{birthplace}{birth:%Y%m%d}{order:03d}"
            if first17 not in used:
                used.add(first17)
                break
        number = first17 + resident_id_check_char(first17)
        name = fake.last_name() + (fake.first_name_male() if sex == "M" else fake.first_name_female())
        phone = (rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}") if rng.random() < 0.9 else ""
        building = (
            f"{rng.randrange(1, 300)}号{rng.randrange(1, 30)}幢{rng.randrange(1, 6)}0{rng.randrange(1, 4)}室"
        )
        address = f"{region.name}{rng.choice(streets)}{building}"
        lat = (region.lat or 32.39) + rng.gauss(0, 0.004)
        lng = (region.lng or 119.42) + rng.gauss(0, 0.005)
        categories: list[dict[str, Any]] = []
        for cat, rate in CATEGORY_RATES:
            if rng.random() < rate:
                item: dict[str, Any] = {
                    "category": cat,
                    "valid_from": today - timedelta(days=rng.randrange(30, 3000)),
                }
                if cat == Category.DISABLED:
                    item.update(
                        disability_certificate=rng.choice(["third", "third", "second"]),
                        disability_kind=rng.choice(DISABILITY_KINDS),
                        disability_grade=rng.randint(1, 4),
                    )
                categories.append(item)
        yield {
            "name": name,
            "id_number": number,
            "birth_date": date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            "sex": sex,
            "phone": phone,
            "region": region,
            "address": address,
            "lat": round(lat, 6),
            "lng": round(lng, 6),
            "living_situation": rng.choices(living, weights=living_w)[0],
            "categories": categories,
        }


def seed(ctx: Any) -> str:
    from django.db import transaction

    from yiyang.elders.models import Elder, ElderCategory

    n = int(ctx.options.get("elders", 2000))
    communities = ctx.city.all_communities()
    if not communities:
        return "没有社区，跳过老人"
    existing = Elder.objects.filter(region__code__startswith="3210").count()
    if existing:
        _link_family(ctx)
        return f"已有 {existing} 位老人，跳过"
    weights = [4.0 if c.code.startswith("321002") else 1.0 for c in communities]
    rng = random.Random(ctx.seed * 104729)
    batch: list[Elder] = []
    cats: list[tuple[int, dict[str, Any]]] = []
    created = 0

    def flush() -> None:
        Elder.objects.bulk_create(batch)
        if batch and batch[0].pk is None:
            ids = dict(
                Elder.objects.filter(id_number_hash__in=[e.id_number_hash for e in batch]).values_list(
                    "id_number_hash", "pk"
                )
            )
            for e in batch:
                e.pk = e.id = ids[e.id_number_hash]
        ElderCategory.objects.bulk_create([ElderCategory(elder_id=batch[i].pk, **c) for i, c in cats])

    with transaction.atomic():
        for p in synthetic_people(rng, communities, n, weights=weights, faker_seed=ctx.seed):
            digits = p["phone"]
            elder = Elder(
                name=p["name"],
                id_number_enc=encrypt(p["id_number"]),
                id_number_hash=id_number_index(p["id_number"]),
                id_number_masked=mask_id_number(p["id_number"]),
                birth_date=p["birth_date"],
                sex=p["sex"],
                phone_enc=encrypt(digits),
                phone_hash=phone_index(digits) if digits else "",
                phone_tail_hash=phone_tail_index(digits[-4:]) if digits else "",
                phone_masked=mask_phone(digits) if digits else "",
                region=p["region"],
                address_enc=encrypt(p["address"]),
                address_masked=mask_address(p["address"]),
                lat=p["lat"],
                lng=p["lng"],
                living_situation=p["living_situation"],
            )
            cats.extend((len(batch), c) for c in p["categories"])
            batch.append(elder)
            if len(batch) >= 1000:
                flush()
                created += len(batch)
                batch, cats = [], []
        flush()
        created += len(batch)
        linked = _link_family(ctx)
    in_a = Elder.objects.filter(region__code__startswith="321002").count()
    return f"{created} 位老人（广陵区 {in_a}），家属账户关联 {linked} 位"


def _link_family(ctx: Any) -> int:
    """The demo ``family`` login is a contact (with the login) of 2–3 elders of community 321002001001."""
    from yiyang.accounts.models import User
    from yiyang.elders.choices import Relation
    from yiyang.elders.models import Elder, ElderContact

    family = User.objects.filter(username="family").first()
    if family is None:
        return 0
    if ElderContact.objects.filter(user=family).exists():
        return ElderContact.objects.filter(user=family).count()
    elders = list(Elder.objects.filter(region_id="321002001001").order_by("birth_date", "id")[:3])
    relations = [Relation.SON, Relation.DAUGHTER, Relation.GRANDCHILD]
    ElderContact.objects.bulk_create(
        [
            ElderContact(
                elder=e,
                name=family.display_name or "家属",
                relation=relations[i % 3],
                user=family,
                is_emergency=True,
                phone_enc=encrypt("13700001234"),
                phone_hash=phone_index("13700001234"),
                phone_masked=mask_phone("13700001234"),
            )
            for i, e in enumerate(elders)
        ]
    )
    return len(elders)
