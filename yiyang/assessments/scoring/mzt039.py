"""MZ/T 039-2013 《老年人能力评估》 — four dimensions graded 0–3, combined into levels 0–3.

See STANDARDS.md §2.
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
    apply_bump_rules,
    coerce_int,
    parse_flags,
    parse_options,
    validate_answers,
)

CODE = "mzt039"
VERSION = "MZ/T 039-2013"
TITLE = "老年人能力评估"
MAX_LEVEL = 3
COMA_ITEM = "B3.1"
COMA_SCORE = 3
SKIPPABLE_WHEN_COMA: frozenset[str] = frozenset({"B3.2", "B3.3", "B3.4"})

_ZERO_TO_FOUR_TITLE = "0 分最好，4 分最差"

GROUPS: tuple[tuple[str, str, tuple[ItemSpec, ...]], ...] = (
    (
        "B1",
        "日常生活活动",
        (
            ItemSpec(
                "B1.1",
                "进食",
                "用餐具将食物由容器送到口中、咀嚼、吞咽等过程",
                (
                    (10, "可独立进食（在合理的时间内独立进食准备好的食物）"),
                    (5, "需部分帮助（进食过程中需要一定帮助，如协助把持餐具）"),
                    (0, "需极大帮助或完全依赖他人，或有留置营养管"),
                ),
            ),
            ItemSpec(
                "B1.2",
                "洗澡",
                "",
                ((5, "准备好洗澡水后，可自己独立完成洗澡过程"), (0, "在洗澡过程中需他人帮助")),
            ),
            ItemSpec(
                "B1.3",
                "修饰",
                "洗脸、刷牙、梳头、刮脸等",
                ((5, "可自己独立完成"), (0, "需他人帮助")),
            ),
            ItemSpec(
                "B1.4",
                "穿衣",
                "穿脱衣服、系扣、拉拉链、穿脱鞋袜、系鞋带",
                (
                    (10, "可独立完成"),
                    (5, "需部分帮助（能自己穿脱，但需他人帮助整理衣物、系扣/鞋带、拉拉链）"),
                    (0, "需极大帮助或完全依赖他人"),
                ),
            ),
            ItemSpec(
                "B1.5",
                "大便控制",
                "",
                ((10, "可控制大便"), (5, "偶尔失控（每周<1次），或需要他人提示"), (0, "完全失控")),
            ),
            ItemSpec(
                "B1.6",
                "小便控制",
                "",
                (
                    (10, "可控制小便"),
                    (5, "偶尔失控（每天<1次，但每周>1次），或需要他人提示"),
                    (0, "完全失控，或留置导尿管"),
                ),
            ),
            ItemSpec(
                "B1.7",
                "如厕",
                "去厕所、解开衣裤、擦净、整理衣裤、冲水",
                (
                    (10, "可独立完成"),
                    (5, "需部分帮助（需他人搀扶去厕所、需他人帮忙冲水或整理衣裤等）"),
                    (0, "需极大帮助或完全依赖他人"),
                ),
            ),
            ItemSpec(
                "B1.8",
                "床椅转移",
                "",
                (
                    (15, "可独立完成"),
                    (10, "需部分帮助（需他人搀扶或使用拐杖）"),
                    (5, "需极大帮助（较大程度上依赖他人搀扶和帮助）"),
                    (0, "完全依赖他人"),
                ),
            ),
            ItemSpec(
                "B1.9",
                "平地行走",
                "",
                (
                    (15, "可独立在平地上行走45m"),
                    (
                        10,
                        "需部分帮助（因肢体残疾、平衡能力差、过度衰弱、视力等问题，在一定程度上需他人搀扶"
                        "或使用拐杖、助行器等辅助用具）",
                    ),
                    (5, "需极大帮助（在较大程度上依赖他人搀扶，或坐在轮椅上自行移动）"),
                    (0, "完全依赖他人"),
                ),
            ),
            ItemSpec(
                "B1.10",
                "上下楼梯",
                "",
                (
                    (10, "可独立上下楼梯（连续上下10-15个台阶）"),
                    (5, "需部分帮助（需扶着楼梯、他人搀扶，或使用拐杖等）"),
                    (0, "需极大帮助或完全依赖他人"),
                ),
            ),
        ),
    ),
    (
        "B2",
        "精神状态",
        (
            ItemSpec(
                "B2.1",
                "认知功能",
                "“我说三样东西，请重复一遍，并记住，一会儿会问您”：苹果、手表、国旗；"
                "(1) 画钟测验：画一个圆形时钟，标出10点45分；(2) 回忆词语",
                (
                    (0, "画钟正确（画出一个闭锁圆，指针位置准确），且能回忆出2-3个词"),
                    (1, "画钟错误（画的圆不闭锁，或指针位置不准确），或只回忆出0-1个词"),
                    (2, "已确诊为认知障碍，如老年痴呆"),
                ),
            ),
            ItemSpec(
                "B2.2",
                "攻击行为",
                "",
                (
                    (0, "无身体攻击行为（如打/踢/推/咬/抓/摔东西）和语言攻击行为（如骂人、语言威胁、尖叫）"),
                    (1, "每月有几次身体攻击行为，或每周有几次语言攻击行为"),
                    (2, "每周有几次身体攻击行为，或每日有语言攻击行为"),
                ),
            ),
            ItemSpec(
                "B2.3",
                "抑郁症状",
                "",
                (
                    (0, "无"),
                    (1, "情绪低落、不爱说话、不爱梳洗、不爱活动"),
                    (2, "有自杀念头或自杀行为"),
                ),
            ),
        ),
    ),
    (
        "B3",
        "感知觉与沟通",
        (
            ItemSpec(
                "B3.1",
                "意识水平",
                "",
                (
                    (0, "神志清醒，对周围环境警觉"),
                    (1, "嗜睡"),
                    (2, "昏睡"),
                    (
                        3,
                        "昏迷（处于浅昏迷时对疼痛刺激有回避和痛苦表情；处于深昏迷时对刺激无反应）"
                        "（若评定为昏迷，直接评定为重度失能，可不进行以下项目的评估）",
                    ),
                ),
                note="评为 3（昏迷）时，B3.2、B3.3、B3.4 可不评估（可省略）。",
            ),
            ItemSpec(
                "B3.2",
                "视力",
                "若平日带老花镜或近视镜，应在佩戴眼镜的情况下评估",
                (
                    (0, "能看清书报上的标准字体"),
                    (1, "能看清楚大字体，但看不清书报上的标准字体"),
                    (2, "视力有限，看不清报纸大标题，但能辨认物体"),
                    (3, "辨认物体有困难，但眼睛能跟随物体移动，只能看到光、颜色和形状"),
                    (4, "没有视力，眼睛不能跟随物体移动"),
                ),
                extra={"optional_when": {COMA_ITEM: COMA_SCORE}},
            ),
            ItemSpec(
                "B3.3",
                "听力",
                "若平时佩戴助听器，应在佩戴助听器的情况下评估",
                (
                    (0, "可正常交谈，能听到电视、电话、门铃的声音"),
                    (1, "在轻声说话或说话距离超过2米时听不清"),
                    (2, "正常交流有些困难，需在安静的环境或大声说话才能听到"),
                    (3, "讲话者大声说话或说话很慢，才能部分听见"),
                    (4, "完全听不见"),
                ),
                extra={"optional_when": {COMA_ITEM: COMA_SCORE}},
            ),
            ItemSpec(
                "B3.4",
                "沟通交流",
                "包括非语言沟通",
                (
                    (0, "无困难，能与他人正常沟通和交流"),
                    (1, "能够表达自己的需要及理解别人的话，但需要增加时间或给予帮助"),
                    (2, "表达需要或理解有困难，需频繁重复或简化口头表达"),
                    (3, "不能表达需要或理解他人的话"),
                ),
                extra={"optional_when": {COMA_ITEM: COMA_SCORE}},
            ),
        ),
    ),
    (
        "B4",
        "社会参与",
        (
            ItemSpec(
                "B4.1",
                "生活能力",
                "",
                (
                    (
                        0,
                        "除个人生活自理外（如饮食、洗漱、穿戴、二便），能料理家务（如做饭、洗衣）"
                        "或当家管理事务",
                    ),
                    (1, "除个人生活自理外，能做家务，但欠好，家庭事务安排欠条理"),
                    (2, "个人生活能自理；只有在他人帮助下才能做些家务，但质量不好"),
                    (3, "个人基本生活事务能自理（如饮食、二便），在督促下可洗漱"),
                    (4, "个人基本生活事务（如饮食、二便）需要部分帮助或完全依赖他人帮助"),
                ),
            ),
            ItemSpec(
                "B4.2",
                "工作能力",
                "",
                (
                    (0, "原来熟练的脑力工作或体力技巧性工作可照常进行"),
                    (1, "原来熟练的脑力工作或体力技巧性工作能力有所下降"),
                    (2, "原来熟练的脑力工作或体力技巧性工作明显不如以往，部分遗忘"),
                    (3, "对熟练工作只有一些片段保留，技能全部遗忘"),
                    (4, "对以往的知识或技能全部磨灭"),
                ),
            ),
            ItemSpec(
                "B4.3",
                "时间/空间定向",
                "",
                (
                    (0, "时间观念（年、月、日、时）清楚；可单独出远门，能很快掌握新环境的方位"),
                    (
                        1,
                        "时间观念有些下降，年、月、日清楚，但有时相差几天；可单独来往于近街，"
                        "知道现住地的名称和方位，但不知回家路线",
                    ),
                    (
                        2,
                        "时间观念较差，年、月、日不清楚，可知上半年或下半年；只能单独在家附近行动，"
                        "对现住地只知名称，不知道方位",
                    ),
                    (
                        3,
                        "时间观念很差，年、月、日不清楚，可知上午或下午；只能在左邻右舍间串门，"
                        "对现住地不知名称和方位",
                    ),
                    (4, "无时间观念；不能单独外出"),
                ),
            ),
            ItemSpec(
                "B4.4",
                "人物定向",
                "",
                (
                    (
                        0,
                        "知道周围人们的关系，知道祖孙、叔伯、姑姨、侄子侄女等称谓的意义；"
                        "可分辨陌生人的大致年龄和身份，可用适当称呼",
                    ),
                    (1, "只知家中亲密近亲的关系，不会分辨陌生人的大致年龄，不能称呼陌生人"),
                    (2, "只能称呼家中人，或只能照样称呼，不知其关系，不辨辈分"),
                    (3, "只认识常同住的亲人，可称呼子女或孙子女，可辨熟人和生人"),
                    (4, "只认识保护人，不辨熟人和生人"),
                ),
            ),
            ItemSpec(
                "B4.5",
                "社会交往能力",
                "",
                (
                    (0, "参与社会，在社会环境有一定的适应能力，待人接物恰当"),
                    (1, "能适应单纯环境，主动接触人，初见面时难让人发现智力问题，不能理解隐喻语"),
                    (2, "脱离社会，可被动接触，不会主动待人，谈话中很多不适词句，容易上当受骗"),
                    (3, "勉强可与人交往，谈吐内容不清楚，表情不恰当"),
                    (4, "难以与人接触"),
                ),
            ),
        ),
    ),
)

ITEMS: tuple[ItemSpec, ...] = tuple(item for _, _, items in GROUPS for item in items)

LEVELS: tuple[tuple[int, str, str], ...] = (
    (0, "intact", "能力完好"),
    (1, "mild", "轻度失能"),
    (2, "moderate", "中度失能"),
    (3, "severe", "重度失能"),
)

LEVEL_RULE_TEXT: dict[int, str] = {
    0: "日常生活活动、精神状态、感知觉与沟通分级均为0，社会参与的分级为0或1",
    1: "日常生活活动分级为0，但精神状态、感知觉与沟通中至少一项分级为1及以上，或社会参与的分级为2；"
    "或日常生活活动分级为1，精神状态、感知觉与沟通、社会参与中至少有一项的分级为0或1",
    2: "日常生活活动分级为1，但精神状态、感知觉与沟通、社会参与均为2，或有一项为3；"
    "或日常生活活动分级为2，且精神状态、感知觉与沟通、社会参与中有1-2项的分级为1或2",
    3: "日常生活活动的分级为3；或日常生活活动、精神状态、感知觉与沟通、社会参与分级均为2；"
    "或日常生活活动分级为2，且精神状态、感知觉与沟通、社会参与中至少有一项分级为3",
}


def adl_grade(total: int) -> int:
    """§2.5: 100 → 0, 65–95 → 1, 45–60 → 2, ≤40 → 3 (sums are multiples of 5, so gap-free)."""
    if total >= 100:
        return 0
    if total >= 65:
        return 1
    if total >= 45:
        return 2
    return 3


def mental_grade(total: int) -> int:
    """§2.5: 0 → 0, 1 → 1, 2–3 → 2, 4–6 → 3."""
    if total == 0:
        return 0
    if total == 1:
        return 1
    if total <= 3:
        return 2
    return 3


def social_grade(total: int) -> int:
    """§2.5: 0–2 → 0, 3–7 → 1, 8–13 → 2, 14–20 → 3."""
    if total <= 2:
        return 0
    if total <= 7:
        return 1
    if total <= 13:
        return 2
    return 3


def sensory_grade(
    consciousness: int, vision: int | None, hearing: int | None, communication: int | None
) -> int:
    """§2.5 deterministic S function (INTERPRETATION). When consciousness ≥ 2 the other items are
    irrelevant (and may be absent when it is 3)."""
    if consciousness >= 2:
        return 3
    if vision is None or hearing is None or communication is None:
        raise ValueError("vision, hearing and communication are required unless consciousness >= 2")
    if vision == 4 or hearing == 4 or communication == 3:
        return 3
    if consciousness == 1:
        return 2
    if vision == 3 or hearing == 3 or communication == 2:
        return 2
    if vision == 2 or hearing == 2 or communication == 1:
        return 1
    return 0


def combine(adl: int, mental: int, sensory: int, social: int) -> int:
    """§2.6 gap-free combination function (INTERPRETATION of the 表 "老年人能力等级划分")."""
    others = (mental, sensory, social)
    if adl == 3:
        return 3
    if adl == 2:
        return 3 if max(others) == 3 or mental == sensory == social == 2 else 2
    if adl == 1:
        return 1 if min(others) <= 1 else 2
    return 0 if (mental == 0 and sensory == 0 and social <= 1) else 1


def score(
    answers: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
) -> ScoreResult:
    errors: dict[str, list[str]] = {}
    coma_item = isinstance(answers, Mapping) and coerce_int(answers.get(COMA_ITEM)) == COMA_SCORE
    optional = SKIPPABLE_WHEN_COMA if coma_item else frozenset[str]()
    clean = validate_answers(answers, ITEMS, errors, optional=optional)
    parsed_flags = parse_flags(flags, errors)
    parsed_options = parse_options(options, errors)
    if errors:
        raise ScoringError(errors)

    subtotals = {
        code: sum(clean[item.code] for item in items if item.code in clean) for code, _, items in GROUPS
    }
    grades = {
        "adl": adl_grade(subtotals["B1"]),
        "mental": mental_grade(subtotals["B2"]),
        "sensory": sensory_grade(clean["B3.1"], clean.get("B3.2"), clean.get("B3.3"), clean.get("B3.4")),
        "social": social_grade(subtotals["B4"]),
    }
    preliminary = combine(grades["adl"], grades["mental"], grades["sensory"], grades["social"])

    coma = parsed_flags.coma or clean["B3.1"] == COMA_SCORE
    would_raise = (
        coma or parsed_flags.dementia or parsed_flags.mental_disorder or parsed_flags.risk_events_30d >= 2
    )
    rules: list[str] = []
    if preliminary == MAX_LEVEL:
        final = MAX_LEVEL
        if would_raise:
            rules.append("already_severe")
    elif coma:
        rules.append("coma")
        final = MAX_LEVEL
    else:
        final = apply_bump_rules(preliminary, parsed_flags, parsed_options, MAX_LEVEL, rules)

    _, label_code, label = LEVELS[final]
    return ScoreResult(
        standard=CODE,
        version=VERSION,
        total=None,
        subtotals=subtotals,
        grades=grades,
        preliminary_level=preliminary,
        final_level=final,
        label=label,
        label_code=label_code,
        rules_applied=rules,
    )


def describe() -> dict[str, Any]:
    return {
        "standard": CODE,
        "version": VERSION,
        "title": TITLE,
        "status": "VERIFIED (items, grading, upgrade rules); "
        "INTERPRETATION (sensory S function, gap-free combination)",
        "total": None,
        "higher_is_better": {"B1": True, "B2": False, "B3": False, "B4": False},
        "groups": [
            {
                "code": code,
                "name": name,
                "max": sum(item.max for item in items),
                "items": [item.describe() for item in items],
                **({"note": "小计仅供参考；感知觉与沟通按规则分级，不按总分"} if code == "B3" else {}),
            }
            for code, name, items in GROUPS
        ],
        "grades": [
            {"code": "adl", "group": "B1", "bands": "100→0；65–95→1；45–60→2；≤40→3"},
            {"code": "mental", "group": "B2", "bands": "0→0；1→1；2–3→2；4–6→3"},
            {
                "code": "sensory",
                "group": "B3",
                "bands": "按序判断：意识≥2→3；视力=4或听力=4或沟通=3→3；意识=1→2；"
                "视力=3或听力=3或沟通=2→2；视力=2或听力=2或沟通=1→1；否则0",
            },
            {"code": "social", "group": "B4", "bands": "0–2→0；3–7→1；8–13→2；14–20→3"},
        ],
        "grade_labels": ["能力完好", "轻度受损", "中度受损", "重度受损"],
        "flags": FLAGS_DESCRIPTION,
        "options": OPTIONS_DESCRIPTION,
        "levels": [
            {"level": level, "code": code, "label": label, "range": None, "rule": LEVEL_RULE_TEXT[level]}
            for level, code, label in LEVELS
        ],
        "combination": (
            "INTERPRETATION（无缺口）：A=3→3；A=2→(M,S,P 任一为3 或 均为2 ? 3 : 2)；"
            "A=1→(M,S,P 最小值≤1 ? 1 : 2)；A=0→(M=0 且 S=0 且 P≤1 ? 0 : 1)"
        ),
        "rules": [
            {
                "code": "coma",
                "text": "处于昏迷状态者（诊断为昏迷，或意识水平 B3.1 评为 3 分），直接评定为重度失能 → 最终等级 3",
            },
            {"code": "diagnosis", "text": "有认知障碍/痴呆、精神疾病者 → 提高一级"},
            {"code": "risk_events", "text": "近30天内发生过2次及以上跌倒、噎食、自杀、走失者 → 提高一级"},
            {
                "code": "already_severe",
                "text": "初步等级已为 3（重度失能）时不考虑上述各条，等级不再提高（仅当某条本会适用时记录）",
            },
            {"code": "cap", "text": "最高为 3 级（仅当封顶实际降低了等级时记录）"},
        ],
        "input_policy": INPUT_POLICY + " B3.1=3（昏迷）时 B3.2–B3.4 可省略。",
    }
