"""The risk classification, rule by rule (pure functions over an elder's facts), and the visit windows
of a month (docs/decisions/0015-visits-risk-and-plans.md).

A rule set is an ordered list of rules; the first rule whose every clause holds gives the class. A clause
is a list of facts of which at least one must hold (``[["alone", "left_behind"], ["disabled", "age80"]]``
reads 独居或留守，且失能或80周岁以上). Then one class up (C→B, B→A) for a recent alarm or emergency, or
an open safety hazard from the last visit."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from yiyang.visits.choices import FACTS

# The default rule set (issue 14, 000 §6): first match wins.
DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "code": "A1",
        "class": "A",
        "name": "独居或留守，且失能、重残或80周岁以上",
        "when": [["alone", "left_behind"], ["disabled", "severe_disability", "age80"]],
    },
    {"code": "B1", "class": "B", "name": "独居或留守", "when": [["alone", "left_behind"]]},
    {
        "code": "B2",
        "class": "B",
        "name": "空巢，且失能、重残或80周岁以上",
        "when": [["empty_nest"], ["disabled", "severe_disability", "age80"]],
    },
    {
        "code": "B3",
        "class": "B",
        "name": "计划生育特殊家庭，且失能、重残或80周岁以上",
        "when": [["family_planning"], ["disabled", "severe_disability", "age80"]],
    },
    {
        "code": "C1",
        "class": "C",
        "name": "空巢、失能、重残或计划生育特殊家庭",
        "when": [["empty_nest", "disabled", "severe_disability", "family_planning"]],
    },
]

CLASSES = ("A", "B", "C")
UP = {"C": "B", "B": "A", "A": "A"}
MIN_AGE = 60


@dataclass
class Facts:
    """What the rules read about one elder on one day."""

    active: bool
    age: int
    facts: set[str]
    alarm: str = ""  # a recent alarm or emergency, as people read it ("11月20日 跌倒告警")
    hazard: str = ""  # the open hazards of the last visit ("燃气隐患、电线老化")


@dataclass
class Outcome:
    risk_class: str  # "" for none
    reasons: list[dict[str, str]] = field(default_factory=list)

    def add(self, rule: str, message: str) -> None:
        self.reasons.append({"rule": rule, "message": message})


def check_rules(rules: Any) -> dict[str, list[str]]:
    """Errors of a rule list (``rules[i].field`` → messages); empty when it is usable."""
    errors: dict[str, list[str]] = {}
    if not isinstance(rules, list) or not rules:
        return {"rules": ["至少需要一条规则"]}
    if len(rules) > 30:
        return {"rules": ["规则不能超过 30 条"]}
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        key = f"rules[{i}]"
        if not isinstance(rule, dict):
            errors[key] = ["每条规则应包含编号、分类、名称和条件"]
            continue
        code = str(rule.get("code") or "").strip()
        if not code or len(code) > 10 or code in seen:
            errors[f"{key}.code"] = ["规则编号不能为空、不超过 10 个字符且不能重复"]
        seen.add(code)
        if rule.get("class") not in CLASSES:
            errors[f"{key}.class"] = ["分类只能是 A、B 或 C"]
        name = str(rule.get("name") or "").strip()
        if not name or len(name) > 100:
            errors[f"{key}.name"] = ["规则名称不能为空，且不超过 100 个字"]
        when = rule.get("when")
        if not isinstance(when, list) or not when or len(when) > 5:
            errors[f"{key}.when"] = ["条件应为 1–5 组"]
            continue
        for j, clause in enumerate(when):
            if not isinstance(clause, list) or not clause or any(f not in FACTS for f in clause):
                errors[f"{key}.when[{j}]"] = [f"每组至少一项，只能从以下选择：{'、'.join(FACTS.values())}"]
    return errors


def _held(clause: list[str], facts: set[str]) -> list[str]:
    return [f for f in clause if f in facts]


def classify(rules: list[dict[str, Any]], f: Facts) -> Outcome:
    """The class and its reasons. Rules are checked in order; the first whose clauses all hold decides."""
    if not f.active:
        return Outcome("", [{"rule": "none.status", "message": "已故或已迁出，不再分类"}])
    if f.age < MIN_AGE:
        return Outcome("", [{"rule": "none.age", "message": f"{f.age}周岁，未满60周岁，不分类"}])
    for rule in rules:
        clauses = rule["when"]
        helds = [_held(c, f.facts) for c in clauses]
        if all(helds):
            matched = "、".join(FACTS[x] for x in dict.fromkeys(x for h in helds for x in h))
            out = Outcome(rule["class"])
            out.add(rule["code"], f"{rule['name']}（本人：{matched}）→ {rule['class']}类")
            _raise(out, f)
            return out
    return Outcome(
        "",
        [
            {
                "rule": "none.groups",
                "message": "不属于独居、留守、空巢、失能、重残或计划生育特殊家庭老年人，不分类",
            }
        ],
    )


def _raise(out: Outcome, f: Facts) -> None:
    if not (f.alarm or f.hazard):
        return
    old = out.risk_class
    new = UP[old]
    if f.alarm:
        tail = f"，上调一级（{old}类→{new}类）" if new != old else "（已是A类）"
        out.add("raise.alarm", f"近期有告警或紧急呼援：{f.alarm}{tail}")
    if f.hazard:
        tail = f"，上调一级（{old}类→{new}类）" if new != old and not f.alarm else ""
        out.add("raise.hazard", f"上次探访发现的安全隐患尚未消除：{f.hazard}{tail}")
    out.risk_class = new


def describe(rule: dict[str, Any]) -> str:
    """A rule as people read it: 独居或留守，且失能或80周岁以上 → A类."""
    parts = ["或".join(FACTS[x] for x in clause) for clause in rule["when"]]
    return "，且".join(parts) + f" → {rule['class']}类"


# ---------------------------------------------------------------------------------------- visit windows


def month_first(period: str) -> date:
    return date(int(period[:4]), int(period[5:7]), 1)


def month_last(period: str) -> date:
    y, m = int(period[:4]), int(period[5:7])
    return date(y, m, calendar.monthrange(y, m)[1])


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def slots(start: date, end: date, interval_days: int) -> list[tuple[date, date]]:
    """The visit windows from ``start`` to ``end`` (inclusive) for one visit every ``interval_days``:
    ``round(days / interval)`` windows (at least one) of equal length. A month holds four weekly windows
    (five in none), two fortnightly ones and one monthly one; an elder classed on the 20th of a 30-day
    month owes one fortnightly or monthly visit and two weekly ones."""
    if end < start:
        return []
    days = (end - start).days + 1
    n = max(1, round(days / max(1, interval_days)))
    out = []
    for i in range(n):
        a = start + timedelta(days=(i * days) // n)
        b = start + timedelta(days=((i + 1) * days) // n - 1)
        out.append((a, b))
    return out
