"""特困人员 6-item self-care rule tests (STANDARDS.md §4.1, Appendix A)."""

from __future__ import annotations

import json
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.assessments.scoring import ScoringError, describe, score

ITEMS = ["eat", "dress", "bed", "toilet", "walk", "bathe"]
NAMES = ["自主吃饭", "自主穿衣", "自主上下床", "自主如厕", "室内自主行走", "自主洗澡"]


def band(unable: int) -> tuple[int, str]:
    if unable == 0:
        return 0, "具备生活自理能力"
    if unable <= 3:
        return 1, "部分丧失生活自理能力"
    return 2, "完全丧失生活自理能力"


@pytest.mark.parametrize("values", list(product((0, 1), repeat=6)))
def test_all_64_combinations(values: tuple[int, ...]) -> None:
    result = score("tekun6", dict(zip(ITEMS, values, strict=True)))
    unable = values.count(0)
    level, label = band(unable)
    assert result.total == 6 - unable
    assert result.subtotals == {"unable": unable}
    assert result.grades is None
    assert result.preliminary_level == result.final_level == level
    assert result.label == label
    assert result.rules_applied == []


@pytest.mark.parametrize(
    ("unable", "level", "code"),
    [(0, 0, "capable"), (1, 1, "partial"), (3, 1, "partial"), (4, 2, "complete"), (6, 2, "complete")],
)
def test_band_boundaries(unable: int, level: int, code: str) -> None:
    answers = {item: (0 if i < unable else 1) for i, item in enumerate(ITEMS)}
    result = score("tekun6", answers)
    assert (result.final_level, result.label_code) == (level, code)


def test_to_dict_example() -> None:
    result = score("tekun6", {"eat": 1, "dress": 0, "bed": 1, "toilet": 0, "walk": 1, "bathe": 0})
    data = result.to_dict()
    assert data["total"] == 3
    assert data["subtotals"] == {"unable": 3}
    assert data["final_level"] == 1
    assert data["label"] == "部分丧失生活自理能力"
    json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("bad", [2, -1, True, 0.0, "yes"])
def test_invalid_values(bad: object) -> None:
    answers: dict[str, object] = dict.fromkeys(ITEMS, 1)
    answers["walk"] = bad
    with pytest.raises(ScoringError) as info:
        score("tekun6", answers)
    assert list(info.value.errors) == ["walk"]
    assert "walk" in info.value.errors["walk"][0]
    assert "允许值：0, 1" in info.value.errors["walk"][0]


def test_exact_messages() -> None:
    answers: dict[str, object] = dict.fromkeys(ITEMS, 1)
    del answers["bathe"]
    answers["eat"] = 2
    answers["swim"] = 1
    with pytest.raises(ScoringError) as info:
        score("tekun6", answers)
    assert info.value.errors == {
        "bathe": ["缺少评估项 bathe（允许值：0, 1）"],
        "eat": ["eat 的取值 2 无效，允许值：0, 1"],
        "swim": ["未知评估项 swim"],
    }


def test_flags_ignored_but_validated() -> None:
    result = score("tekun6", dict.fromkeys(ITEMS, 1), flags={"coma": True, "risk_events_30d": 3})
    assert result.final_level == 0
    with pytest.raises(ScoringError) as info:
        score("tekun6", dict.fromkeys(ITEMS, 1), options={"cumulative": None, "x": 1})
    assert set(info.value.errors) == {"options.cumulative", "options.x"}


def test_describe_tekun6() -> None:
    data = describe("tekun6")
    json.dumps(data, ensure_ascii=False)
    items = data["groups"][0]["items"]
    assert [i["code"] for i in items] == ITEMS
    assert [i["name"] for i in items] == NAMES
    assert [(lv["level"], lv["range"]["min"], lv["range"]["max"]) for lv in data["levels"]] == [
        (0, 0, 0),
        (1, 1, 3),
        (2, 4, 6),
    ]


@given(st.fixed_dictionaries({item: st.sampled_from((0, 1)) for item in ITEMS}), st.sampled_from(ITEMS))
def test_property_monotone(answers: dict[str, int], item: str) -> None:
    result = score("tekun6", answers)
    assert result.total is not None and 0 <= result.total <= 6
    assert result.total + result.subtotals["unable"] == 6
    if answers[item] == 0:
        better = score("tekun6", {**answers, item: 1})
        assert better.total == result.total + 1
        assert better.final_level <= result.final_level
