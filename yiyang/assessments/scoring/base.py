"""Shared types and validation helpers for the pure scoring engines.

Nothing here imports Django: the engines are plain functions over plain data so that they can be
tested exhaustively and reused by forms, APIs, reports and batch jobs alike.

Input coercion policy (applies to answers and to ``flags.risk_events_30d``):

* ``int`` values are taken as-is; ``bool`` is refused (``True`` is not a score).
* ``str`` values made only of ASCII digits, optionally with a leading ``-`` and surrounding
  whitespace (e.g. ``"3"`` or ``" 10 "``), are converted to ``int`` — HTML forms post strings.
* everything else (``float`` such as ``3.0``, ``None``, ``"3.5"``, ``"三"``, lists …) is refused.

Boolean flags and options must be real ``bool`` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "FLAG_NAMES",
    "OPTION_NAMES",
    "Flags",
    "ItemSpec",
    "Options",
    "ScoreResult",
    "ScoringError",
    "StandardEngine",
    "apply_bump_rules",
    "coerce_int",
    "fmt_allowed",
    "parse_flags",
    "parse_options",
    "validate_answers",
]

FLAG_NAMES: tuple[str, ...] = ("coma", "dementia", "mental_disorder", "risk_events_30d")
OPTION_NAMES: tuple[str, ...] = ("cumulative",)

_INT_RE = re.compile(r"^\s*-?[0-9]+\s*$")


class ScoringError(ValueError):
    """Invalid input. ``errors`` maps a key (item code, ``flags.<name>``, ``options.<name>``,
    ``standard``, ``answers`` …) to human-readable Chinese messages. All problems are collected
    before raising."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors: dict[str, list[str]] = {k: list(v) for k, v in errors.items()}
        summary = "；".join(msg for msgs in self.errors.values() for msg in msgs)
        super().__init__(summary or "评估输入无效")


@dataclass(frozen=True)
class ScoreResult:
    standard: str
    version: str
    total: int | None
    subtotals: dict[str, int]
    grades: dict[str, int] | None
    preliminary_level: int
    final_level: int
    label: str
    label_code: str
    rules_applied: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "standard": self.standard,
            "version": self.version,
            "total": self.total,
            "subtotals": dict(self.subtotals),
            "grades": None if self.grades is None else dict(self.grades),
            "preliminary_level": self.preliminary_level,
            "final_level": self.final_level,
            "label": self.label,
            "label_code": self.label_code,
            "rules_applied": list(self.rules_applied),
        }


@dataclass(frozen=True)
class ItemSpec:
    """One scored item. ``options`` are (score, text) pairs in the order the standard prints them."""

    code: str
    name: str
    definition: str
    options: tuple[tuple[int, str], ...]
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> tuple[int, ...]:
        return tuple(sorted(score for score, _ in self.options))

    @property
    def max(self) -> int:
        return max(score for score, _ in self.options)

    def describe(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "definition": self.definition,
            "max": self.max,
            "allowed": list(self.allowed),
            "options": [{"score": s, "text": t} for s, t in self.options],
        }
        if self.note:
            data["note"] = self.note
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Flags:
    coma: bool = False
    dementia: bool = False
    mental_disorder: bool = False
    risk_events_30d: int = 0


@dataclass(frozen=True)
class Options:
    cumulative: bool = True


@dataclass(frozen=True)
class StandardEngine:
    """Registry entry: a scoring function and a describe function for one standard."""

    code: str
    score: Callable[..., ScoreResult]
    describe: Callable[[], dict[str, Any]]
    accepts_rules: bool = False


def fmt_allowed(values: Sequence[int]) -> str:
    return ", ".join(str(v) for v in values)


def coerce_int(value: object) -> int | None:
    """Return ``value`` as an int following the module's coercion policy, or ``None`` if refused."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value.strip())
    return None


def validate_answers(
    answers: object,
    items: Sequence[ItemSpec],
    errors: dict[str, list[str]],
    optional: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Validate ``answers`` against ``items``; record problems in ``errors``; return clean values.

    Codes in ``optional`` may be absent (they are then simply not in the returned dict).
    """
    clean: dict[str, int] = {}
    if not isinstance(answers, Mapping):
        errors.setdefault("answers", []).append(
            f"answers 必须是“评估项代码 → 分值”的映射，收到 {type(answers).__name__}"
        )
        return clean
    by_code = {item.code: item for item in items}
    for key in answers:
        if not isinstance(key, str) or key not in by_code:
            errors.setdefault(str(key), []).append(f"未知评估项 {key}")
    for item in items:
        allowed = fmt_allowed(item.allowed)
        if item.code not in answers:
            if item.code not in optional:
                errors.setdefault(item.code, []).append(f"缺少评估项 {item.code}（允许值：{allowed}）")
            continue
        raw = answers[item.code]
        value = coerce_int(raw)
        if value is None:
            errors.setdefault(item.code, []).append(f"{item.code} 的取值 {raw!r} 不是整数，允许值：{allowed}")
        elif value not in item.allowed:
            errors.setdefault(item.code, []).append(f"{item.code} 的取值 {value} 无效，允许值：{allowed}")
        else:
            clean[item.code] = value
    return clean


