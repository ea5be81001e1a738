"""Every eligibility rule of STANDARDS.md §4 (pure rules, then through the API against the register)."""

from __future__ import annotations

from datetime import date

import pytest

from yiyang.renovation.choices import Feb29Rule
from yiyang.renovation.eligibility import (
    CapabilityFact,
    CategoryFact,
    EarlierGrant,
    Facts,
    Rules,
    evaluate,
    reaches_age,
)

RULES = Rules(
    target_categories=("tekun_dispersed", "poverty_monitor"),
    accepted_levels={"gbt42195": [2, 3, 4], "ltc2021": [3, 4, 5]},
)
ON = date(2026, 11, 1)
OLD = date(1940, 1, 1)
YOUNG = date(1960, 1, 1)


def run(
    facts: Facts,
    *,
    rules: Rules = RULES,
    on: date = ON,
    housing: bool | None = True,
    demolition: bool | None = False,
):
    verdict = evaluate(rules=rules, facts=facts, on=on, housing_right=housing, in_demolition_plan=demolition)
    return verdict, {r.code: r.passed for r in verdict.rules}


def test_rule_codes_and_order_are_the_contract() -> None:
    verdict, _ = run(Facts(OLD, (CategoryFact("tekun_dispersed"),)))
    assert [r.code for r in verdict.rules] == [
        "target_category",
        "age_80",
        "disabled_capability",
        "disability_certificate",
        "one_of_age_capability_certificate",
        "housing_right",
        "not_demolition",
        "not_already_subsidised",
    ]
    assert verdict.eligible and verdict.earlier_grant is None
    assert all(r.reason for r in verdict.rules)


@pytest.mark.parametrize(
    ("category", "ok"),
    [
        ("tekun_dispersed", True),
        ("poverty_monitor", True),
        ("tekun_centralised", False),
        ("dibao", False),
        ("disabled", False),
    ],
)
def test_target_category(category: str, ok: bool) -> None:
    verdict, passed = run(Facts(OLD, (CategoryFact(category, certificate="second"),)))
    assert passed["target_category"] is ok
    assert verdict.eligible is ok


def test_target_category_counts_only_on_the_application_date() -> None:
    expired = CategoryFact("tekun_dispersed", valid_to=date(2026, 10, 31))
    future = CategoryFact("poverty_monitor", valid_from=date(2026, 11, 2))
    verdict, passed = run(Facts(OLD, (expired, future)))
    assert not passed["target_category"] and not verdict.eligible
    _, passed = run(Facts(OLD, (CategoryFact("tekun_dispersed", valid_to=ON),)))
    assert passed["target_category"]


def test_programme_may_add_targets() -> None:
    rules = Rules(target_categories=("tekun_dispersed", "poverty_monitor", "dibao"))
    verdict, passed = run(Facts(OLD, (CategoryFact("dibao"),)), rules=rules)
    assert passed["target_category"] and verdict.eligible


@pytest.mark.parametrize(
    ("birth", "on", "ok"),
    [
        (date(1946, 11, 1), date(2026, 11, 1), True),  # the 80th birthday itself
        (date(1946, 11, 2), date(2026, 11, 1), False),  # one day short
        (date(1946, 10, 31), date(2026, 11, 1), True),
        (date(1930, 5, 5), date(2026, 11, 1), True),
        (date(1990, 1, 1), date(1980, 1, 1), False),  # application before birth: never aged
    ],
)
def test_age_80_by_the_birth_date(birth: date, on: date, ok: bool) -> None:
    _, passed = run(Facts(birth, (CategoryFact("tekun_dispersed"),)), on=on)
    assert passed["age_80"] is ok
    assert passed["one_of_age_capability_certificate"] is ok


