"""MZ/T 039-2013 scoring tests. Expectations are written from STANDARDS.md §2 (not from the engine)."""

from __future__ import annotations

import json
from collections import Counter
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.assessments.scoring import ScoreResult, ScoringError, describe, score

# §2.1–§2.4 allowed scores, in table order.
ALLOWED: dict[str, tuple[int, ...]] = {
    "B1.1": (0, 5, 10),
    "B1.2": (0, 5),
    "B1.3": (0, 5),
    "B1.4": (0, 5, 10),
    "B1.5": (0, 5, 10),
    "B1.6": (0, 5, 10),
    "B1.7": (0, 5, 10),
    "B1.8": (0, 5, 10, 15),
    "B1.9": (0, 5, 10, 15),
    "B1.10": (0, 5, 10),
    "B2.1": (0, 1, 2),
    "B2.2": (0, 1, 2),
    "B2.3": (0, 1, 2),
    "B3.1": (0, 1, 2, 3),
    "B3.2": (0, 1, 2, 3, 4),
    "B3.3": (0, 1, 2, 3, 4),
    "B3.4": (0, 1, 2, 3),
    **{f"B4.{i}": (0, 1, 2, 3, 4) for i in range(1, 6)},
}
B1 = [f"B1.{i}" for i in range(1, 11)]
B2 = ["B2.1", "B2.2", "B2.3"]
B4 = [f"B4.{i}" for i in range(1, 6)]
LABELS = {
    0: ("能力完好", "intact"),
    1: ("轻度失能", "mild"),
    2: ("中度失能", "moderate"),
    3: ("重度失能", "severe"),
}


def fill(codes: list[str], total: int, best_high: bool) -> dict[str, int]:
    """Answers for ``codes`` summing to ``total``. ADL (best_high) starts at maxima and lowers;
    the other tables start at 0 and raise."""
    out: dict[str, int] = {}
    if best_high:
        excess = sum(max(ALLOWED[c]) for c in codes) - total
        for c in codes:
            cut = min(excess, max(ALLOWED[c]))
            out[c] = max(ALLOWED[c]) - cut
            excess -= cut
        assert excess == 0
    else:
        rest = total
        for c in codes:
            add = min(rest, max(ALLOWED[c]))
            out[c] = add
            rest -= add
        assert rest == 0
    for c, v in out.items():
        assert v in ALLOWED[c]
    return out


def build(
    adl: int = 100, mental: int = 0, sensory: tuple[int, int, int, int] = (0, 0, 0, 0), social: int = 0
) -> dict[str, int]:
    c, v, h, k = sensory
    return {
        **fill(B1, adl, True),
        **fill(B2, mental, False),
        "B3.1": c,
        "B3.2": v,
        "B3.3": h,
        "B3.4": k,
        **fill(B4, social, False),
    }


# Answers that produce each dimension grade 0..3 (from the §2.5 bands).
ADL_FOR_GRADE = {0: 100, 1: 80, 2: 50, 3: 0}
MENTAL_FOR_GRADE = {0: 0, 1: 1, 2: 3, 3: 6}
SENSORY_FOR_GRADE = {0: (0, 1, 1, 0), 1: (0, 2, 0, 0), 2: (0, 3, 0, 0), 3: (0, 4, 0, 0)}
SOCIAL_FOR_GRADE = {0: 2, 1: 5, 2: 13, 3: 20}


def by_grades(a: int, m: int, s: int, p: int) -> dict[str, int]:
    return build(ADL_FOR_GRADE[a], MENTAL_FOR_GRADE[m], SENSORY_FOR_GRADE[s], SOCIAL_FOR_GRADE[p])


def run(answers: dict[str, int], **flags: Any) -> ScoreResult:
    options = {"cumulative": flags.pop("cumulative")} if "cumulative" in flags else None
    return score("mzt039", answers, flags=flags, options=options)


# ---------------------------------------------------------------- independent reading of §2.6


