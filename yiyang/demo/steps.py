"""Seeding steps of the apps, run in order after the city and the accounts exist.

Each step is ``fn(ctx: DemoContext) -> str`` (a one-line summary) and must be idempotent: it skips what
is already there, so ``make demo`` can be re-run and keeps the data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from yiyang.demo.accounts import DemoAccount
from yiyang.demo.city import City


@dataclass
class DemoContext:
    seed: int
    rng: random.Random
    city: City
    accounts: list[DemoAccount]
    options: dict[str, Any] = field(default_factory=dict)

    def user(self, username: str) -> Any:
        from yiyang.accounts.models import User

        return User.objects.get(username=username)


# Each module defines ``seed(ctx: DemoContext) -> str``; run in this order.
STEP_MODULES = [
    "yiyang.elders.demo",
    "yiyang.assessments.demo",
    "yiyang.providers.demo",
    "yiyang.orders.demo",
    "yiyang.benefits.demo",
    "yiyang.hotline.demo",
    "yiyang.renovation.demo",
    "yiyang.devices.demo",
    "yiyang.planning.demo",
    "yiyang.visits.demo",
    "yiyang.analytics.demo",
]


def load_steps() -> list[tuple[str, Callable[[DemoContext], str]]]:
    import importlib

    steps = []
    for name in STEP_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        steps.append((name.split(".")[1], module.seed))
    return steps