@pytest.mark.parametrize(
    ("rule", "on", "ok"),
    [
        # born 29 Feb 1944; 2024 is a leap year: the birthday exists
        (Feb29Rule.MAR1, date(2024, 2, 28), False),
        (Feb29Rule.MAR1, date(2024, 2, 29), True),
        (Feb29Rule.FEB28, date(2024, 2, 28), False),
        (Feb29Rule.FEB28, date(2024, 2, 29), True),
    ],
)
def test_feb29_birth_in_a_leap_year(rule: str, on: date, ok: bool) -> None:
    assert reaches_age(date(1944, 2, 29), on, 80, rule)[0] is ok


@pytest.mark.parametrize(
    ("rule", "on", "ok"),
    [
        # 80 is a multiple of 4, so an 80th birthday of a 29 February birth always falls in a leap year
        # (1904–2096); the rule shows with a programme's other age: born 29 Feb 1956, aged 70 in 2026
        (Feb29Rule.MAR1, date(2026, 2, 28), False),
        (Feb29Rule.MAR1, date(2026, 3, 1), True),
        (Feb29Rule.FEB28, date(2026, 2, 27), False),
        (Feb29Rule.FEB28, date(2026, 2, 28), True),
    ],
)
def test_feb29_birth_in_a_non_leap_year_is_configurable(rule: str, on: date, ok: bool) -> None:
    rules = Rules(target_categories=("tekun_dispersed",), feb29_rule=rule, age_threshold=70)
    _, passed = run(Facts(date(1956, 2, 29), (CategoryFact("tekun_dispersed"),)), rules=rules, on=on)
    assert passed["age_80"] is ok


def test_feb29_birth_aged_80_and_after() -> None:
    facts = Facts(date(1944, 2, 29), (CategoryFact("tekun_dispersed"),))
    for rule in Feb29Rule.values:
        rules = Rules(target_categories=("tekun_dispersed",), feb29_rule=rule)
        assert run(facts, rules=rules, on=date(2024, 2, 28))[1]["age_80"] is False
        assert run(facts, rules=rules, on=date(2024, 2, 29))[1]["age_80"] is True
        assert run(facts, rules=rules, on=date(2025, 2, 28))[1]["age_80"] is True  # 80, not yet 81


def test_age_threshold_is_the_programmes() -> None:
    rules = Rules(target_categories=("tekun_dispersed",), age_threshold=70)
    _, passed = run(Facts(date(1956, 11, 1), (CategoryFact("tekun_dispersed"),)), rules=rules)
    assert passed["age_80"]


def tekun6(unable: int | None = None, level: int | None = None, **kw) -> CapabilityFact:
    return CapabilityFact("tekun6", level, kw.pop("assessed_on", date(2026, 6, 1)), unable_items=unable, **kw)


@pytest.mark.parametrize(
    ("unable", "ok"), [(6, True), (5, True), (4, True), (3, False), (1, False), (0, False)]
)
def test_tekun_six_item_rule_four_or_more_not_achievable(unable: int, ok: bool) -> None:
    facts = Facts(YOUNG, (CategoryFact("poverty_monitor"),), (tekun6(unable),))
    verdict, passed = run(facts)
    assert passed["disabled_capability"] is ok
    assert passed["age_80"] is False and passed["disability_certificate"] is False
    assert verdict.eligible is ok


def test_tekun_six_item_level_without_answers() -> None:
    _, passed = run(Facts(YOUNG, (CategoryFact("poverty_monitor"),), (tekun6(level=2),)))
    assert passed["disabled_capability"]
    _, passed = run(Facts(YOUNG, (CategoryFact("poverty_monitor"),), (tekun6(level=1),)))
    assert not passed["disabled_capability"]


@pytest.mark.parametrize(
    ("standard", "level", "ok"),
    [
        ("gbt42195", 2, True),
        ("gbt42195", 1, False),
        ("ltc2021", 3, True),
        ("ltc2021", 2, False),
        ("mzt039", 3, False),
    ],
)
def test_accepted_assessment_levels(standard: str, level: int, ok: bool) -> None:
    cap = CapabilityFact(standard, level, date(2026, 6, 1), date(2027, 6, 1))
    _, passed = run(Facts(YOUNG, (CategoryFact("poverty_monitor"),), (cap,)))
    assert passed["disabled_capability"] is ok


