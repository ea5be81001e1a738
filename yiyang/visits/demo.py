"""Demo 探访关爱: every elder classified by the default rule set (with reasons), this month's plan for
every community with classed (or 特困) elders, and visits for part of what is due so far in the demo
county (广陵区) — some by phone, some in person near the home, a few with nobody seen or a hazard."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from yiyang.regions.scope import SYSTEM
from yiyang.visits import services
from yiyang.visits.models import PlanItem, RiskStatus, VisitPlan
from yiyang.visits.rules import period_of

COUNTY = "321002"


def seed(ctx: Any) -> str:
    today = timezone.localdate()
    period = period_of(today)
    if VisitPlan.objects.filter(period=period).exists():
        return f"{period} 探访计划已存在（{VisitPlan.objects.filter(period=period).count()} 个社区），跳过"
    result = services.risk_reclassify_all(actor=SYSTEM)
    communities = sorted(
        set(RiskStatus.objects.filter(risk_class__in=["A", "B", "C"]).values_list("region_code", flat=True))
        | set(RiskStatus.objects.filter(tekun=True).values_list("region_code", flat=True))
    )
    for code in communities:
        services.plan_generate(actor=SYSTEM, region_code=code, period=period)
    rng = random.Random(ctx.seed * 7919)
    due = list(
        PlanItem.objects.filter(plan__period=period, region_code__startswith=COUNTY, slot_start__lte=today)
        .select_related("elder", "visitor")
        .order_by("pk")
    )
    visits = 0
    for item in due:
        if rng.random() > 0.7:
            continue  # left undone: the overdue list has something to show
        day = item.slot_start + timedelta(
            days=rng.randint(0, max(0, (min(item.slot_end, today) - item.slot_start).days))
        )
        at = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45]))))
        if at > timezone.now():
            at = timezone.now() - timedelta(minutes=rng.randint(5, 120))
        in_person = rng.random() < 0.4 and item.elder.lat is not None
        seen = rng.random() > 0.08
        hazards = ["gas"] if seen and rng.random() < 0.05 else []
        services.visit_record(
            actor=item.visitor or SYSTEM,
            elder=item.elder,
            method="in_person" if in_person else rng.choice(["phone", "phone", "video"]),
            visited_at=at,
            seen=seen,
            findings={
                "health": rng.choice(["good", "good", "fair", "poor"]),
                "mood": rng.choice(["good", "good", "low"]),
                "food": "enough",
                "medicine": rng.choice(["enough", "na"]),
                "hazards": hazards,
            }
            if seen
            else {},
            lat=(item.elder.lat or 0) + rng.uniform(-0.0005, 0.0005) if in_person else None,
            lng=(item.elder.lng or 0) + rng.uniform(-0.0005, 0.0005) if in_person else None,
        )
        visits += 1
    return (
        f"风险分类 A {result.get('A', 0)}、B {result.get('B', 0)}、C {result.get('C', 0)} 人；"
        f"{period} 探访计划 {len(communities)} 个社区；演示探访 {visits} 次"
    )
