"""The demo's 探访关爱: classes with reasons, a month's plan for every classed elder, some visits; re-runnable."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from yiyang.visits import demo
from yiyang.visits.models import PlanItem, RiskStatus, Visit
from yiyang.visits.tests.factories import elder

pytestmark = pytest.mark.django_db


def test_demo_classifies_plans_and_visits(cast: Any) -> None:
    elders = [elder(cast, age=85, living="alone") for _ in range(3)] + [elder(cast, living="empty_nest")]
    elder(cast, living="with_children")
    RiskStatus.objects.all().delete()  # as after a bulk import: the demo step classifies
    summary = demo.seed(SimpleNamespace(seed=1))
    assert "探访计划" in summary
    statuses = RiskStatus.objects.filter(risk_class__in=["A", "B", "C"])
    assert statuses.count() == 4 and all(s.reasons for s in statuses)
    assert {i.elder_id for i in PlanItem.objects.all()} == {e.pk for e in elders}
    assert Visit.objects.count() >= 1
    again = demo.seed(SimpleNamespace(seed=1))
    assert "跳过" in again
