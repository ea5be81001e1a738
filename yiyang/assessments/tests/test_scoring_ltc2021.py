"""长护 37号 scoring tests. Expectations from STANDARDS.md §3 (cut-offs/matrix are UNVERIFIED config)."""

from __future__ import annotations

import json
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.assessments.scoring import LTC2021_RULES, ScoringError, describe, score

ALLOWED: dict[str, tuple[int, ...]] = {
    "C1.1": (0, 5, 10),
    "C1.2": (0, 5, 10),
    "C1.3": (0, 5),
    "C1.4": (0, 5, 10),
    "C1.5": (0, 5, 10),
    "C1.6": (0, 5, 10),
    "C1.7": (0, 5, 10, 15),
    "C1.8": (0, 5, 10, 15),
    "C1.9": (0, 5, 10),
    "C1.10": (0, 5),
    **{f"C2.{i}": (0, 1, 2, 3, 4) for i in range(1, 5)},
    **{f"C3.{i}": (0, 1, 2, 3, 4) for i in range(1, 4)},
}
GROUPS = {
    "C1": [f"C1.{i}" for i in range(1, 11)],
    "C2": [f"C2.{i}" for i in range(1, 5)],
    "C3": [f"C3.{i}" for i in range(1, 4)],
}
# §3.3 matrix as printed: rows ADL grade, columns worse of cognition/sensory grade.
MATRIX = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 4, 5, 5]]
LABELS = ["基本正常", "轻度失能", "中度失能", "重度失能Ⅰ级", "重度失能Ⅱ级", "重度失能Ⅲ级"]


def adl_grade(total: int) -> int:
    return 0 if total == 100 else 1 if total >= 65 else 2 if total >= 45 else 3


def cognition_grade(total: int) -> int:
    return 0 if total == 16 else 1 if total >= 12 else 2 if total >= 4 else 3


def sensory_grade(total: int) -> int:
    return 0 if total == 12 else 1 if total >= 8 else 2 if total >= 4 else 3


def fill(group: str, total: int) -> dict[str, int]:
    codes = GROUPS[group]
    excess = sum(max(ALLOWED[c]) for c in codes) - total
    out: dict[str, int] = {}
    for c in codes:
        cut = min(excess, max(ALLOWED[c]))
        out[c] = max(ALLOWED[c]) - cut
        excess -= cut
    assert excess == 0 and all(v in ALLOWED[c] for c, v in out.items())
    return out


def build(c1: int = 100, c2: int = 16, c3: int = 12) -> dict[str, int]:
    return {**fill("C1", c1), **fill("C2", c2), **fill("C3", c3)}


ADL_FOR_GRADE = {0: 100, 1: 80, 2: 50, 3: 20}
COG_FOR_GRADE = {0: 16, 1: 13, 2: 8, 3: 2}
SENS_FOR_GRADE = {0: 12, 1: 10, 2: 5, 3: 1}


def test_full_marks() -> None:
    result = score("ltc2021", build())
    assert result.to_dict() == {
        "standard": "ltc2021",
        "version": "医保办发〔2021〕37号 (rules 2021-unverified-1, UNVERIFIED)",
        "total": 128,
        "subtotals": {"C1": 100, "C2": 16, "C3": 12},
        "grades": {"adl": 0, "cognition": 0, "sensory": 0},
        "preliminary_level": 0,
        "final_level": 0,
        "label": "基本正常",
        "label_code": "normal",
        "rules_applied": [],
    }


def test_all_zero() -> None:
    result = score("ltc2021", dict.fromkeys(ALLOWED, 0))
    assert result.total == 0
    assert result.final_level == 5
    assert result.label == "重度失能Ⅲ级"


@pytest.mark.parametrize(("a", "c", "s"), list(product(range(4), repeat=3)))
def test_matrix_cell(a: int, c: int, s: int) -> None:
    result = score("ltc2021", build(ADL_FOR_GRADE[a], COG_FOR_GRADE[c], SENS_FOR_GRADE[s]))
    assert result.grades == {"adl": a, "cognition": c, "sensory": s}
    want = MATRIX[a][max(c, s)]
    assert result.preliminary_level == result.final_level == want
    assert result.label == LABELS[want]


@pytest.mark.parametrize("total", range(0, 101, 5))
def test_adl_cutoffs(total: int) -> None:
    result = score("ltc2021", build(c1=total))
    assert result.grades is not None and result.grades["adl"] == adl_grade(total)


@pytest.mark.parametrize("total", range(17))
def test_cognition_cutoffs(total: int) -> None:
    result = score("ltc2021", build(c2=total))
    assert result.grades is not None and result.grades["cognition"] == cognition_grade(total)


@pytest.mark.parametrize("total", range(13))
def test_sensory_cutoffs(total: int) -> None:
    result = score("ltc2021", build(c3=total))
    assert result.grades is not None and result.grades["sensory"] == sensory_grade(total)


@pytest.mark.parametrize("code", list(ALLOWED))
def test_item_allowed_values(code: str) -> None:
    allowed = ALLOWED[code]
    text = ", ".join(str(v) for v in allowed)
    for value in allowed:
        score("ltc2021", {**build(), code: value})
    for bad in (max(allowed) + 1, -1, *(v for v in range(max(allowed)) if v not in allowed)):
        with pytest.raises(ScoringError) as info:
            score("ltc2021", {**build(), code: bad})
        assert info.value.errors == {code: [f"{code} 的取值 {bad} 无效，允许值：{text}"]}