def text_clauses(a: int, m: int, s: int, p: int) -> set[int]:
    """Which of the four literal §2.6 level sentences match (may be 0, 1 or 2 of them)."""
    others = (m, s, p)
    hits: set[int] = set()
    # 0: 日常生活活动、精神状态、感知觉与沟通分级均为0，社会参与的分级为0或1
    if a == 0 and m == 0 and s == 0 and p in (0, 1):
        hits.add(0)
    # 1: A=0 但 M、S 至少一项 ≥1，或 P=2；或 A=1，M、S、P 中至少一项为 0 或 1
    if (a == 0 and (m >= 1 or s >= 1 or p == 2)) or (a == 1 and any(x in (0, 1) for x in others)):
        hits.add(1)
    # 2: A=1 但 M、S、P 均为 2 或有一项为 3；或 A=2 且 M、S、P 中有 1-2 项为 1 或 2
    if (a == 1 and (all(x == 2 for x in others) or any(x == 3 for x in others))) or (
        a == 2 and 1 <= sum(x in (1, 2) for x in others) <= 2
    ):
        hits.add(2)
    # 3: A=3；或四项均为 2；或 A=2 且 M、S、P 至少一项为 3
    if a == 3 or (a == m == s == p == 2) or (a == 2 and any(x == 3 for x in others)):
        hits.add(3)
    return hits


def expected_combination(a: int, m: int, s: int, p: int) -> int:
    """Resolve the literal text as STANDARDS.md §2.6 documents: A1 overlaps → 1, A2 overlaps → 3,
    A0 gaps → 1, A2 gaps → 2."""
    hits = text_clauses(a, m, s, p)
    if len(hits) == 1:
        return hits.pop()
    if not hits:
        return {0: 1, 2: 2}[a]
    return 1 if a == 1 else 3 if a == 2 else max(hits)


ALL_CELLS = list(product(range(4), repeat=4))


def test_text_gaps_and_overlaps_are_exactly_the_documented_ones() -> None:
    gaps = [c for c in ALL_CELLS if not text_clauses(*c)]
    overlaps = [c for c in ALL_CELLS if len(text_clauses(*c)) > 1]
    assert {c[0] for c in gaps} == {0, 2}
    assert [c for c in gaps if c[0] == 0] == [(0, 0, 0, 3)]
    a2_gaps = sorted(c[1:] for c in gaps if c[0] == 2)
    assert (0, 0, 0) in a2_gaps and (1, 1, 1) in a2_gaps
    assert all(set(g) <= {1, 2} or g == (0, 0, 0) for g in a2_gaps)
    assert {c[0] for c in overlaps} == {1, 2}
    assert (1, 0, 3, 3) in overlaps and (2, 1, 3, 0) in overlaps


def test_distribution_over_256_cells() -> None:
    counts = Counter(expected_combination(*c) for c in ALL_CELLS)
    assert counts == {0: 2, 1: 118, 2: 34, 3: 102}


@pytest.mark.parametrize(("a", "m", "s", "p"), ALL_CELLS)
def test_combination_cell(a: int, m: int, s: int, p: int) -> None:
    result = run(by_grades(a, m, s, p))
    assert result.grades == {"adl": a, "mental": m, "sensory": s, "social": p}
    want = expected_combination(a, m, s, p)
    assert result.preliminary_level == want
    assert result.final_level == want
    assert (result.label, result.label_code) == LABELS[want]
    assert result.rules_applied == []


@pytest.mark.parametrize(
    ("cell", "level"),
    [
        ((0, 0, 0, 3), 1),  # gap: A0, social 3
        ((2, 1, 1, 1), 2),  # gap: A2, all three in {1,2} but not all 2
        ((2, 1, 2, 2), 2),
        ((2, 0, 0, 0), 2),  # gap: A2, all zero
        ((1, 0, 3, 3), 1),  # overlap: A1, one ≤1 and another 3
        ((2, 1, 3, 0), 3),  # overlap: A2, 1–2 of {1,2} and a 3
        ((2, 2, 2, 2), 3),  # all 2
        ((1, 2, 2, 2), 2),
        ((1, 2, 2, 3), 2),
        ((1, 3, 3, 3), 2),
        ((0, 0, 0, 1), 0),
        ((0, 0, 0, 2), 1),
        ((3, 0, 0, 0), 3),
    ],
)
def test_named_gap_and_overlap_cases(cell: tuple[int, int, int, int], level: int) -> None:
    assert run(by_grades(*cell)).preliminary_level == level