def parse_flags(flags: object, errors: dict[str, list[str]]) -> Flags:
    if flags is None:
        return Flags()
    if not isinstance(flags, Mapping):
        errors.setdefault("flags", []).append(f"flags 必须是映射，收到 {type(flags).__name__}")
        return Flags()
    for key in flags:
        if key not in FLAG_NAMES:
            errors.setdefault(f"flags.{key}", []).append(
                f"未知标志 flags.{key}（允许：{', '.join(FLAG_NAMES)}）"
            )
    bools: dict[str, bool] = {}
    for name in ("coma", "dementia", "mental_disorder"):
        raw = flags.get(name, False)
        if isinstance(raw, bool):
            bools[name] = raw
        else:
            errors.setdefault(f"flags.{name}", []).append(
                f"flags.{name} 的取值 {raw!r} 无效，允许值：true, false"
            )
            bools[name] = False
    raw_events = flags.get("risk_events_30d", 0)
    events = coerce_int(raw_events)
    if events is None or events < 0:
        errors.setdefault("flags.risk_events_30d", []).append(
            f"flags.risk_events_30d 的取值 {raw_events!r} 无效，允许值：大于等于 0 的整数"
        )
        events = 0
    return Flags(
        coma=bools["coma"],
        dementia=bools["dementia"],
        mental_disorder=bools["mental_disorder"],
        risk_events_30d=events,
    )


def parse_options(options: object, errors: dict[str, list[str]]) -> Options:
    if options is None:
        return Options()
    if not isinstance(options, Mapping):
        errors.setdefault("options", []).append(f"options 必须是映射，收到 {type(options).__name__}")
        return Options()
    for key in options:
        if key not in OPTION_NAMES:
            errors.setdefault(f"options.{key}", []).append(
                f"未知选项 options.{key}（允许：{', '.join(OPTION_NAMES)}）"
            )
    raw = options.get("cumulative", True)
    if not isinstance(raw, bool):
        errors.setdefault("options.cumulative", []).append(
            f"options.cumulative 的取值 {raw!r} 无效，允许值：true, false"
        )
        raw = True
    return Options(cumulative=raw)


def apply_bump_rules(preliminary: int, flags: Flags, options: Options, cap: int, rules: list[str]) -> int:
    """The "+1 for diagnosis, +1 for ≥2 risk events" change rules shared by GB/T 42195 and MZ/T 039.

    Appends ``diagnosis`` / ``risk_events`` / ``cap`` to ``rules`` as they apply and returns the level.
    """
    bump = 0
    if flags.dementia or flags.mental_disorder:
        rules.append("diagnosis")
        bump += 1
    if flags.risk_events_30d >= 2:
        rules.append("risk_events")
        bump += 1
    if not options.cumulative:
        bump = min(bump, 1)
    level = preliminary + bump
    if level > cap:
        rules.append("cap")
        level = cap
    return level


FLAGS_DESCRIPTION: list[dict[str, Any]] = [
    {"name": "coma", "type": "bool", "default": False, "description": "处于昏迷状态（A.5.11 昏迷：有）"},
    {
        "name": "dementia",
        "type": "bool",
        "default": False,
        "description": "确诊为痴呆（ICD-10 F00～F03）/ 认知障碍",
    },
    {
        "name": "mental_disorder",
        "type": "bool",
        "default": False,
        "description": "精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99）/ 精神疾病",
    },
    {
        "name": "risk_events_30d",
        "type": "int",
        "default": 0,
        "minimum": 0,
        "description": "近30天内照护风险事件（跌倒、噎食、自杀/自伤、走失、其他）次数合计；"
        "“3次及以上”按 3 计",
    },
]

OPTIONS_DESCRIPTION: list[dict[str, Any]] = [
    {
        "name": "cumulative",
        "type": "bool",
        "default": True,
        "description": "INTERPRETATION：诊断与风险事件两条提级规则同时适用时是否累加"
        "（true = 各提一级；false = 合计只提一级）",
    },
]

INPUT_POLICY = (
    '分值须为整数；布尔值与浮点数被拒绝；仅由数字组成的字符串（如 "3"）会被转换为整数。'
    "flags 中的 coma/dementia/mental_disorder 必须为布尔值，risk_events_30d 为 ≥0 的整数。"
)