def test_missing_and_unknown() -> None:
    answers: dict[str, Any] = build()
    del answers["C3.3"]
    answers["C4.1"] = 1
    with pytest.raises(ScoringError) as info:
        score("ltc2021", answers)
    assert info.value.errors == {
        "C3.3": ["缺少评估项 C3.3（允许值：0, 1, 2, 3, 4）"],
        "C4.1": ["未知评估项 C4.1"],
    }


def test_flags_ignored_but_validated() -> None:
    flags = {"coma": True, "dementia": True, "mental_disorder": True, "risk_events_30d": 5}
    result = score("ltc2021", build(), flags=flags, options={"cumulative": False})
    assert result.final_level == 0
    assert result.rules_applied == []
    with pytest.raises(ScoringError) as info:
        score("ltc2021", build(), flags={"dementia": "true", "x": 1})
    assert set(info.value.errors) == {"flags.dementia", "flags.x"}


# ---------------------------------------------------------------- versioned config


def test_default_rules_are_unverified_and_immutable() -> None:
    assert LTC2021_RULES["verified"] is False
    assert LTC2021_RULES["version"] == "2021-unverified-1"
    assert [list(r) for r in LTC2021_RULES["matrix"]] == MATRIX
    with pytest.raises(TypeError):
        LTC2021_RULES["verified"] = True  # type: ignore[index]


def _custom_rules(**changes: Any) -> dict[str, Any]:
    rules: dict[str, Any] = {
        "version": "test-2",
        "verified": True,
        "adl": [dict(b) for b in LTC2021_RULES["adl"]],
        "cognition": [dict(b) for b in LTC2021_RULES["cognition"]],
        "sensory": [dict(b) for b in LTC2021_RULES["sensory"]],
        "matrix": [list(r) for r in LTC2021_RULES["matrix"]],
    }
    rules.update(changes)
    return rules


def test_custom_rules_config() -> None:
    rules = _custom_rules(matrix=[[5, 5, 5, 5]] * 4)
    result = score("ltc2021", build(), rules=rules)
    assert result.final_level == 5
    assert result.version == "医保办发〔2021〕37号 (rules test-2, verified)"
    # the default is untouched
    assert score("ltc2021", build()).final_level == 0


def test_custom_cutoffs() -> None:
    rules = _custom_rules(
        adl=[
            {"grade": 0, "min": 90, "max": 100},
            {"grade": 1, "min": 60, "max": 89},
            {"grade": 2, "min": 40, "max": 59},
            {"grade": 3, "min": 0, "max": 39},
        ]
    )
    result = score("ltc2021", build(c1=90), rules=rules)
    assert result.grades is not None and result.grades["adl"] == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"matrix": [[0, 0, 1]] * 4},
        {"matrix": [[0, 0, 1, 9]] * 4},
        {"adl": [{"grade": 0, "min": 100, "max": 100}]},
        {"cognition": [{"grade": 0, "min": 0, "max": 16}, {"grade": 1, "min": 10, "max": 12}]},
        {"version": ""},
        {"verified": "no"},
    ],
)
def test_invalid_rules_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ScoringError) as info:
        score("ltc2021", build(), rules=_custom_rules(**changes))
    assert "rules" in info.value.errors


def test_describe_says_unverified() -> None:
    data = describe("ltc2021")
    json.dumps(data, ensure_ascii=False)
    assert "UNVERIFIED" in data["status"]
    assert data["verified"] is False
    assert data["rules_config"]["version"] == "2021-unverified-1"
    assert data["rules_config"]["matrix"] == MATRIX
    assert [lv["label"] for lv in data["levels"]] == LABELS
    assert {g["code"]: g["max"] for g in data["groups"]} == {"C1": 100, "C2": 16, "C3": 12}
    codes = [i["code"] for g in data["groups"] for i in g["items"]]
    assert codes == list(ALLOWED)


# ---------------------------------------------------------------- properties

answers_strategy = st.fixed_dictionaries({code: st.sampled_from(v) for code, v in ALLOWED.items()})


@given(answers_strategy)
def test_property_ranges(answers: dict[str, int]) -> None:
    result = score("ltc2021", answers)
    assert result.total is not None and 0 <= result.total <= 128
    assert 0 <= result.subtotals["C1"] <= 100
    assert 0 <= result.subtotals["C2"] <= 16
    assert 0 <= result.subtotals["C3"] <= 12
    assert 0 <= result.final_level <= 5
    assert result.grades is not None
    assert result.grades["adl"] == adl_grade(result.subtotals["C1"])
    assert result.grades["cognition"] == cognition_grade(result.subtotals["C2"])
    assert result.grades["sensory"] == sensory_grade(result.subtotals["C3"])


@given(answers_strategy, st.sampled_from(list(ALLOWED)), st.data())
def test_property_raising_an_answer(answers: dict[str, int], code: str, data: st.DataObject) -> None:
    higher_values = [v for v in ALLOWED[code] if v > answers[code]]
    if not higher_values:
        return
    raised = {**answers, code: data.draw(st.sampled_from(higher_values))}
    before, after = score("ltc2021", answers), score("ltc2021", raised)
    assert after.total is not None and before.total is not None and after.total > before.total
    assert after.final_level <= before.final_level
