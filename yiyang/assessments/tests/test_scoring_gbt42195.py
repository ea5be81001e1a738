"""GB/T 42195-2022 scoring tests. Expectations are written from STANDARDS.md §1 and Appendix A."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.assessments.scoring import STANDARDS, ScoreResult, ScoringError, describe, score

# §1.3 per-item maxima, copied from the spec (not from the engine).
MAXIMA: dict[str, int] = {
    **{f"B1.{i}": 4 for i in range(1, 9)},
    "B2.1": 4,
    "B2.2": 4,
    "B2.3": 4,
    "B2.4": 3,
    **{f"B3.{i}": 4 for i in range(1, 7)},
    "B3.7": 1,
    "B3.8": 1,
    "B3.9": 2,
    "B4.1": 2,
    "B4.2": 2,
    "B4.3": 4,
    "B4.4": 3,
    "B4.5": 4,
}
GROUP_MAX = {"B1": 32, "B2": 15, "B3": 28, "B4": 15}

# §1.4 table: (level, code, label, low, high)
LEVEL_TABLE = [
    (0, "intact", "能力完好", 90, 90),
    (1, "mild", "能力轻度受损（轻度失能）", 66, 89),
    (2, "moderate", "能力中度受损（中度失能）", 46, 65),
    (3, "severe", "能力重度受损（重度失能）", 30, 45),
    (4, "complete", "能力完全丧失（完全失能）", 0, 29),
]


def expected_level(total: int) -> int:
    return next(level for level, _, _, low, high in LEVEL_TABLE if low <= total <= high)


def answers_with_total(total: int) -> dict[str, int]:
    """All items at maximum, then lowered item by item until the sum equals ``total``."""
    assert 0 <= total <= 90
    answers = dict(MAXIMA)
    excess = 90 - total
    for code in MAXIMA:
        cut = min(excess, answers[code])
        answers[code] -= cut
        excess -= cut
    assert sum(answers.values()) == total
    return answers


def allowed_text(maximum: int) -> str:
    return ", ".join(str(v) for v in range(maximum + 1))


def run(total: int, **flags: Any) -> ScoreResult:
    options = {"cumulative": flags.pop("cumulative")} if "cumulative" in flags else None
    return score("gbt42195", answers_with_total(total), flags=flags, options=options)


# ---------------------------------------------------------------- structure


def test_standards_tuple() -> None:
    assert STANDARDS == ("gbt42195", "mzt039", "ltc2021", "tekun6")


def test_item_codes_are_exactly_the_contract() -> None:
    codes = [item["code"] for group in describe("gbt42195")["groups"] for item in group["items"]]
    assert codes == list(MAXIMA)
    assert len(codes) == 26


def test_all_maxima_give_90_and_level_0() -> None:
    result = score("gbt42195", MAXIMA)
    assert result.total == 90
    assert result.subtotals == GROUP_MAX
    assert (result.preliminary_level, result.final_level) == (0, 0)
    assert result.grades is None
    assert result.to_dict() == {
        "standard": "gbt42195",
        "version": "GB/T 42195-2022",
        "total": 90,
        "subtotals": GROUP_MAX,
        "grades": None,
        "preliminary_level": 0,
        "final_level": 0,
        "label": "能力完好",
        "label_code": "intact",
        "rules_applied": [],
    }


def test_all_zero_gives_0_and_level_4() -> None:
    result = score("gbt42195", dict.fromkeys(MAXIMA, 0))
    assert result.total == 0
    assert result.subtotals == {"B1": 0, "B2": 0, "B3": 0, "B4": 0}
    assert result.final_level == 4
    assert result.label_code == "complete"


def test_result_is_frozen_and_json_ready() -> None:
    result = score("gbt42195", MAXIMA)
    with pytest.raises(AttributeError):
        result.total = 1  # type: ignore[misc]
    json.dumps(result.to_dict(), ensure_ascii=False)


# ---------------------------------------------------------------- item maxima


@pytest.mark.parametrize("code", list(MAXIMA))
def test_item_maximum_accepted(code: str) -> None:
    answers = dict.fromkeys(MAXIMA, 0)
    answers[code] = MAXIMA[code]
    assert score("gbt42195", answers).total == MAXIMA[code]


@pytest.mark.parametrize("code", list(MAXIMA))
def test_item_above_maximum_refused(code: str) -> None:
    answers = dict(MAXIMA)
    answers[code] = MAXIMA[code] + 1
    with pytest.raises(ScoringError) as info:
        score("gbt42195", answers)
    assert info.value.errors == {
        code: [f"{code} 的取值 {MAXIMA[code] + 1} 无效，允许值：{allowed_text(MAXIMA[code])}"]
    }


@pytest.mark.parametrize("code", list(MAXIMA))
def test_item_negative_refused(code: str) -> None:
    answers = dict(MAXIMA)
    answers[code] = -1
    with pytest.raises(ScoringError) as info:
        score("gbt42195", answers)
    assert list(info.value.errors) == [code]
    assert code in info.value.errors[code][0]
    assert allowed_text(MAXIMA[code]) in info.value.errors[code][0]


def test_b24_message_exact() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", {**MAXIMA, "B2.4": 5})
    assert info.value.errors["B2.4"] == ["B2.4 的取值 5 无效，允许值：0, 1, 2, 3"]


# ---------------------------------------------------------------- level boundaries


@pytest.mark.parametrize(
    ("total", "level"),
    [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
)
def test_appendix_a_boundaries(total: int, level: int) -> None:
    result = run(total)
    assert result.total == total
    assert result.preliminary_level == level
    assert result.final_level == level
    _, code, label, _, _ = LEVEL_TABLE[level]
    assert (result.label, result.label_code) == (label, code)
    assert result.rules_applied == []


@pytest.mark.parametrize("total", range(91))
def test_every_total_maps_to_table_level(total: int) -> None:
    assert run(total).preliminary_level == expected_level(total)


# ---------------------------------------------------------------- change rules


def test_coma_forces_complete_even_at_90() -> None:
    result = run(90, coma=True)
    assert (result.preliminary_level, result.final_level) == (0, 4)
    assert result.rules_applied == ["coma"]
    assert result.label == "能力完全丧失（完全失能）"


def test_coma_takes_precedence_over_other_rules() -> None:
    result = run(70, coma=True, dementia=True, risk_events_30d=5)
    assert result.final_level == 4
    assert result.rules_applied == ["coma"]


def test_coma_at_level_4_still_recorded() -> None:
    result = run(10, coma=True)
    assert result.final_level == 4
    assert result.rules_applied == ["coma"]


@pytest.mark.parametrize("flag", ["dementia", "mental_disorder"])
def test_diagnosis_alone_adds_one(flag: str) -> None:
    result = run(70, **{flag: True})
    assert (result.preliminary_level, result.final_level) == (1, 2)
    assert result.rules_applied == ["diagnosis"]
    assert result.label_code == "moderate"


def test_both_diagnoses_count_once() -> None:
    result = run(70, dementia=True, mental_disorder=True)
    assert result.final_level == 2
    assert result.rules_applied == ["diagnosis"]


@pytest.mark.parametrize(("events", "final"), [(0, 1), (1, 1), (2, 2), (3, 2), (9, 2)])
def test_risk_events_threshold(events: int, final: int) -> None:
    result = run(70, risk_events_30d=events)
    assert result.final_level == final
    assert result.rules_applied == (["risk_events"] if events >= 2 else [])


def test_cumulative_default_adds_two() -> None:
    result = run(90, dementia=True, risk_events_30d=2)
    assert (result.preliminary_level, result.final_level) == (0, 2)
    assert result.rules_applied == ["diagnosis", "risk_events"]


def test_cumulative_true_explicit() -> None:
    assert run(90, dementia=True, risk_events_30d=2, cumulative=True).final_level == 2


def test_non_cumulative_adds_one() -> None:
    result = run(90, dementia=True, risk_events_30d=2, cumulative=False)
    assert result.final_level == 1
    assert result.rules_applied == ["diagnosis", "risk_events"]


def test_non_cumulative_single_rule_still_adds_one() -> None:
    assert run(50, mental_disorder=True, cumulative=False).final_level == 3


def test_cap_when_both_rules_exceed_4() -> None:
    result = run(40, dementia=True, risk_events_30d=3)
    assert (result.preliminary_level, result.final_level) == (3, 4)
    assert result.rules_applied == ["diagnosis", "risk_events", "cap"]


def test_no_cap_code_when_not_reduced() -> None:
    result = run(40, dementia=True, risk_events_30d=3, cumulative=False)
    assert result.final_level == 4
    assert result.rules_applied == ["diagnosis", "risk_events"]


def test_cap_at_level_4_single_rule() -> None:
    result = run(20, risk_events_30d=2)
    assert (result.preliminary_level, result.final_level) == (4, 4)
    assert result.rules_applied == ["risk_events", "cap"]


def test_moderate_plus_both_is_severe_plus() -> None:
    result = run(50, dementia=True, risk_events_30d=2)
    assert (result.preliminary_level, result.final_level) == (2, 4)
    assert "cap" not in result.rules_applied


def test_spec_pseudocode_all_flag_combinations() -> None:
    """Cross-check against the §1.5 pseudocode, written out here independently."""
    for total in (90, 89, 66, 65, 46, 45, 30, 29, 0):
        prelim = expected_level(total)
        for coma in (False, True):
            for diag in (False, True):
                for events in (0, 1, 2, 3):
                    for cumulative in (True, False):
                        if coma:
                            want = 4
                        else:
                            bump = (1 if diag else 0) + (1 if events >= 2 else 0)
                            if not cumulative:
                                bump = min(bump, 1)
                            want = min(4, prelim + bump)
                        got = run(
                            total, coma=coma, dementia=diag, risk_events_30d=events, cumulative=cumulative
                        )
                        assert got.final_level == want, (total, coma, diag, events, cumulative)


# ---------------------------------------------------------------- validation errors


def test_missing_item_message() -> None:
    answers = dict(MAXIMA)
    del answers["B1.3"]
    with pytest.raises(ScoringError) as info:
        score("gbt42195", answers)
    assert info.value.errors == {"B1.3": ["缺少评估项 B1.3（允许值：0, 1, 2, 3, 4）"]}


def test_unknown_item_message() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", {**MAXIMA, "X9.9": 1})
    assert info.value.errors == {"X9.9": ["未知评估项 X9.9"]}


def test_all_errors_collected_once() -> None:
    answers: dict[str, object] = dict(MAXIMA)
    del answers["B1.1"]
    answers["B2.4"] = 4
    answers["B3.9"] = True
    answers["B4.1"] = 1.0
    answers["Z1"] = 0
    with pytest.raises(ScoringError) as info:
        score(
            "gbt42195",
            answers,
            flags={"coma": "yes", "risk_events_30d": -1, "fever": True},
            options={"cumulative": 1, "fast": True},
        )
    errors = info.value.errors
    assert set(errors) == {
        "B1.1",
        "B2.4",
        "B3.9",
        "B4.1",
        "Z1",
        "flags.coma",
        "flags.risk_events_30d",
        "flags.fever",
        "options.cumulative",
        "options.fast",
    }
    assert "允许值：0, 1, 2" in errors["B3.9"][0]
    assert "B4.1" in errors["B4.1"][0] and "0, 1, 2" in errors["B4.1"][0]
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", [True, False, 2.0, 2.5, "2.5", "two", None, [2], "", "二"])
def test_non_integer_values_refused(bad: object) -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", {**MAXIMA, "B1.1": bad})
    assert list(info.value.errors) == ["B1.1"]
    assert "0, 1, 2, 3, 4" in info.value.errors["B1.1"][0]


@pytest.mark.parametrize("text", ["3", " 3 ", "03"])
def test_numeric_strings_are_converted(text: str) -> None:
    result = score("gbt42195", {**MAXIMA, "B1.1": text})
    assert result.total == 89


def test_numeric_string_out_of_range_refused() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", {**MAXIMA, "B1.1": "5"})
    assert info.value.errors["B1.1"] == ["B1.1 的取值 5 无效，允许值：0, 1, 2, 3, 4"]


def test_flags_and_options_defaults() -> None:
    assert score("gbt42195", MAXIMA, flags={}, options={}).final_level == 0
    assert score("gbt42195", MAXIMA, flags=None, options=None).final_level == 0


@pytest.mark.parametrize("bad", [True, 1.5, "x", -3])
def test_risk_events_must_be_nonnegative_int(bad: object) -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", MAXIMA, flags={"risk_events_30d": bad})
    assert list(info.value.errors) == ["flags.risk_events_30d"]


def test_unknown_standard() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195-2099", MAXIMA)
    assert list(info.value.errors) == ["standard"]
    assert "gbt42195" in info.value.errors["standard"][0]
    with pytest.raises(ScoringError):
        describe("nope")


def test_answers_must_be_mapping() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", [("B1.1", 4)])  # type: ignore[arg-type]
    assert "answers" in info.value.errors


def test_rules_parameter_refused_for_gbt() -> None:
    with pytest.raises(ScoringError) as info:
        score("gbt42195", MAXIMA, rules={"version": "x"})
    assert list(info.value.errors) == ["rules"]


# ---------------------------------------------------------------- describe()


def test_describe_shape() -> None:
    data = describe("gbt42195")
    json.dumps(data, ensure_ascii=False)
    assert data["version"] == "GB/T 42195-2022"
    assert data["title"]
    assert [g["code"] for g in data["groups"]] == ["B1", "B2", "B3", "B4"]
    assert {g["code"]: g["max"] for g in data["groups"]} == GROUP_MAX
    for group in data["groups"]:
        for item in group["items"]:
            assert item["max"] == MAXIMA[item["code"]]
            assert item["name"]
            assert sorted(o["score"] for o in item["options"]) == list(range(MAXIMA[item["code"]] + 1))
            assert all(o["text"] for o in item["options"])
    assert [f["name"] for f in data["flags"]] == ["coma", "dementia", "mental_disorder", "risk_events_30d"]
    assert [o["name"] for o in data["options"]] == ["cumulative"]
    assert [(lv["level"], lv["code"], lv["range"]["min"], lv["range"]["max"]) for lv in data["levels"]] == [
        (0, "intact", 90, 90),
        (1, "mild", 66, 89),
        (2, "moderate", 46, 65),
        (3, "severe", 30, 45),
        (4, "complete", 0, 29),
    ]


def test_describe_s5_texts_and_b39_subcodes() -> None:
    items = {i["code"]: i for g in describe("gbt42195")["groups"] for i in g["items"]}
    assert items["B1.2"]["options"][0] == {"score": 4, "text": "独立完成，不需要协助"}
    assert items["B1.2"]["options"][-1] == {"score": 0, "text": "完全依赖他人协助，且不能给予配合"}
    sub = {s["code"]: s["score"] for s in items["B3.9"]["subcodes"]}
    assert sub == {"clear": 2, "drowsy_confused": 1, "stupor": 0, "coma": 0}
    # the help people read names the scores in words, not the sub-codes (issue 11)
    definition = items["B3.9"]["definition"]
    assert "神志清醒记 2 分" in definition and "clear=2" not in definition and "flags.coma" not in definition


# ---------------------------------------------------------------- properties

answers_strategy = st.fixed_dictionaries({code: st.integers(0, m) for code, m in MAXIMA.items()})
flags_strategy = st.fixed_dictionaries(
    {
        "coma": st.booleans(),
        "dementia": st.booleans(),
        "mental_disorder": st.booleans(),
        "risk_events_30d": st.integers(0, 10),
    }
)


@given(answers_strategy, flags_strategy, st.booleans())
def test_property_ranges(answers: dict[str, int], flags: dict[str, Any], cumulative: bool) -> None:
    result = score("gbt42195", answers, flags=flags, options={"cumulative": cumulative})
    assert result.total is not None and 0 <= result.total <= 90
    assert result.total == sum(answers.values()) == sum(result.subtotals.values())
    for group, maximum in GROUP_MAX.items():
        assert 0 <= result.subtotals[group] <= maximum
    assert 0 <= result.preliminary_level <= result.final_level <= 4
    assert result.preliminary_level == expected_level(result.total)
    if flags["coma"]:
        assert result.final_level == 4


@given(answers_strategy, st.sampled_from(list(MAXIMA)), st.data())
def test_property_raising_an_answer(answers: dict[str, int], code: str, data: st.DataObject) -> None:
    if answers[code] == MAXIMA[code]:
        return
    higher = dict(answers)
    higher[code] = data.draw(st.integers(answers[code] + 1, MAXIMA[code]))
    before = score("gbt42195", answers)
    after = score("gbt42195", higher)
    assert after.total is not None and before.total is not None
    assert after.total > before.total
    assert after.preliminary_level <= before.preliminary_level