def test_expired_or_later_assessment_does_not_count() -> None:
    expired = CapabilityFact("gbt42195", 3, date(2024, 1, 1), date(2025, 1, 1))
    later = CapabilityFact("gbt42195", 3, date(2026, 12, 1), date(2027, 12, 1))
    _, passed = run(Facts(YOUNG, (CategoryFact("poverty_monitor"),), (expired, later)))
    assert not passed["disabled_capability"]


def test_dispersed_tekun_already_recorded_as_disabled_needs_no_reassessment() -> None:
    expired = tekun6(4, assessed_on=date(2020, 1, 1), valid_until=date(2021, 1, 1))
    verdict, passed = run(Facts(YOUNG, (CategoryFact("tekun_dispersed"),), (expired,)))
    assert passed["disabled_capability"] and verdict.eligible
    assert "无需重新评估" in verdict.rules[2].reason
    # the same expired record does not count for a 建档立卡 elder
    _, passed = run(Facts(YOUNG, (CategoryFact("poverty_monitor"),), (expired,)))
    assert not passed["disabled_capability"]


@pytest.mark.parametrize(
    ("certificate", "ok"), [("second", True), ("third", True), ("", False), ("first", False)]
)
def test_disability_certificate_generation(certificate: str, ok: bool) -> None:
    facts = Facts(YOUNG, (CategoryFact("poverty_monitor"), CategoryFact("disabled", certificate=certificate)))
    verdict, passed = run(facts)
    assert passed["disability_certificate"] is ok
    assert passed["one_of_age_capability_certificate"] is ok
    assert verdict.eligible is ok


def test_disability_certificate_must_be_valid_on_the_date() -> None:
    facts = Facts(
        YOUNG,
        (
            CategoryFact("poverty_monitor"),
            CategoryFact("disabled", valid_to=date(2025, 1, 1), certificate="third"),
        ),
    )
    _, passed = run(facts)
    assert not passed["disability_certificate"]


def test_none_of_age_capability_certificate() -> None:
    verdict, passed = run(Facts(YOUNG, (CategoryFact("tekun_dispersed"),)))
    assert not passed["one_of_age_capability_certificate"] and not verdict.eligible
    assert [r.code for r in verdict.failing()] == ["one_of_age_capability_certificate"]


@pytest.mark.parametrize(("housing", "ok"), [(True, True), (False, False), (None, False)])
def test_housing_right(housing: bool | None, ok: bool) -> None:
    verdict, passed = run(Facts(OLD, (CategoryFact("tekun_dispersed"),)), housing=housing)
    assert passed["housing_right"] is ok and verdict.eligible is ok


@pytest.mark.parametrize(("demolition", "ok"), [(False, True), (True, False), (None, False)])
def test_not_demolition(demolition: bool | None, ok: bool) -> None:
    verdict, passed = run(Facts(OLD, (CategoryFact("tekun_dispersed"),)), demolition=demolition)
    assert passed["not_demolition"] is ok and verdict.eligible is ok


def test_already_subsidised_names_the_earlier_grant() -> None:
    grant = EarlierGrant("external", "x", "残疾人家庭无障碍改造", 2024, "granted", "已补贴", "残联：")
    verdict, passed = run(Facts(OLD, (CategoryFact("tekun_dispersed"),), earlier_grants=(grant,)))
    assert not passed["not_already_subsidised"] and not verdict.eligible
    assert verdict.earlier_grant is grant
    assert "残疾人家庭无障碍改造" in verdict.rules[-1].reason
    assert verdict.as_dict()["earlier_grant"]["name"] == "残疾人家庭无障碍改造"


def test_every_failure_is_listed_at_once() -> None:
    verdict, _ = run(Facts(YOUNG, (CategoryFact("dibao"),)), housing=False, demolition=True)
    assert {r.code for r in verdict.failing()} == {
        "target_category",
        "one_of_age_capability_certificate",
        "housing_right",
        "not_demolition",
    }
