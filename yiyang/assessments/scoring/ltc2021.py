"""长期护理失能等级评估标准（试行）医保办发〔2021〕37号 — 17 items, levels 0–5 (STANDARDS.md §3).

Items and scores are VERIFIED. The dimension cut-offs and the 0–5 matrix are **UNVERIFIED** (STANDARDS.md
§3.3, from memory) and therefore live in a versioned configuration object, ``LTC2021_RULES``. Pass another
configuration with ``score(..., rules=...)`` once the official annex has been checked. There are no
change rules: flags and options are validated but do not affect the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
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

CODE = "ltc2021"
VERSION = "医保办发〔2021〕37号"
TITLE = "长期护理失能等级评估标准（试行）"
MAX_LEVEL = 5


def _opts(*pairs: tuple[int, str]) -> tuple[tuple[int, str], ...]:
    return tuple(pairs)


GROUPS: tuple[tuple[str, str, tuple[ItemSpec, ...]], ...] = (
    (
        "C1",
        "日常生活活动能力",
        (
            ItemSpec(
                "C1.1",
                "进食",
                "",
                _opts(
                    (0, "较大或完全依赖，或有留置营养管"),
                    (5, "需部分帮助（夹菜、盛饭）"),
                    (
                        10,
                        "自理（在合理时间内能独立使用餐具进食各种食物，可使用辅助工具独立完成进食，但不包括做饭）",
                    ),
                ),
            ),
            ItemSpec(
                "C1.2",
                "穿衣",
                "",
                _opts(
                    (0, "依赖他人"),
                    (
                        5,
                        "需要部分帮助（能自己穿脱衣服或假肢或矫形器，但需要他人帮助整理衣物、系扣/鞋带、拉拉链等）",
                    ),
                    (10, "自理（自己系开纽扣，关开拉链和穿鞋、袜、假肢或矫形器等）"),
                ),
            ),
            ItemSpec(
                "C1.3",
                "面部与口腔清洁",
                "",
                _opts(
                    (0, "需要帮助"),
                    (5, "独立洗脸、梳头、刷牙、剃须（不包括准备洗脸水、梳子、牙刷等准备工作）"),
                ),
            ),
            ItemSpec(
                "C1.4",
                "大便控制",
                "",
                _opts(
                    (0, "失禁（平均每周≥1次或完全不能控制大便排泄，需要完全依赖他人）"),
                    (5, "偶有失禁（每周＜1次），或需要他人提示或便秘需要人工帮助取便"),
                    (10, "能控制"),
                ),
            ),
            ItemSpec(
                "C1.5",
                "小便控制",
                "",
                _opts(
                    (
                        0,
                        "失禁（平均每天≥1次或经常尿失禁，完全需要他人帮忙完成排尿行为；"
                        "或留置导尿管，但无法自行管理导尿管）",
                    ),
                    (5, "偶有失禁（每24h＜1次，但每周＞1次），或需要他人提示"),
                    (10, "能控制（或留置导尿管，可自行管理导尿管）"),
                ),
            ),
            ItemSpec(
                "C1.6",
                "用厕",
                "",
                _opts(
                    (0, "需要极大地帮助或完全依赖他人"),
                    (5, "需部分帮助（需他人帮忙整理衣裤、坐上/蹲上便器等）"),
                    (10, "自理（能够使用厕纸、穿脱裤子等）"),
                ),
            ),
            ItemSpec(
                "C1.7",
                "平地行走",
                "",
                _opts(
                    (0, "卧床不起、不能步行、移动需要完全帮助"),
                    (5, "在较大程度上依赖他人搀扶（≥2人）或依赖他人帮助使用轮椅等辅助工具才能移动"),
                    (10, "需少量帮助（需1人搀扶或需他人在旁提示或在他人帮助下使用辅助工具）"),
                    (15, "独立步行（自行使用辅助工具，在家及附近等日常生活活动范围内独立步行）"),
                ),
            ),
            ItemSpec(
                "C1.8",
                "床椅转移",
                "",
                _opts(
                    (0, "完全依赖他人，不能坐"),
                    (5, "需大量帮助（至少2人，身体帮助），能坐"),
                    (
                        10,
                        "需少量帮助（1人搀扶或使用拐杖等辅助工具或扶着墙、周围设施，"
                        "转移时需他人在旁监护、提示）",
                    ),
                    (15, "自理"),
                ),
            ),
            ItemSpec(
                "C1.9",
                "上下楼",
                "",
                _opts(
                    (0, "不能，或需极大帮助或完全依赖他人"),
                    (5, "需要部分帮助（需扶着楼梯、他人搀扶、使用拐杖或需他人在旁提示）"),
                    (10, "独立上下楼（可借助电梯等，如果使用支具，需可独自完成穿、脱动作）"),
                ),
            ),
            ItemSpec(
                "C1.10",
                "洗澡",
                "",
                _opts((0, "洗澡过程中需他人帮助"), (5, "准备好洗澡水后，可自己独立完成")),
            ),
        ),
    ),
    (
        "C2",
        "认知能力",
        (
            ItemSpec(
                "C2.1",
                "时间定向",
                "",
                _opts(
                    (0, "无时间观念"),
                    (1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间"),
                    (2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节"),
                    (3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）"),
                    (4, "时间观念（年、月）清楚，日期（或星期几）可相差一天"),
                ),
            ),
            ItemSpec(
                "C2.2",
                "人物定向",
                "",
                _opts(
                    (0, "不认识任何人（包括自己）"),
                    (1, "只认识自己或极少数日常同住的亲人或照护者等"),
                    (2, "能认识一半日常同住的亲人或照护者等，能称呼或知道关系等"),
                    (3, "能认识大部分共同生活居住的人，能称呼或知道关系"),
                    (4, "认识长期共同一起生活的人，能称呼并知道关系"),
                ),
            ),
            ItemSpec(
                "C2.3",
                "空间定向",
                "",
                _opts(
                    (0, "不能单独外出，无空间观念"),
                    (1, "不能单独外出，少量知道自己居住或生活所在地的地址"),
                    (2, "不能单独外出，但知道较多有关自己日常生活的地址"),
                    (3, "不能单独外出，但能准确知道自己日常生活所在地的地址"),
                    (4, "能在日常生活范围内单独外出，如在日常居住小区内独自外出购物等"),
                ),
            ),
            ItemSpec(
                "C2.4",
                "记忆力",
                "",
                _opts(
                    (0, "完全不能回忆即时信息，并且完全不能对既往事物进行正确的回忆"),
                    (1, "对既往事物能有少部分正确的回忆，没有近期记忆"),
                    (2, "能回忆大部分既往事物，记住1个词语"),
                    (3, "能回忆大部分既往事物，记住2个词语"),
                    (4, "能够完整回忆既往事物，记住3个词语"),
                ),
            ),
        ),
    ),
    (
        "C3",
        "感知觉与沟通能力",
        (
            ItemSpec(
                "C3.1",
                "视力",
                "",
                _opts(
                    (0, "完全失明"),
                    (1, "只能看到光、颜色和形状（大致轮廓），眼睛可随物体移动"),
                    (2, "视力有限，看不清报纸大标题，但能辨认较大的物体"),
                    (3, "能看清楚大字体，但看不清书报上的标准字体，辨别小物体有一定困难"),
                    (4, "与日常生活能力相关的视力（如阅读书报、看电视等）基本正常"),
                ),
            ),
            ItemSpec(
                "C3.2",
                "听力",
                "",
                _opts(
                    (0, "完全失聪"),
                    (1, "讲话者大声说话或说话很慢，才能部分听见"),
                    (2, "正常交流有些困难，需在安静的环境大声说话才能听到"),
                    (3, "在轻声说话或说话距离超过2米时听不清"),
                    (4, "与日常生活习惯相关的听力基本正常（如能听到门铃、电视、电话等声音）"),
                ),
            ),
            ItemSpec(
                "C3.3",
                "沟通能力",
                "",
                _opts(
                    (0, "完全不能理解他人的言语，也无法表达"),
                    (1, "不能完全理解他人的话，只能以简单的单词或手势表达大概意愿"),
                    (2, "勉强可与他人交流，谈吐内容不清楚，需频繁重复或简化口头表达"),
                    (3, "能够表达自己的需要或理解他人的话，但需要增加时间或给予帮助"),
                    (4, "无困难，能与他人正常沟通和交流"),
                ),
            ),
        ),
    ),
)

ITEMS: tuple[ItemSpec, ...] = tuple(item for _, _, items in GROUPS for item in items)
GROUP_ITEMS: dict[str, tuple[ItemSpec, ...]] = {code: items for code, _, items in GROUPS}

LEVELS: tuple[tuple[int, str, str], ...] = (
    (0, "normal", "基本正常"),
    (1, "mild", "轻度失能"),
    (2, "moderate", "中度失能"),
    (3, "severe_1", "重度失能Ⅰ级"),
    (4, "severe_2", "重度失能Ⅱ级"),
    (5, "severe_3", "重度失能Ⅲ级"),
)

GRADE_LABELS: tuple[str, ...] = ("能力完好", "轻度受损", "中度受损", "重度受损")

# dimension key in the rules → group code whose subtotal it grades
DIMENSIONS: tuple[tuple[str, str], ...] = (("adl", "C1"), ("cognition", "C2"), ("sensory", "C3"))


def _band(grade: int, low: int, high: int) -> Mapping[str, int]:
    return MappingProxyType({"grade": grade, "min": low, "max": high})


LTC2021_RULES: Mapping[str, Any] = MappingProxyType(
    {
        "version": "2021-unverified-1",
        "verified": False,
        "source": "STANDARDS.md §3.3 (from memory; must be checked against the official 37号 annex)",
        "adl": (_band(0, 100, 100), _band(1, 65, 95), _band(2, 45, 60), _band(3, 0, 40)),
        "cognition": (_band(0, 16, 16), _band(1, 12, 15), _band(2, 4, 11), _band(3, 0, 3)),
        "sensory": (_band(0, 12, 12), _band(1, 8, 11), _band(2, 4, 7), _band(3, 0, 3)),
        # rows: ADL grade 0..3; columns: worse (max) of cognition and sensory grades 0..3
        "matrix": ((0, 0, 1, 1), (1, 1, 1, 2), (2, 2, 2, 3), (3, 4, 5, 5)),
    }
)


def _achievable_sums_dp(items: Sequence[ItemSpec]) -> set[int]:
    sums = {0}
    for item in items:
        sums = {s + v for s in sums for v in item.allowed}
    return sums


def validate_rules(rules: object) -> list[str]:
    """Return a list of problems with an LTC rules configuration (empty when usable)."""
    problems: list[str] = []
    if not isinstance(rules, Mapping):
        return [f"rules 必须是映射，收到 {type(rules).__name__}"]
    if not isinstance(rules.get("version"), str) or not rules.get("version"):
        problems.append("rules.version 必须是非空字符串")
    if not isinstance(rules.get("verified"), bool):
        problems.append("rules.verified 必须是布尔值")
    for key, group in DIMENSIONS:
        bands = rules.get(key)
        if not isinstance(bands, Sequence) or isinstance(bands, str):
            problems.append(f"rules.{key} 必须是分级区间列表")
            continue
        parsed: list[tuple[int, int, int]] = []
        for band in bands:
            if not isinstance(band, Mapping) or not all(
                type(band.get(k)) is int for k in ("grade", "min", "max")
            ):
                problems.append(f"rules.{key} 的区间必须含整数 grade/min/max：{band!r}")
                continue
            parsed.append((band["grade"], band["min"], band["max"]))
        for grade, low, high in parsed:
            if grade not in (0, 1, 2, 3) or low > high:
                problems.append(f"rules.{key} 区间无效：grade={grade}, min={low}, max={high}")
        for total in sorted(_achievable_sums_dp(GROUP_ITEMS[group])):
            hits = [grade for grade, low, high in parsed if low <= total <= high]
            if len(hits) != 1:
                problems.append(f"rules.{key} 对得分 {total} 匹配了 {len(hits)} 个区间（应恰好 1 个）")
    matrix = rules.get("matrix")
    if (
        not isinstance(matrix, Sequence)
        or len(matrix) != 4
        or not all(
            isinstance(row, Sequence)
            and len(row) == 4
            and all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_LEVEL for v in row)
            for row in matrix
        )
    ):
        problems.append("rules.matrix 必须是 4×4 的整数矩阵，取值 0–5")
    return problems


def _grade(bands: Sequence[Mapping[str, int]], total: int) -> int:
    for band in bands:
        if band["min"] <= total <= band["max"]:
            return band["grade"]
    raise ValueError(f"no band for {total}")


def version_string(rules: Mapping[str, Any]) -> str:
    status = "verified" if rules["verified"] else "UNVERIFIED"
    return f"{VERSION} (rules {rules['version']}, {status})"


def score(
    answers: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
    rules: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score a 37号 assessment. ``rules`` defaults to :data:`LTC2021_RULES`."""
    config = LTC2021_RULES if rules is None else rules
    errors: dict[str, list[str]] = {}
    rule_problems = validate_rules(config)
    if rule_problems:
        errors["rules"] = rule_problems
    clean = validate_answers(answers, ITEMS, errors)
    parse_flags(flags, errors)
    parse_options(options, errors)
    if errors:
        raise ScoringError(errors)

    subtotals = {code: sum(clean[item.code] for item in items) for code, _, items in GROUPS}
    grades = {key: _grade(config[key], subtotals[group]) for key, group in DIMENSIONS}
    column = max(grades["cognition"], grades["sensory"])
    level = int(config["matrix"][grades["adl"]][column])
    _, label_code, label = LEVELS[level]
    return ScoreResult(
        standard=CODE,
        version=version_string(config),
        total=sum(subtotals.values()),
        subtotals=subtotals,
        grades=grades,
        preliminary_level=level,
        final_level=level,
        label=label,
        label_code=label_code,
        rules_applied=[],
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def describe(rules: Mapping[str, Any] | None = None) -> dict[str, Any]:
    config = LTC2021_RULES if rules is None else rules
    return {
        "standard": CODE,
        "version": VERSION,
        "title": TITLE,
        "status": "UNVERIFIED（未核实）: items and scores are verified, but the dimension cut-offs "
        "and the 0–5 matrix are "
        "UNVERIFIED (from memory) — check against the official annex before use",
        "verified": bool(config["verified"]),
        "total": {"min": 0, "max": sum(item.max for item in ITEMS)},
        "higher_is_better": True,
        "groups": [
            {
                "code": code,
                "name": name,
                "max": sum(item.max for item in items),
                "items": [item.describe() for item in items],
            }
            for code, name, items in GROUPS
        ],
        "grade_labels": list(GRADE_LABELS),
        "rules_config": _plain(config),
        "flags": FLAGS_DESCRIPTION,
        "flags_note": "本标准无等级变更规则：flags 仅做校验，不影响结果",
        "options": OPTIONS_DESCRIPTION,
        "options_note": "本标准无等级变更规则：options 仅做校验，不影响结果",
        "levels": [
            {
                "level": level,
                "code": code,
                "label": label,
                "range": None,
                "rule": "由矩阵确定：行 = 日常生活活动能力分级，列 = 认知能力与感知觉与沟通能力分级中较差者",
            }
            for level, code, label in LEVELS
        ],
        "rules": [],
        "input_policy": INPUT_POLICY,
    }
