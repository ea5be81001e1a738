from __future__ import annotations

import json
import random
from argparse import ArgumentParser
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from yiyang.demo.accounts import DemoAccount, build_accounts, existing_accounts
from yiyang.demo.city import build_city
from yiyang.demo.steps import DemoContext, load_steps


class Command(BaseCommand):
    help = (
        "Build the demo city (扬州市, synthetic streets and communities), one login per role, and demo data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--elders", type=int, default=2000, help="synthetic elders to generate")
        parser.add_argument("--reset-passwords", action="store_true", help="issue new demo passwords")

    def handle(self, *args: Any, **opts: Any) -> None:
        out = Path(settings.VAR_DIR) / "demo_accounts.json"
        rng = random.Random(opts["seed"])
        city = build_city(rng)
        if existing_accounts() and out.exists() and not opts["reset_passwords"]:
            accounts = [
                DemoAccount(**{k: a[k] for k in DemoAccount.__dataclass_fields__})
                for a in json.loads(out.read_text(encoding="utf-8"))
            ]
            self.stdout.write("演示账户已存在，保留原数据与密码")
        else:
            accounts = build_accounts(random.Random(opts["seed"] * 7919), city)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(
                json.dumps([asdict(a) for a in accounts], ensure_ascii=False, indent=2), encoding="utf-8"
            )
        ctx = DemoContext(
            seed=opts["seed"], rng=rng, city=city, accounts=accounts, options={"elders": opts["elders"]}
        )
        for name, step in load_steps():
            summary = step(ctx)
            self.stdout.write(f"[{name}] {summary}")
        self.stdout.write(self.style.SUCCESS(f"演示登录（已写入 {out}）："))
        for a in accounts:
            self.stdout.write(f"  {a.role:<17} {a.username:<17} {a.password}  区域 {a.region_code}")
