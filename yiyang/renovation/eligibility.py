"""Eligibility for a renovation subsidy, explained rule by rule (STANDARDS.md §4; issue 15).

An elder is eligible when ALL of these pass:

* ``target_category``: holds, on the application date, one of the programme's target categories
  (default 分散供养特困 and 建档立卡/防返贫监测);
* ``one_of_age_capability_certificate``: at least one of
  - ``age_80``: aged ``age_threshold`` (80) or more on the application date, counted from the birth date
    of the ID (``date ≥ birth + 80 years``; a 29 February birthday falls on 1 March — or 28 February,
    by the programme's ``feb29_rule`` — in a non-leap year),
  - ``disabled_capability``: 失能 — the 特困 six-item rule with four or more items not achievable, or an
    assessment level the programme accepts (own or another department's), valid on the date; a
    分散供养特困 elder already recorded as 失能 needs no re-assessment (validity not required),
  - ``disability_certificate``: holds a second- or third-generation 残疾人证 on the date;
* ``housing_right``: owns or has long-term use of the dwelling;
* ``not_demolition``: the dwelling is not in a demolition plan;
* ``not_already_subsidised``: no open or granted application in any programme, and no grant of another
  department; the earlier grant is named.

The three alternatives are always evaluated and listed, so the answer shows every reason. Nothing is
written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yiyang.core.identifiers import age_on
from yiyang.renovation.choices import ApplicationStatus, Feb29Rule, RuleCode

TEKUN_DISPERSED = "tekun_dispersed"
DISABLED = "disabled"
CERTIFICATE_GENERATIONS = frozenset({"second", "third"})
TEKUN6 = "tekun6"
TEKUN6_UNABLE_THRESHOLD = 4
# Applications that count as an earlier grant: everything but refused and withdrawn ones.
CLOSED_WITHOUT_GRANT = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN})

CATEGORY_LABELS = {
    "tekun_dispersed": "特困（分散供养）",
    "tekun_centralised": "特困（集中供养）",
    "dibao": "低保",
    "dibao_edge": "低保边缘",
    "poverty_monitor": "建档立卡/防返贫监测",
    "family_planning_special": "计划生育特殊家庭",
    "disabled": "残疾（持残疾人证）",
    "priority_care": "重点优抚对象",
}
STANDARD_LABELS = {
    "gbt42195": "GB/T 42195",
    "mzt039": "MZ/T 039",
    "ltc2021": "长期护理失能等级",
    "tekun6": "特困人员生活自理能力六项",
}


@dataclass(frozen=True)
class CategoryFact:
    category: str
    valid_from: date | None = None
    valid_to: date | None = None
    certificate: str = ""

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class CapabilityFact:
    """A completed assessment result (own or another department's)."""

    standard: str
    level: int | None
    assessed_on: date | None
    valid_until: date | None = None
    unable_items: int | None = None  # tekun6: items not achievable, when the answers are known
    source: str = "本平台"

    def valid_on(self, day: date) -> bool:
        return (self.assessed_on is None or self.assessed_on <= day) and (
            self.valid_until is None or day <= self.valid_until
        )

    def recorded_by(self, day: date) -> bool:
        return self.assessed_on is None or self.assessed_on <= day


@dataclass(frozen=True)
class EarlierGrant:
    kind: str  # "application" | "external"
    id: str
    name: str
    year: int
    status: str
    status_label: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "year": self.year,
            "status": self.status,
            "status_label": self.status_label,
            "source": self.source,
        }


@dataclass(frozen=True)
class Rules:
    """The programme's rule parameters."""

    target_categories: tuple[str, ...]
    age_threshold: int = 80
    feb29_rule: str = Feb29Rule.MAR1
    accepted_levels: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    birth_date: date
    categories: tuple[CategoryFact, ...] = ()
    capabilities: tuple[CapabilityFact, ...] = ()
    earlier_grants: tuple[EarlierGrant, ...] = ()


@dataclass
class RuleResult:
    code: str
    passed: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "passed": self.passed, "reason": self.reason}


@dataclass
class Verdict:
    eligible: bool
    rules: list[RuleResult]
    earlier_grant: EarlierGrant | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "rules": [r.as_dict() for r in self.rules],
            "earlier_grant": self.earlier_grant.as_dict() if self.earlier_grant else None,
        }

    def failing(self) -> list[RuleResult]:
        return [r for r in self.rules if not r.passed and r.code in DECISIVE]


# The rules whose failure makes an elder ineligible (the three alternatives count through ``one_of``).
DECISIVE = frozenset(
    {
        RuleCode.TARGET_CATEGORY,
        RuleCode.ONE_OF,
        RuleCode.HOUSING_RIGHT,
        RuleCode.NOT_DEMOLITION,
        RuleCode.NOT_ALREADY_SUBSIDISED,
    }
)


def _labels(codes: Iterable[str]) -> str:
    return "、".join(CATEGORY_LABELS.get(c, c) for c in codes)


def reaches_age(birth: date, on: date, years: int, feb29_rule: str) -> tuple[bool, int | None]:
    """(aged ``years`` or more on ``on``, completed age or None when ``on`` precedes the birth)."""
    if on < birth:
        return False, None
    age = age_on(birth, on, feb29_as_mar1=feb29_rule != Feb29Rule.FEB28)
    return age >= years, age


def _tekun6_disabled(cap: CapabilityFact) -> bool:
    if cap.standard != TEKUN6:
        return False
    if cap.unable_items is not None:
        return cap.unable_items >= TEKUN6_UNABLE_THRESHOLD
    return cap.level == 2  # 完全丧失生活自理能力 (4–6 items not achievable)


def _counts(cap: CapabilityFact, rules: Rules) -> bool:
    if _tekun6_disabled(cap):
        return True
    return cap.level is not None and cap.level in set(rules.accepted_levels.get(cap.standard, []))


