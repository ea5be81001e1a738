"""The demo's community facilities: one for every third community, idempotent, counted by coverage."""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import pytest

from yiyang.planning import demo
from yiyang.providers.models import Facility

pytestmark = pytest.mark.django_db


def test_every_third_community_gets_a_facility_once(cast: Any) -> None:
    communities = [cast.community_a1, cast.community_b1, cast.community_b1]
    ctx = SimpleNamespace(rng=random.Random(1), city=SimpleNamespace(all_communities=lambda: communities))
    assert "1 处" in demo.seed(ctx)
    facility = Facility.objects.get()
    assert facility.name == "文昌社区养老服务站"
    assert facility.organisation.org_type == "station"
    assert abs(facility.lat - cast.community_a1.lat) <= 0.002
    assert "0 处" in demo.seed(ctx)  # a second run adds nothing
    assert Facility.objects.count() == 1
