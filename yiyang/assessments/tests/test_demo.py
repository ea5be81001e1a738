from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from yiyang.accounts.models import User
from yiyang.accounts.services import user_create
from yiyang.assessments import demo
from yiyang.assessments.models import Assessment, ExternalAssessmentResult, Status
from yiyang.assessments.services import policy_for
from yiyang.assessments.tests.factories import make_elder
from yiyang.demo.city import COUNTY_A


def _ctx(cast: Any) -> Any:
    for name, role in [
        ("assessor", "assessor"),
        ("assessor_2", "assessor"),
        ("county_admin", "county_admin"),
    ]:
        user_create(username=name, password=cast.password, display_name=name, grants=[(role, COUNTY_A)])
    city = SimpleNamespace(towns={COUNTY_A: [cast.street_a1]})
    return SimpleNamespace(
        seed=1, rng=random.Random(1), city=city, user=lambda n: User.objects.get(username=n)
    )


def test_demo_seed_builds_completed_and_waiting_assessments_idempotently(cast: Any) -> None:
    ctx = _ctx(cast)
    elders = {make_elder(cast, cast.community_a1).pk for _ in range(12)}
    summary = demo.seed(ctx)
    assert "已完成评估" in summary
    completed = Assessment.objects.filter(status=Status.COMPLETED)
    # What a visitor sees, elder by elder (not the seeder's arithmetic): each demo elder either waits
    # for an assessment or has a completed one, never both; some of the assessed show a history, an
    # earlier result from more than a year ago before the current one from within the year.
    waiting = set(
        Assessment.objects.filter(status__in=[Status.REQUESTED, Status.ASSIGNED]).values_list(
            "elder_id", flat=True
        )
    )
    dates: dict[int, list[Any]] = {}
    for elder_id, on in completed.order_by("assessed_on").values_list("elder_id", "assessed_on"):
        dates.setdefault(elder_id, []).append(on)
    assert waiting and dates and waiting.isdisjoint(dates) and waiting | set(dates) == elders
    histories = [d for d in dates.values() if len(d) > 1]
    today = timezone.localdate()
    assert histories and all(len(d) == 2 and (today - d[0]).days > 365 for d in histories)
    assert all((today - d[-1]).days <= 365 for d in dates.values())
    assert completed.count() == sum(len(d) for d in dates.values())
    assert len({a.final_level for a in completed}) >= 2
    assert Assessment.objects.filter(status__in=[Status.REQUESTED, Status.ASSIGNED]).exists()
    assert ExternalAssessmentResult.objects.count() == 2
    assert policy_for(cast.community_a1)["routine_interval_months"] == 6
    assert demo.seed(ctx) == "评估机构已存在，跳过"
    assert Assessment.objects.filter(status=Status.COMPLETED).count() == completed.count()


def test_demo_seed_without_elders_creates_no_assessments(cast: Any) -> None:
    summary = demo.seed(_ctx(cast))
    assert "没有广陵区的演示老人" in summary
    assert not Assessment.objects.exists()
