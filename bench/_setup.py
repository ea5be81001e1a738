"""Shared set-up for the elder benchmarks: Django on ``DATABASE_URL`` (PostgreSQL), migrated, with the demo
city and a city-wide importer account."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("设置 DATABASE_URL=postgres://… 后再运行（基准针对 PostgreSQL）")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def city_and_importer() -> tuple[Any, Any]:
    from yiyang.accounts.models import User
    from yiyang.accounts.services import user_create
    from yiyang.demo.city import build_city

    city = build_city(random.Random(1))
    user = User.objects.filter(username="bench_importer").first() or user_create(
        username="bench_importer",
        password="Bench-Only-2026!x",
        display_name="基准导入",
        grants=[("city_admin", "321000000000")],
    )
    return city, user


def truncate_elders() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE elders_eldercategory, elders_eldercontact, elders_elderstatuschange, "
            "elders_elder RESTART IDENTITY CASCADE"
        )


def write_csv(path: Path, n: int, city: Any, seed: int = 7) -> None:
    import csv

    from yiyang.elders.choices import LivingSituation
    from yiyang.elders.demo import synthetic_people
    from yiyang.elders.importing import COLUMNS

    labels = dict(LivingSituation.choices)
    from yiyang.elders.choices import Category

    cat_labels = dict(Category.choices)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([h for _, h, _, _ in COLUMNS])
        for p in synthetic_people(random.Random(seed), city.all_communities(), n, faker_seed=seed):
            w.writerow(
                [
                    p["name"],
                    p["id_number"],
                    p["phone"],
                    p["region"].code,
                    "",
                    p["address"],
                    p["lng"],
                    p["lat"],
                    labels[p["living_situation"]],
                    "、".join(cat_labels[c["category"]] for c in p["categories"]),
                    "",
                ]
            )