def _cap_text(cap: CapabilityFact) -> str:
    standard = STANDARD_LABELS.get(cap.standard, cap.standard)
    if cap.standard == TEKUN6 and cap.unable_items is not None:
        return f"{cap.source}{standard}评估 {cap.unable_items} 项不能自主完成"
    when = f"（{cap.assessed_on:%Y-%m-%d}）" if cap.assessed_on else ""
    return f"{cap.source}{standard}评估等级 {cap.level}{when}"


def evaluate(
    *, rules: Rules, facts: Facts, on: date, housing_right: bool | None, in_demolition_plan: bool | None
) -> Verdict:
    results: list[RuleResult] = []
    held = [c for c in facts.categories if c.valid_on(on)]
    held_codes = sorted({c.category for c in held})

    matched = [c for c in held_codes if c in rules.target_categories]
    if matched:
        results.append(RuleResult(RuleCode.TARGET_CATEGORY, True, f"属于本项目对象类别：{_labels(matched)}"))
    else:
        have = f"（现有类别：{_labels(held_codes)}）" if held_codes else "（未登记任何类别）"
        results.append(
            RuleResult(
                RuleCode.TARGET_CATEGORY,
                False,
                f"不属于本项目对象类别：{_labels(rules.target_categories)}{have}",
            )
        )

    aged, age = reaches_age(facts.birth_date, on, rules.age_threshold, rules.feb29_rule)
    if age is None:
        age_reason = "申请日期早于出生日期"
    elif aged:
        age_reason = f"申请日期时年满{age}周岁（不低于{rules.age_threshold}周岁）"
    else:
        age_reason = f"申请日期时{age}周岁，未满{rules.age_threshold}周岁"
    results.append(RuleResult(RuleCode.AGE_80, aged, age_reason))

    tekun_dispersed = TEKUN_DISPERSED in held_codes
    disabled_by: CapabilityFact | None = None
    for cap in sorted(facts.capabilities, key=lambda c: c.assessed_on or date.min, reverse=True):
        if not _counts(cap, rules):
            continue
        if cap.valid_on(on) or (tekun_dispersed and cap.recorded_by(on)):
            disabled_by = cap
            break
    if disabled_by is not None:
        note = (
            "（分散供养特困人员已认定失能，无需重新评估）"
            if tekun_dispersed and not disabled_by.valid_on(on)
            else ""
        )
        results.append(
            RuleResult(RuleCode.DISABLED_CAPABILITY, True, f"认定为失能：{_cap_text(disabled_by)}{note}")
        )
    else:
        seen = [c for c in facts.capabilities if c.recorded_by(on)]
        if seen:
            latest = max(seen, key=lambda c: c.assessed_on or date.min)
            why = f"最近一次{_cap_text(latest)}，不属于本项目认定的失能等级或已过有效期"
        else:
            why = "无有效的失能认定（特困六项中4项以上不能完成，或本项目认可的评估等级）"
        results.append(RuleResult(RuleCode.DISABLED_CAPABILITY, False, why))

    certs = [c for c in held if c.category == DISABLED]
    good = [c for c in certs if c.certificate in CERTIFICATE_GENERATIONS]
    if good:
        gen = "第二代" if good[0].certificate == "second" else "第三代"
        results.append(RuleResult(RuleCode.DISABILITY_CERTIFICATE, True, f"持有{gen}残疾人证"))
    elif certs:
        results.append(
            RuleResult(
                RuleCode.DISABILITY_CERTIFICATE,
                False,
                "残疾人证不是第二代或第三代（须持第二代或第三代残疾人证）",
            )
        )
    else:
        results.append(RuleResult(RuleCode.DISABILITY_CERTIFICATE, False, "未持有残疾人证"))

    alternatives = {
        "高龄": aged,
        "失能": disabled_by is not None,
        "残疾": bool(good),
    }
    met = [k for k, v in alternatives.items() if v]
    results.append(
        RuleResult(
            RuleCode.ONE_OF,
            bool(met),
            f"符合：{'、'.join(met)}" if met else "高龄、失能、残疾均不符合",
        )
    )

    if housing_right is None:
        results.append(RuleResult(RuleCode.HOUSING_RIGHT, False, "未确认对住房拥有产权或长期使用权"))
    elif housing_right:
        results.append(RuleResult(RuleCode.HOUSING_RIGHT, True, "对拟改造住房拥有产权或长期使用权"))
    else:
        results.append(RuleResult(RuleCode.HOUSING_RIGHT, False, "对拟改造住房没有产权或长期使用权"))

    if in_demolition_plan is None:
        results.append(RuleResult(RuleCode.NOT_DEMOLITION, False, "未确认住房是否列入征收、拆迁计划"))
    elif in_demolition_plan:
        results.append(RuleResult(RuleCode.NOT_DEMOLITION, False, "住房已列入政府征收、拆迁计划"))
    else:
        results.append(RuleResult(RuleCode.NOT_DEMOLITION, True, "住房未列入征收、拆迁计划"))

    earlier = facts.earlier_grants[0] if facts.earlier_grants else None
    if earlier is None:
        results.append(RuleResult(RuleCode.NOT_ALREADY_SUBSIDISED, True, "未享受过同类改造补贴"))
    else:
        results.append(
            RuleResult(
                RuleCode.NOT_ALREADY_SUBSIDISED,
                False,
                f"已纳入改造补贴：{earlier.source}{earlier.year}年「{earlier.name}」（{earlier.status_label}），不再重复补贴",
            )
        )

    eligible = all(r.passed for r in results if r.code in DECISIVE)
    return Verdict(eligible=eligible, rules=results, earlier_grant=earlier)
