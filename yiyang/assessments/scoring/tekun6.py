"""特困人员生活自理能力 6-item rule (民发〔2016〕178号 as quoted locally; STANDARDS.md §4.1).

Each item is 1 (能自主完成) or 0 (不能). n = number of items not achievable:
0 → 具备生活自理能力, 1–3 → 部分丧失, 4–6 → 完全丧失. There are no change rules: flags and
options are validated but do not affect the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import (
    FLAGS_DESCRIPTION,
    INPUT_POLICY,
    OPTIONS_DESCRIPTION,
    ItemSpec,
    ScoreResult,
    ScoringError,
    parse_flags,
    parse_options,
    validate_answers,
)

CODE = "tekun6"
VERSION = "特困人员认定办法（民发〔2016〕178号）生活自理能力六项"
TITLE = "特困人员生活自理能力评估（六项）"

_YES_NO: tuple[tuple[int, str], ...] = ((1, "能自主完成"), (0, "不能自主完成"))

ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("eat", "自主吃饭", "", _YES_NO),
    ItemSpec("dress", "自主穿衣", "", _YES_NO),
    ItemSpec("bed", "自主上下床", "", _YES_NO),
    ItemSpec("toilet", "自主如厕", "", _YES_NO),
    ItemSpec("walk", "室内自主行走", "", _YES_NO),
    ItemSpec("bathe", "自主洗澡", "", _YES_NO),
)

# (level, code, label, min unable, max unable)
LEVELS: tuple[tuple[int, str, str, int, int], ...] = (
    (0, "capable", "具备生活自理能力", 0, 0),
    (1, "partial", "部分丧失生活自理能力", 1, 3),
    (2, "complete", "完全丧失生活自理能力", 4, 6),
)


def level_of_unable(unable: int) -> int:
    for level, _, _, low, high in LEVELS:
        if low <= unable <= high:
            return level
    raise ValueError(f"unable count {unable} outside 0–6")


def score(
    answers: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
) -> ScoreResult:
    errors: dict[str, list[str]] = {}
    clean = validate_answers(answers, ITEMS, errors)
    parse_flags(flags, errors)
    parse_options(options, errors)
    if errors:
        raise ScoringError(errors)

    able = sum(clean.values())
    unable = len(ITEMS) - able
    level = level_of_unable(unable)
    _, label_code, label, _, _ = LEVELS[level]
    return ScoreResult(
        standard=CODE,
        version=VERSION,
        total=able,
        subtotals={"unable": unable},
        grades=None,
        preliminary_level=level,
        final_level=level,
        label=label,
        label_code=label_code,
        rules_applied=[],
    )


def describe() -> dict[str, Any]:
    return {
        "standard": CODE,
        "version": VERSION,
        "title": TITLE,
        "status": "VERIFIED (0 / 1–3 / 4–6 bands)",
        "total": {"min": 0, "max": len(ITEMS), "meaning": "能自主完成的项目数"},
        "higher_is_better": True,
        "groups": [
            {
                "code": "ADL6",
                "name": "生活自理能力",
                "max": len(ITEMS),
                "items": [item.describe() for item in ITEMS],
            }
        ],
        "flags": FLAGS_DESCRIPTION,
        "flags_note": "本规则无等级变更条款：flags 仅做校验，不影响结果",
        "options": OPTIONS_DESCRIPTION,
        "options_note": "本规则无等级变更条款：options 仅做校验，不影响结果",
        "levels": [
            {"level": level, "code": code, "label": label, "range": {"of": "unable", "min": low, "max": high}}
            for level, code, label, low, high in LEVELS
        ],
        "rules": [],
        "input_policy": INPUT_POLICY,
    }