# ---------------------------------------------------------------- dimension grades


@pytest.mark.parametrize("adl", range(0, 101, 5))
def test_adl_grade_bands(adl: int) -> None:
    want = 0 if adl == 100 else 1 if adl >= 65 else 2 if adl >= 45 else 3
    result = run(build(adl=adl))
    assert result.subtotals["B1"] == adl
    assert result.grades is not None and result.grades["adl"] == want


@pytest.mark.parametrize(("mental", "grade"), [(0, 0), (1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (6, 3)])
def test_mental_grade_bands(mental: int, grade: int) -> None:
    result = run(build(mental=mental))
    assert result.subtotals["B2"] == mental
    assert result.grades is not None and result.grades["mental"] == grade


@pytest.mark.parametrize("social", range(21))
def test_social_grade_bands(social: int) -> None:
    want = 0 if social <= 2 else 1 if social <= 7 else 2 if social <= 13 else 3
    result = run(build(social=social))
    assert result.subtotals["B4"] == social
    assert result.grades is not None and result.grades["social"] == want


@pytest.mark.parametrize(
    ("sensory", "grade"),
    [
        ((0, 0, 0, 0), 0),
        ((0, 1, 1, 0), 0),
        ((0, 2, 0, 0), 1),
        ((0, 0, 2, 0), 1),
        ((0, 0, 0, 1), 1),
        ((0, 3, 0, 0), 2),
        ((0, 1, 3, 0), 2),
        ((0, 0, 0, 2), 2),
        ((1, 0, 0, 0), 2),  # 嗜睡
        ((1, 3, 3, 2), 2),
        ((1, 4, 0, 0), 3),
        ((1, 0, 0, 3), 3),
        ((0, 4, 0, 0), 3),
        ((0, 0, 4, 0), 3),
        ((0, 0, 0, 3), 3),
        ((2, 0, 0, 0), 3),  # 昏睡
        ((3, 0, 0, 0), 3),  # 昏迷
    ],
)
def test_sensory_grade_cases(sensory: tuple[int, int, int, int], grade: int) -> None:
    result = run(build(sensory=sensory))
    assert result.grades is not None and result.grades["sensory"] == grade
    assert result.subtotals["B3"] == sum(sensory)


def test_sensory_grade_exhaustive_against_text_table() -> None:
    for c, v, h, k in product(range(4), range(5), range(5), range(4)):
        if c >= 2:
            want = 3
        elif v == 4 or h == 4 or k == 3:
            want = 3  # 意识清醒或嗜睡，但视力或听力中至少一项评为4，或沟通评为3
        elif c == 1:
            want = 2  # 嗜睡，视力或听力评定为3及以下，沟通评定为2及以下
        elif v == 3 or h == 3 or k == 2:
            want = 2
        elif v == 2 or h == 2 or k == 1:
            want = 1
        else:
            want = 0  # 视力和听力 0 或 1，沟通 0
        result = score("mzt039", build(sensory=(c, v, h, k)))
        assert result.grades is not None and result.grades["sensory"] == want, (c, v, h, k)


# ---------------------------------------------------------------- upgrade rules


def test_coma_flag_forces_severe() -> None:
    result = run(by_grades(0, 0, 0, 0), coma=True)
    assert (result.preliminary_level, result.final_level) == (0, 3)
    assert result.rules_applied == ["coma"]
    assert result.label == "重度失能"


def test_coma_item_with_omitted_sensory_items() -> None:
    answers = build()
    for code in ("B3.2", "B3.3", "B3.4"):
        del answers[code]
    answers["B3.1"] = 3
    result = run(answers)
    assert result.grades == {"adl": 0, "mental": 0, "sensory": 3, "social": 0}
    assert result.preliminary_level == 1
    assert result.final_level == 3
    assert result.rules_applied == ["coma"]
    assert result.subtotals["B3"] == 3


def test_coma_item_as_numeric_string_allows_omission() -> None:
    answers: dict[str, object] = dict(build())
    for code in ("B3.2", "B3.3", "B3.4"):
        del answers[code]
    answers["B3.1"] = "3"
    assert score("mzt039", answers).final_level == 3


def test_coma_item_with_sensory_items_still_validated() -> None:
    answers = build()
    answers["B3.1"] = 3
    answers["B3.2"] = 9
    with pytest.raises(ScoringError) as info:
        run(answers)
    assert info.value.errors == {"B3.2": ["B3.2 的取值 9 无效，允许值：0, 1, 2, 3, 4"]}


def test_sensory_items_required_without_coma() -> None:
    answers = build()
    del answers["B3.3"]
    with pytest.raises(ScoringError) as info:
        run(answers)
    assert info.value.errors == {"B3.3": ["缺少评估项 B3.3（允许值：0, 1, 2, 3, 4）"]}


def test_coma_precedence_over_bumps() -> None:
    result = run(by_grades(0, 0, 0, 0), coma=True, dementia=True, risk_events_30d=4)
    assert result.final_level == 3
    assert result.rules_applied == ["coma"]


@pytest.mark.parametrize(
    "flags",
    [{"coma": True}, {"dementia": True}, {"mental_disorder": True}, {"risk_events_30d": 2}],
)
def test_already_severe_blocks_upgrades(flags: dict[str, Any]) -> None:
    result = run(by_grades(3, 0, 0, 0), **flags)
    assert (result.preliminary_level, result.final_level) == (3, 3)
    assert result.rules_applied == ["already_severe"]


def test_already_severe_by_coma_item() -> None:
    answers = by_grades(3, 0, 0, 0)
    answers["B3.1"] = 3
    result = run(answers)
    assert result.rules_applied == ["already_severe"]


def test_already_severe_without_any_rule_records_nothing() -> None:
    result = run(by_grades(3, 0, 0, 0), risk_events_30d=1)
    assert result.rules_applied == []


@pytest.mark.parametrize("flag", ["dementia", "mental_disorder"])
def test_diagnosis_adds_one(flag: str) -> None:
    result = run(by_grades(0, 0, 0, 0), **{flag: True})
    assert (result.preliminary_level, result.final_level) == (0, 1)
    assert result.rules_applied == ["diagnosis"]


@pytest.mark.parametrize(("events", "final"), [(0, 1), (1, 1), (2, 2), (3, 2)])
def test_risk_events_threshold(events: int, final: int) -> None:
    result = run(by_grades(1, 0, 0, 0), risk_events_30d=events)
    assert result.final_level == final
    assert result.rules_applied == (["risk_events"] if events >= 2 else [])


def test_cumulative_and_non_cumulative() -> None:
    cells = by_grades(0, 0, 0, 0)
    both = run(cells, dementia=True, risk_events_30d=2)
    assert both.final_level == 2
    assert both.rules_applied == ["diagnosis", "risk_events"]
    single = run(cells, dementia=True, risk_events_30d=2, cumulative=False)
    assert single.final_level == 1
    assert single.rules_applied == ["diagnosis", "risk_events"]


def test_cap_at_3() -> None:
    result = run(by_grades(2, 0, 0, 0), dementia=True, risk_events_30d=2)
    assert (result.preliminary_level, result.final_level) == (2, 3)
    assert result.rules_applied == ["diagnosis", "risk_events", "cap"]


def test_no_cap_when_exactly_3() -> None:
    result = run(by_grades(1, 0, 0, 0), mental_disorder=True, risk_events_30d=2)
    assert (result.preliminary_level, result.final_level) == (1, 3)
    assert result.rules_applied == ["diagnosis", "risk_events"]
    noncum = run(by_grades(2, 0, 0, 0), dementia=True, risk_events_30d=2, cumulative=False)
    assert noncum.final_level == 3
    assert noncum.rules_applied == ["diagnosis", "risk_events"]


# ---------------------------------------------------------------- items and errors


def test_total_is_none_and_item_order() -> None:
    result = run(build())
    assert result.total is None
    assert result.to_dict()["total"] is None
    codes = [i["code"] for g in describe("mzt039")["groups"] for i in g["items"]]
    assert codes == list(ALLOWED)


@pytest.mark.parametrize("code", list(ALLOWED))
def test_item_allowed_values(code: str) -> None:
    allowed = ALLOWED[code]
    text = ", ".join(str(v) for v in allowed)
    for value in allowed:
        answers = build()
        answers[code] = value
        run(answers)
    for bad in (max(allowed) + 1, -1, *(v for v in range(max(allowed)) if v not in allowed)):
        answers = build()
        answers[code] = bad
        with pytest.raises(ScoringError) as info:
            run(answers)
        assert info.value.errors == {code: [f"{code} 的取值 {bad} 无效，允许值：{text}"]}


def test_unknown_and_missing_collected() -> None:
    answers: dict[str, object] = dict(build())
    del answers["B1.10"]
    answers["B5.1"] = 0
    answers["B1.1"] = 7.5
    with pytest.raises(ScoringError) as info:
        score("mzt039", answers, flags={"coma": None})
    assert info.value.errors["B1.10"] == ["缺少评估项 B1.10（允许值：0, 5, 10）"]
    assert info.value.errors["B5.1"] == ["未知评估项 B5.1"]
    assert "0, 5, 10" in info.value.errors["B1.1"][0]
    assert "flags.coma" in info.value.errors


def test_describe_mzt039() -> None:
    data = describe("mzt039")
    json.dumps(data, ensure_ascii=False)
    assert data["version"] == "MZ/T 039-2013"
    assert {g["code"]: g["max"] for g in data["groups"]} == {"B1": 100, "B2": 6, "B3": 14, "B4": 20}
    assert [(lv["level"], lv["code"], lv["label"]) for lv in data["levels"]] == [
        (0, "intact", "能力完好"),
        (1, "mild", "轻度失能"),
        (2, "moderate", "中度失能"),
        (3, "severe", "重度失能"),
    ]
    items = {i["code"]: i for g in data["groups"] for i in g["items"]}
    for code, allowed in ALLOWED.items():
        assert tuple(sorted(o["score"] for o in items[code]["options"])) == allowed
    assert items["B3.2"]["optional_when"] == {"B3.1": 3}
    assert {r["code"] for r in data["rules"]} == {"coma", "diagnosis", "risk_events", "already_severe", "cap"}


# ---------------------------------------------------------------- properties

answers_strategy = st.fixed_dictionaries({code: st.sampled_from(vals) for code, vals in ALLOWED.items()})


@given(answers_strategy, st.booleans(), st.booleans(), st.integers(0, 6), st.booleans())
def test_property_ranges(
    answers: dict[str, int], coma: bool, dementia: bool, events: int, cumulative: bool
) -> None:
    result = run(answers, coma=coma, dementia=dementia, risk_events_30d=events, cumulative=cumulative)
    assert 0 <= result.subtotals["B1"] <= 100
    assert 0 <= result.subtotals["B2"] <= 6
    assert 0 <= result.subtotals["B4"] <= 20
    assert result.grades is not None and all(0 <= g <= 3 for g in result.grades.values())
    assert 0 <= result.preliminary_level <= result.final_level <= 3
    if coma or answers["B3.1"] == 3:
        assert result.final_level == 3


@given(answers_strategy, st.sampled_from(list(ALLOWED)), st.data())
def test_property_worsening_never_improves_level(
    answers: dict[str, int], code: str, data: st.DataObject
) -> None:
    """B1 is higher = better; B2–B4 are higher = worse. A worse answer never lowers the level."""
    current = answers[code]
    if code.startswith("B1."):
        choices = [v for v in ALLOWED[code] if v < current]
    else:
        choices = [v for v in ALLOWED[code] if v > current]
    if not choices:
        return
    worse = dict(answers)
    worse[code] = data.draw(st.sampled_from(choices))
    before = score("mzt039", answers)
    after = score("mzt039", worse)
    assert after.preliminary_level >= before.preliminary_level
    assert after.final_level >= before.final_level
