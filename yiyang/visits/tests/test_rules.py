"""Every class and every reason of the default rule set, through the risk endpoint's selector."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from yiyang.visits import rules as R
from yiyang.visits.selectors import risk_of
from yiyang.visits.tests.factories import elder, make_visit

pytestmark = pytest.mark.django_db

CASES = [
    # (living, age, categories, disabled) → class, rule
    ("alone", 70, [], True, "A", "A1"),
    ("left_behind", 82, [], False, "A", "A1"),
    ("alone", 66, [{"category": "disabled", "disability_grade": 1}], False, "A", "A1"),
    ("alone", 66, [{"category": "disabled", "disability_grade": 3}], False, "B", "B1"),
    ("alone", 66, [], False, "B", "B1"),
    ("left_behind", 61, [], False, "B", "B1"),
    ("empty_nest", 81, [], False, "B", "B2"),
    ("empty_nest", 70, [], True, "B", "B2"),
    ("empty_nest", 70, [{"category": "disabled", "disability_grade": 2}], False, "B", "B2"),
    ("with_children", 80, ["family_planning_special"], False, "B", "B3"),
    ("with_children", 70, ["family_planning_special"], True, "B", "B3"),
    ("empty_nest", 70, [], False, "C", "C1"),
    ("with_children", 70, [], True, "C", "C1"),
    ("with_spouse", 70, [{"category": "disabled", "disability_grade": 2}], False, "C", "C1"),
    ("with_children", 70, ["family_planning_special"], False, "C", "C1"),
    ("with_children", 85, [], False, None, "none.groups"),
    ("with_spouse", 70, ["dibao"], False, None, "none.groups"),
    ("alone", 59, [], True, None, "none.age"),
]


@pytest.mark.parametrize(("living", "age", "categories", "disabled", "klass", "rule"), CASES)
def test_default_rules(
    cast: Any, living: str, age: int, categories: list[Any], disabled: bool, klass: Any, rule: str
) -> None:
    e = elder(cast, age=age, living=living, categories=categories, disabled=disabled)
    risk = risk_of(e)
    assert (risk.risk_class or None) == klass
    assert risk.reasons[0]["rule"] == rule
    assert risk.reasons[0]["message"]


def test_deceased_has_no_class(cast: Any) -> None:
    from yiyang.elders.services import elder_change_status

    e = elder(cast, age=85, living="alone")
    assert risk_of(e).risk_class == "A"
    elder_change_status(
        actor=cast.county_admin_a,
        elder=e,
        status="deceased",
        effective_date=timezone.localdate(),
        reason="病故",
    )
    e.refresh_from_db()
    risk = risk_of(e)
    assert risk.risk_class == ""
    assert risk.reasons == [{"rule": "none.status", "message": "已故或已迁出，不再分类"}]


def test_expired_category_does_not_count(cast: Any) -> None:
    old = timezone.localdate() - timedelta(days=10)
    e = elder(cast, categories=[{"category": "family_planning_special", "valid_to": old.isoformat()}])
    assert risk_of(e).risk_class == ""


def test_alarm_raises_one_class(cast: Any) -> None:
    from yiyang.devices.tests.factories import make_alarm

    e = elder(cast, living="empty_nest")  # C
    assert risk_of(e).risk_class == "C"
    alarm = make_alarm(cast.community_a1)
    alarm.elder = e
    alarm.kind = "fall"
    alarm.raised_at = timezone.now() - timedelta(days=3)
    alarm.save()
    risk = risk_of(e)
    assert risk.risk_class == "B"
    assert [r["rule"] for r in risk.reasons] == ["C1", "raise.alarm"]
    assert "C类→B类" in risk.reasons[1]["message"]


def test_old_or_device_only_alarms_do_not_raise(cast: Any) -> None:
    from yiyang.devices.tests.factories import make_alarm

    e = elder(cast, age=66, living="alone")  # B
    old = make_alarm(cast.community_a1)
    old.elder, old.kind, old.raised_at = e, "fall", timezone.now() - timedelta(days=31)
    old.save()
    battery = make_alarm(cast.community_a1)
    battery.elder, battery.kind, battery.raised_at = e, "low_battery", timezone.now()
    battery.save()
    assert risk_of(e).risk_class == "B"


def test_emergency_incident_raises_b_to_a(cast: Any) -> None:
    from yiyang.hotline.tests.factories import make_incident

    e = elder(cast, age=66, living="alone")
    make_incident(cast.community_a1, elder=e, status="closed")
    risk = risk_of(e)
    assert risk.risk_class == "A"
    assert risk.reasons[-1]["rule"] == "raise.alarm"
    assert "紧急呼援" in risk.reasons[-1]["message"]


def test_open_hazard_raises_until_a_later_visit_finds_none(cast: Any) -> None:
    e = elder(cast, living="empty_nest")
    make_visit(cast, e, hazards=["gas"], days_ago=2)
    risk = risk_of(e)
    assert risk.risk_class == "B"
    assert risk.reasons[-1]["rule"] == "raise.hazard"
    assert "燃气隐患" in risk.reasons[-1]["message"]
    make_visit(cast, e, hazards=[])
    assert risk_of(e).risk_class == "C"


def test_a_stays_a_and_no_class_is_not_raised(cast: Any) -> None:
    a = elder(cast, age=85, living="alone")
    make_visit(cast, a, hazards=["wiring"])
    assert risk_of(a).risk_class == "A"
    none = elder(cast, living="with_children")
    make_visit(cast, none, hazards=["wiring"])
    assert risk_of(none).risk_class == ""


def test_override_wins_until_it_expires(cast: Any) -> None:
    from yiyang.visits.models import RiskOverride
    from yiyang.visits.services import risk_override

    e = elder(cast, living="empty_nest")
    risk_override(
        actor=cast.community_worker_a1, elder=e, risk_class="A", reason="近期独自在家，女儿外出务工"
    )
    risk = risk_of(e)
    assert (risk.risk_class, risk.overridden, risk.computed_class) == ("A", True, "C")
    assert risk.reasons[0]["rule"] == "override"
    RiskOverride.objects.filter(elder=e).update(expires_on=timezone.localdate() - timedelta(days=1))
    assert (risk_of(e).risk_class, risk_of(e).overridden) == ("C", False)


def test_rule_set_of_a_region_replaces_the_default(cast: Any) -> None:
    from yiyang.visits.services import ruleset_publish

    e = elder(cast, living="empty_nest")
    rules = [*R.DEFAULT_RULES[:-1], {"code": "B9", "class": "B", "name": "空巢", "when": [["empty_nest"]]}]
    rs = ruleset_publish(actor=cast.city_admin, region_code=cast.city.code, rules=rules)
    risk = risk_of(e)
    assert (risk.risk_class, risk.reasons[0]["rule"], risk.rule_set) == ("B", "B9", rs)


def test_bad_rules_are_refused_naming_the_rule() -> None:
    errors = R.check_rules([{"code": "X", "class": "D", "name": "", "when": [["nope"]]}])
    assert set(errors) == {"rules[0].class", "rules[0].name", "rules[0].when[0]"}


def test_slots_per_month() -> None:
    from datetime import date

    assert len(R.slots(date(2026, 7, 1), date(2026, 7, 31), 7)) == 4
    assert len(R.slots(date(2026, 7, 1), date(2026, 7, 31), 14)) == 2
    assert len(R.slots(date(2026, 2, 1), date(2026, 2, 28), 30)) == 1
    assert R.slots(date(2026, 6, 20), date(2026, 6, 30), 30) == [(date(2026, 6, 20), date(2026, 6, 30))]
    weeks = R.slots(date(2026, 7, 1), date(2026, 7, 31), 7)
    assert weeks[0][0] == date(2026, 7, 1) and weeks[-1][1] == date(2026, 7, 31)
    assert all(b + timedelta(days=1) == c for (_, b), (c, _) in itertools.pairwise(weeks))
