"""Pure, typed, versioned scoring engines for elderly-ability assessments (no Django imports).

Public API::

    from yiyang.assessments.scoring import score, describe, STANDARDS, ScoringError, ScoreResult

    result = score("gbt42195", answers={...}, flags={...}, options={"cumulative": True})
    result.to_dict()
    describe("gbt42195")

See ``base.py`` for the input coercion policy and STANDARDS.md (§1–§4) for the rules encoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import gbt42195, ltc2021, mzt039, tekun6
from .base import ScoreResult, ScoringError
from .ltc2021 import LTC2021_RULES

__all__ = ["LTC2021_RULES", "STANDARDS", "ScoreResult", "ScoringError", "describe", "score"]

STANDARDS: tuple[str, ...] = ("gbt42195", "mzt039", "ltc2021", "tekun6")


def _unknown_standard(standard: object) -> ScoringError:
    return ScoringError({"standard": [f"未知评估标准 {standard}（允许：{', '.join(STANDARDS)}）"]})


def score(
    standard: str,
    answers: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
    *,
    rules: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score one assessment.

    ``rules`` is an alternative versioned rules configuration; only ``ltc2021`` has one
    (default :data:`LTC2021_RULES`). Passing ``rules`` for another standard is an error.
    Raises :class:`ScoringError` (a ``ValueError``) listing every problem found.
    """
    if standard == "gbt42195":
        engine = gbt42195.score
    elif standard == "mzt039":
        engine = mzt039.score
    elif standard == "tekun6":
        engine = tekun6.score
    elif standard == "ltc2021":
        return ltc2021.score(answers, flags, options, rules=rules)
    else:
        raise _unknown_standard(standard)
    if rules is not None:
        try:
            engine(answers, flags, options)
        except ScoringError as exc:
            errors = exc.errors
        else:
            errors = {}
        errors["rules"] = [f"评估标准 {standard} 不接受 rules 配置（仅 ltc2021 可用）"]
        raise ScoringError(errors)
    return engine(answers, flags, options)


def describe(standard: str) -> dict[str, Any]:
    """JSON-ready item bank, flags, options, levels and change rules for ``standard``."""
    if standard == "gbt42195":
        return gbt42195.describe()
    if standard == "mzt039":
        return mzt039.describe()
    if standard == "ltc2021":
        return ltc2021.describe()
    if standard == "tekun6":
        return tekun6.describe()
    raise _unknown_standard(standard)
