"""Who qualifies for a programme in a month, rule by rule (pure functions over the register's facts).

Decisions (docs/decisions/0012-benefits.md):
- payment starts the month after the qualifying birthday (or after the approval, whichever is later);
- the band of a month is the one for the age reached by the end of that month;
- payment ends with the month of death or of moving out."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from yiyang.core.identifiers import age_on, anniversary
from yiyang.core.regioncodes import scope_prefix


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_add(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def month_first(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def month_last(month: str) -> date:
    y, m = int(month[:4]), int(month[5:7])
    return date(y, m, calendar.monthrange(y, m)[1])


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive (empty when first > last)."""
    out: list[str] = []
    current = first
    while current <= last:
        out.append(current)
        current = month_add(current, 1)
    return out


@dataclass
class Decision:
    """The outcome of the rules for one elder, programme and month, with every rule as people read it."""

    qualifies: bool
    start_month: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    band: Any = None

    def add(self, rule: str, ok: bool, detail: str) -> None:
        self.rules.append({"rule": rule, "ok": ok, "detail": detail})
        if not ok:
            self.qualifies = False


def band_for(bands: list[Any], age: int) -> Any:
    for band in bands:
        if band.age_min <= age and (band.age_max is None or age <= band.age_max):
            return band
    return None


def evaluate(
    *,
    programme: Any,
    bands: list[Any],
    birth_date: date,
    region_code: str,
    status: str,
    categories: list[str],
    capability_level: int | None,
    month: str,
    approved_on: date,
) -> Decision:
    """Does the elder qualify for ``month``? ``approved_on`` is when the platform recognised them (the
    register's creation or a sweep, or an application's approval): payment starts the month after."""
    qualifying_day = anniversary(birth_date, programme.min_age)
    start = max(
        month_add(month_of(qualifying_day), 1), month_add(month_of(approved_on), 1), programme.first_month
    )
    decision = Decision(qualifies=True, start_month=start)
    decision.add("在册", status == "active", "在册" if status == "active" else "已故或已迁出")
    prefix = scope_prefix(programme.region_id)
    decision.add(
        "居住在本地区",
        region_code.startswith(prefix),
        "常住地在本政策适用地区内" if region_code.startswith(prefix) else "常住地不在本政策适用地区",
    )
    age_end = age_on(birth_date, month_last(month))
    from_birthday = month_add(month_of(qualifying_day), 1)
    decision.add(
        "年龄",
        from_birthday <= month,
        f"{qualifying_day.year}年{qualifying_day.month}月{qualifying_day.day}日年满{programme.min_age}周岁，"
        f"次月（{from_birthday[:4]}年{int(from_birthday[5:])}月）起享受",
    )
    if programme.categories:
        held = sorted(set(categories) & set(programme.categories))
        decision.add(
            "对象类别",
            bool(held),
            "属于规定对象类别" if held else "不属于规定的对象类别（特困、低保等）",
        )
    if programme.min_capability_level is not None:
        ok = capability_level is not None and capability_level >= programme.min_capability_level
        decision.add(
            "失能等级",
            ok,
            "能力评估等级达到规定" if ok else "无有效能力评估或等级未达到规定",
        )
    band = band_for(bands, age_end)
    decision.band = band
    decision.add(
        "补贴档次",
        band is not None,
        f"按{band.label}档，每月{band.monthly_fen / 100:.2f}元" if band is not None else "年龄不在任何档次内",
    )
    return decision
