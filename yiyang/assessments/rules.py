"""Assessment record rules as data: A.5 health items (STANDARDS.md §1.7), disease diagnoses with ICD-10
ranges (§1.6), care-risk events (§1.6), the 失能 threshold per standard, and date arithmetic."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

# A.5 health-related problems. ``multi`` items take a list of options; the others one option.
HEALTH_ITEMS: list[dict[str, Any]] = [
    {
        "code": "A5.1",
        "name": "压力性损伤",
        "multi": False,
        "options": ["无", "Ⅰ期", "Ⅱ期", "Ⅲ期", "Ⅳ期", "不可分期"],
    },
    {
        "code": "A5.2",
        "name": "关节活动度",
        "multi": False,
        "options": ["无", "是，影响日常生活功能", "无法判断"],
    },
    {
        "code": "A5.3",
        "name": "伤口情况",
        "multi": True,
        "options": ["无", "擦伤", "烧烫伤", "术后伤口", "糖尿病足溃疡", "血管性溃疡", "其他伤口"],
    },
    {
        "code": "A5.4",
        "name": "特殊护理情况",
        "multi": True,
        "options": ["无", "胃管", "尿管", "气管切开", "胃/肠/膀胱造瘘", "无创呼吸机", "透析", "其他"],
    },
    {
        "code": "A5.5",
        "name": "疼痛感",
        "multi": False,
        "options": ["无", "轻度", "中度（尚可忍受）", "重度（无法忍受）", "不知道或无法判断"],
    },
    {
        "code": "A5.6",
        "name": "牙齿缺失情况",
        "multi": True,
        "options": ["无", "牙体缺损（如龋齿、楔状缺损）", "牙列缺损", "牙列缺失"],
    },
    {
        "code": "A5.7",
        "name": "义齿佩戴情况",
        "multi": True,
        "options": ["无义齿", "固定义齿", "可摘局部义齿", "可摘全/半口义齿"],
    },
    {
        "code": "A5.8",
        "name": "吞咽困难的情形和症状",
        "multi": True,
        "options": [
            "无",
            "抱怨吞咽困难或吞咽时会疼痛",
            "吃东西或喝水时出现咳嗽或呛咳",
            "用餐后嘴中仍含着食物或留有残余食物",
            "当喝或吃流质或固体的食物时，食物会从嘴角边流失",
            "有流口水的情况",
        ],
    },
    {"code": "A5.9", "name": "营养不良：体质指数（BMI）低于正常值", "multi": False, "options": ["无", "有"]},
    {"code": "A5.10", "name": "清理呼吸道无效", "multi": False, "options": ["无", "有"]},
    {"code": "A5.11", "name": "昏迷", "multi": False, "options": ["无", "有"]},
]
HEALTH_BY_CODE = {item["code"]: item for item in HEALTH_ITEMS}
COMA_ITEM = "A5.11"

# Disease diagnoses (疾病诊断) with ICD-10 ranges. ``flag`` names the scoring flag a diagnosis drives.
DIAGNOSES: list[dict[str, str]] = [
    {"code": "hypertension", "name": "高血压病", "icd10": "I10-I15"},
    {"code": "chd", "name": "冠心病", "icd10": "I25"},
    {"code": "diabetes", "name": "糖尿病", "icd10": "E10-E14"},
    {"code": "pneumonia", "name": "肺炎", "icd10": "J12-J18"},
    {"code": "copd", "name": "慢性阻塞性肺疾病", "icd10": "J44"},
    {"code": "cerebral_haemorrhage", "name": "脑出血", "icd10": "I60-I62"},
    {"code": "cerebral_infarction", "name": "脑梗塞", "icd10": "I63"},
    {"code": "uti", "name": "尿路感染（30天内）", "icd10": ""},
    {"code": "parkinson", "name": "帕金森综合征", "icd10": "G20-G22"},
    {"code": "ckd", "name": "慢性肾衰竭", "icd10": "N18-N19"},
    {"code": "cirrhosis", "name": "肝硬化", "icd10": "K74"},
    {"code": "peptic_ulcer", "name": "消化性溃疡", "icd10": "K20-K31"},
    {"code": "tumour", "name": "肿瘤", "icd10": "C00-D48"},
    {"code": "amputation", "name": "截肢（6个月内）", "icd10": ""},
    {"code": "fracture", "name": "骨折（3个月内）", "icd10": "M84"},
    {"code": "epilepsy", "name": "癫痫", "icd10": "G40"},
    {"code": "hypothyroidism", "name": "甲状腺功能减退症", "icd10": "E01-E03"},
    {"code": "cataract", "name": "白内障", "icd10": "H25-H26"},
    {"code": "glaucoma", "name": "青光眼", "icd10": "H40-H42"},
    {"code": "osteoporosis", "name": "骨质疏松症", "icd10": "M80-M82"},
    {"code": "dementia", "name": "痴呆", "icd10": "F00-F03", "flag": "dementia"},
    {
        "code": "mental_disorder",
        "name": "其他精神和行为障碍（精神科专科医生诊断）",
        "icd10": "F04-F99",
        "flag": "mental_disorder",
    },
    {"code": "other", "name": "其他", "icd10": ""},
]
DIAGNOSIS_BY_CODE = {d["code"]: d for d in DIAGNOSES}

# Care-risk events in the last 30 days; each answered 无 / 1次 / 2次 / 3次及以上 → counted 0/1/2/3.
RISK_EVENTS: list[tuple[str, str]] = [
    ("fall", "跌倒"),
    ("wander", "走失"),
    ("choke", "噎食"),
    ("self_harm", "自杀、自伤"),
    ("other", "其他"),
]
RISK_EVENT_OPTIONS: list[tuple[int, str]] = [
    (0, "无"),
    (1, "发生过1次"),
    (2, "发生过2次"),
    (3, "发生过3次及以上"),
]

# 信息提供者与老人的关系 (A.1 dictionary).
INFORMANT_RELATIONS = ["本人", "配偶", "子女", "其他亲属", "雇佣照顾者", "村（居）民委员会工作人员", "其他"]

# Final levels counted as 中度以上失能 (moderate or worse) per standard.
MODERATE_PLUS: dict[str, frozenset[int]] = {
    "gbt42195": frozenset({2, 3, 4}),
    "mzt039": frozenset({2, 3}),
    "ltc2021": frozenset({2, 3, 4, 5}),
    "tekun6": frozenset({2}),
}

ICD10_RE = re.compile(r"^[A-Z][0-9]{2}(\.[0-9]{1,2})?$")


def moderate_plus(standard: str, level: int | None) -> bool:
    return level is not None and level in MODERATE_PLUS.get(standard, frozenset())


def icd10_flag(code: str) -> str | None:
    """``dementia`` for F00–F03, ``mental_disorder`` for F04–F99, else None."""
    code = code.strip().upper()
    if not ICD10_RE.match(code) or code[0] != "F":
        return None
    number = int(code[1:3])
    return "dementia" if number <= 3 else "mental_disorder"


def validate_health(health: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for code, value in health.items():
        item = HEALTH_BY_CODE.get(code)
        if item is None:
            errors[f"health.{code}"] = [f"未知健康项目 {code}（允许：{'、'.join(HEALTH_BY_CODE)}）"]
            continue
        allowed = item["options"]
        if item["multi"]:
            values = value if isinstance(value, list) else [value]
            bad = [v for v in values if v not in allowed]
            if bad or not all(isinstance(v, str) for v in values):
                errors[f"health.{code}"] = [f"{item['name']} 的取值无效（允许：{'、'.join(allowed)}）"]
                continue
            clean[code] = values
        else:
            if value not in allowed:
                errors[f"health.{code}"] = [f"{item['name']} 的取值无效（允许：{'、'.join(allowed)}）"]
                continue
            clean[code] = value
    return clean, errors


def validate_diagnoses(items: list[Any]) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """Each diagnosis is a catalogue code (``"dementia"``) or ``{"code": ..., "icd10": "F01.1"}``."""
    clean: list[dict[str, str]] = []
    errors: dict[str, list[str]] = {}
    for n, raw in enumerate(items):
        entry = {"code": raw} if isinstance(raw, str) else raw
        if not isinstance(entry, dict) or entry.get("code") not in DIAGNOSIS_BY_CODE:
            errors[f"diagnoses[{n}]"] = [f"未知疾病诊断（允许：{'、'.join(DIAGNOSIS_BY_CODE)}）"]
            continue
        icd = str(entry.get("icd10") or "").strip().upper()
        if icd and not ICD10_RE.match(icd):
            errors[f"diagnoses[{n}].icd10"] = ["ICD-10 编码格式应如 F01 或 F01.1"]
            continue
        clean.append({"code": entry["code"], "icd10": icd})
    return clean, errors


def validate_risk_events(events: Mapping[str, Any]) -> tuple[dict[str, int], dict[str, list[str]]]:
    clean: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    known = dict(RISK_EVENTS)
    for key, value in events.items():
        if key not in known:
            errors[f"risk_events.{key}"] = [f"未知风险事件 {key}（允许：{'、'.join(known)}）"]
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 3:
            errors[f"risk_events.{key}"] = [f"{known[key]} 的次数应为 0、1、2 或 3（3 表示 3 次及以上）"]
        else:
            clean[key] = value
    return clean, errors


def derive_flags(
    *, health: Mapping[str, Any], diagnoses: list[Mapping[str, str]], risk_events: Mapping[str, int]
) -> dict[str, Any]:
    """The scoring flags the record implies: coma from A.5.11, dementia/mental disorder from the
    diagnoses (catalogue entry or an F-code), risk_events_30d as the sum of the counted events."""
    dementia = mental = False
    for d in diagnoses:
        flag = DIAGNOSIS_BY_CODE.get(d.get("code", ""), {}).get("flag") or icd10_flag(
            d.get("icd10", "") or ""
        )
        dementia = dementia or flag == "dementia"
        mental = mental or flag == "mental_disorder"
    return {
        "coma": health.get(COMA_ITEM) == "有",
        "dementia": dementia,
        "mental_disorder": mental,
        "risk_events_30d": sum(int(v) for v in risk_events.values()),
    }


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
