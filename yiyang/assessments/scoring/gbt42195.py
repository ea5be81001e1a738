"""GB/T 42195-2022 《老年人能力评估规范》 — 26 items, total 0–90, levels 0–4 (STANDARDS.md §1)."""

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
    parse_flags,
    parse_options,
    validate_answers,
)

CODE = "gbt42195"
VERSION = "GB/T 42195-2022"
TITLE = "老年人能力评估规范"
MAX_TOTAL = 90
MAX_LEVEL = 4

# §1.2 standard 5-point assistance scale.
S5: tuple[tuple[int, str], ...] = (
    (4, "独立完成，不需要协助"),
    (3, "在他人指导或提示下完成"),
    (2, "需要他人协助，但以自身完成为主"),
    (1, "主要依靠他人协助，自身能给予配合"),
    (0, "完全依赖他人协助，且不能给予配合"),
)

B3_9_SUBCODES: list[dict[str, Any]] = [
    {"code": "clear", "score": 2, "text": "神志清醒"},
    {"code": "drowsy_confused", "score": 1, "text": "嗜睡或意识模糊"},
    {"code": "stupor", "score": 0, "text": "昏睡"},
    {"code": "coma", "score": 0, "text": "昏迷（请同时在 A.5.11 昏迷中选“有”）"},
]

GROUPS: tuple[tuple[str, str, tuple[ItemSpec, ...]], ...] = (
    (
        "B1",
        "自理能力",
        (
            ItemSpec(
                "B1.1",
                "进食",
                "使用适当的器具将食物送入口中并咽下",
                (
                    (4, "独立使用器具将食物送进口中并咽下，没有呛咳"),
                    (3, "在他人指导或提示下完成，或独立使用辅具，没有呛咳"),
                    (2, "进食中至少需要少量接触式协助，偶尔（每月一次及以上）呛咳"),
                    (1, "在进食中需要大量接触式协助，经常（每周一次及以上）呛咳"),
                    (0, "完全依赖他人协助进食，或吞咽困难，或留置营养管"),
                ),
            ),
            ItemSpec("B1.2", "修饰", "洗脸、刷牙、梳头、刮脸、剪指（趾）甲等", S5),
            ItemSpec("B1.3", "洗澡", "清洗和擦干身体", S5),
            ItemSpec("B1.4", "穿/脱上衣", "穿/脱上身衣服、系扣、拉拉链等", S5),
            ItemSpec("B1.5", "穿/脱裤子和鞋袜", "穿/脱裤子、鞋袜等", S5),
            ItemSpec(
                "B1.6",
                "小便控制",
                "控制和排出尿液的能力",
                (
                    (4, "可自行控制排尿，排尿次数、排尿控制均正常"),
                    (
                        3,
                        "白天可自行控制排尿次数，夜间出现排尿次数增多、排尿控制较差，"
                        "或自行使用尿布、尿垫等辅助用物",
                    ),
                    (
                        2,
                        "白天大部分时间可自行控制排尿，偶出现（每天<1次，但每周>1次）尿失禁，"
                        "夜间控制排尿较差，或他人少量协助使用尿布、尿垫等辅助用物",
                    ),
                    (
                        1,
                        "白天大部分时间不能控制排尿（每天≥1次，但尚非完全失控），夜间出现尿失禁，"
                        "或他人大量协助使用尿布、尿垫等辅助用物",
                    ),
                    (0, "小便失禁，完全不能控制排尿，或留置导尿管"),
                ),
            ),
            ItemSpec(
                "B1.7",
                "大便控制",
                "控制和排出粪便的能力",
                (
                    (4, "可正常自行控制大便排出"),
                    (3, "有时出现（每周<1次）便秘或大便失禁，或自行使用开塞露、尿垫等辅助用物"),
                    (
                        2,
                        "经常出现（每天<1次，但每周>1次）便秘或大便失禁，"
                        "或他人少量协助使用开塞露、尿垫等辅助用物",
                    ),
                    (
                        1,
                        "大部分时间均出现（每天≥1次）便秘或大便失禁，但尚非完全失控，"
                        "或他人大量协助使用开塞露、尿垫等辅助用物",
                    ),
                    (0, "严重便秘或者完全大便失禁，需要依赖他人协助排便或清洁皮肤"),
                ),
                note="分值 3 的频次表述在公开转录中不一致（每天<1次 / 每周<1次），"
                "措辞 UNVERIFIED，分值不受影响",
            ),
            ItemSpec(
                "B1.8",
                "如厕",
                "上厕所排泄大小便，并清洁身体（注：评估中强调排泄前解开裤子、完成排泄后清洁身体、穿上裤子）",
                S5,
            ),
        ),
    ),
    (
        "B2",
        "基础运动能力",
        (
            ItemSpec("B2.1", "床上体位转移", "卧床翻身及坐起躺下", S5),
            ItemSpec("B2.2", "床椅转移", "从坐位到站位，再从站位到坐位的转换过程", S5),
            ItemSpec(
                "B2.3",
                "平地行走",
                "双脚交互的方式在地面行动，总是一只脚在前（注：包括他人辅助和使用辅具的步行）",
                (
                    (4, "独立平地行走50m左右，不需要协助，无摔倒风险"),
                    (
                        3,
                        "能平地行走50m左右，存在跌倒风险，需要他人监护或指导，或使用拐杖、助行器等辅助工具",
                    ),
                    (2, "在步行时需要他人少量扶持协助"),
                    (1, "在步行时需要他人大量扶持协助"),
                    (0, "完全不能步行"),
                ),
            ),
            ItemSpec(
                "B2.4",
                "上下楼梯",
                "双脚交替完成楼梯台阶连续的上下移动",
                (
                    (3, "可独立上下楼梯（连续上下10个~15个台阶），不需要协助"),
                    (2, "在他人指导或提示下完成"),
                    (1, "需要他人协助，但以自身完成为主"),
                    (0, "主要依靠他人协助，自身能给予配合；或者完全依赖他人协助，且不能给予配合"),
                ),
            ),
        ),
    ),
    (
        "B3",
        "精神状态",
        (
            ItemSpec(
                "B3.1",
                "时间定向",
                "知道并确认时间的能力",
                (
                    (4, "时间观念（年、月）清楚，日期（或星期几）可相差一天"),
                    (3, "时间观念有些下降，年、月、日（或星期几）不能全部分清（相差两天或以上）"),
                    (2, "时间观念较差，年、月、日不清楚，可知上半年或下半年或季节"),
                    (1, "时间观念很差，年、月、日不清楚，可知上午、下午或白天、夜间"),
                    (0, "无时间观念"),
                ),
            ),
            ItemSpec(
                "B3.2",
                "空间定向",
                "知道并确认空间的能力",
                (
                    (4, "能在日常生活范围内单独外出，如在日常居住小区内独自外出购物等"),
                    (3, "不能单独外出，但能准确知道自己日常生活所在地的地址信息"),
                    (2, "不能单独外出，但知道较多有关自己日常生活的地址信息"),
                    (1, "不能单独外出，但知道较少自己居住或生活所在地的地址信息"),
                    (0, "不能单独外出，无空间观念"),
                ),
            ),
            ItemSpec(
                "B3.3",
                "人物定向",
                "知道并确认人物的能力",
                (
                    (4, "认识长期共同一起生活的人，能称呼并知道关系"),
                    (3, "能认识大部分共同生活居住的人，能称呼或知道关系"),
                    (2, "能认识部分日常同住的亲人或照护者等，能称呼或知道关系等"),
                    (1, "只认识自己或极少数日常同住的亲人或照护者等"),
                    (0, "不认识任何人（包括自己）"),
                ),
            ),
            ItemSpec(
                "B3.4",
                "记忆",
                "短时、近期和远期记忆能力",
                (
                    (4, "总能保持与社会、年龄所适应的记忆能力，能完整的回忆"),
                    (3, "出现轻度的记忆紊乱或回忆不能（不能回忆即时信息，3个词语经过5分钟后仅能回忆0~1个）"),
                    (2, "出现中度的记忆紊乱或回忆不能（不能回忆近期记忆，不记得上一顿饭吃了什么）"),
                    (1, "出现重度的记忆紊乱或回忆不能（不能回忆远期记忆，不记得自己的老朋友）"),
                    (0, "记忆完全紊乱或者完全不能对既往事物进行正确的回忆"),
                ),
            ),
            ItemSpec(
                "B3.5",
                "理解能力",
                "理解语言信息和非语言信息的能力（可借助平时使用的助听设备等），即理解别人的话",
                (
                    (4, "能正常理解他人的话"),
                    (3, "能理解他人的话，但需要增加时间"),
                    (2, "理解有困难，需要频繁重复或简化口头表达"),
                    (1, "理解有严重困难，需要大量他人帮助"),
                    (0, "完全不能理解他人的话"),
                ),
            ),
            ItemSpec(
                "B3.6",
                "表达能力",
                "表达信息能力，包括口头的和非口头的，即表达自己的想法",
                (
                    (4, "能正常表达自己的想法"),
                    (3, "能表达自己的需要，但需要增加时间"),
                    (2, "表达需要有困难，需频繁重复或简化口头表达"),
                    (1, "表达有严重困难，需要大量他人帮助"),
                    (0, "完全不能表达需要"),
                ),
            ),
            ItemSpec(
                "B3.7",
                "攻击行为",
                "身体攻击行为（如打/踢/推/咬/抓/摔东西）和语言攻击行为（如骂人、语言威胁、尖叫）",
                ((1, "未出现"), (0, "近一个月内出现过攻击行为")),
            ),
            ItemSpec(
                "B3.8",
                "抑郁症状",
                "存在情绪低落、兴趣减退、活力减退等症状，甚至出现妄想、幻觉、自杀念头或自杀行为"
                "（注：长期的负性情绪）",
                ((1, "未出现"), (0, "近一个月内出现过负性情绪")),
            ),
            ItemSpec(
                "B3.9",
                "意识水平",
                "机体对自身和周围环境的刺激做出应答反应的能力程度，包括清醒和持续的觉醒状态。"
                "神志清醒记 2 分，嗜睡或意识模糊记 1 分，昏睡或昏迷记 0 分。"
                "老人处于昏迷状态时，请在“A.5.11 昏迷”中选“有”，等级将直接评定为最重等级。",
                (
                    (2, "神志清醒，对周围环境能做出正确反应"),
                    (
                        1,
                        "嗜睡（呼唤或推动肢体可唤醒，能正确交谈或执行指令，停止刺激后又继续入睡）；"
                        "或意识模糊（注意力涣散，定向障碍，理解迟钝，记忆模糊不连贯）",
                    ),
                    (
                        0,
                        "昏睡（一般刺激不能觉醒，强刺激可短时清醒）；"
                        "或者昏迷（意识丧失，随意运动丧失，对一般刺激全无反应）",
                    ),
                ),
                note="说明：0 分包括昏睡与昏迷两种情况，只有昏迷适用“昏迷直接评定为完全失能”的规则。",
                extra={"subcodes": B3_9_SUBCODES},
            ),
        ),
    ),
    (
        "B4",
        "感知觉与社会参与",
        (
            ItemSpec(
                "B4.1",
                "视力",
                "感受存在的光线并感受物体的大小、形状的能力。在个体的最好矫正视力下进行评估",
                (
                    (2, "视力正常"),
                    (
                        1,
                        "能看清楚大字体，但看不清书报上的标准字体；"
                        "视力有限，看不清楚报纸大标题，但能辨认物体",
                    ),
                    (0, "只能看到光、颜色和形状；完全失明"),
                ),
            ),
            ItemSpec(
                "B4.2",
                "听力",
                "能辨别声音的方位、音调、音量和音质的有关能力（可借助平时使用助听设备等）",
                (
                    (2, "听力正常"),
                    (
                        1,
                        "在轻声说话或说话距离超过两米时听不清；"
                        "正常交流有些困难，需要在安静的环境或大声说话才能听到",
                    ),
                    (0, "讲话者大声说话或说话很慢，才能部分听见；完全失聪"),
                ),
            ),
            ItemSpec(
                "B4.3",
                "执行日常事务",
                "计划、安排并完成日常事务，包括但不限于洗衣服、小金额购物、服药管理",
                (
                    (4, "能完全独立计划、安排和完成日常事务，无需协助"),
                    (3, "在计划、安排和完成日常事务时需要他人监护或指导"),
                    (2, "在计划、安排和完成日常事务时需要少量协助"),
                    (1, "在计划、安排和完成日常事务时需要大量协助"),
                    (0, "完全依赖他人进行日常事务"),
                ),
            ),
            ItemSpec(
                "B4.4",
                "使用交通工具外出",
                "",
                (
                    (3, "能自己骑车或搭乘公共交通工具外出"),
                    (2, "能自己搭乘出租车，但不会搭乘其他公共交通工具外出"),
                    (1, "当有人协助或陪伴，可搭乘公共交通工具外出"),
                    (0, "只能在他人协助下搭乘出租车或私家车外出；完全不能出门，或者外出完全需要协助"),
                ),
            ),
            ItemSpec(
                "B4.5",
                "社会交往能力",
                "",
                (
                    (4, "参与社会，在社会环境有一定的适应能力，待人接物恰当"),
                    (3, "能适应单纯环境，主动接触他人，初次见面时难让人发现智力问题，不能理解隐喻语"),
                    (2, "脱离社会，可被动接触，不会主动待他人，谈话中很多不适词句，容易上当受骗"),
                    (1, "勉强可与他人接触，谈吐内容不清楚，表情不恰当"),
                    (0, "不能与人交往"),
                ),
            ),
        ),
    ),
)

ITEMS: tuple[ItemSpec, ...] = tuple(item for _, _, items in GROUPS for item in items)

# §1.4: (level, code, label, min total, max total)
LEVELS: tuple[tuple[int, str, str, int, int], ...] = (
    (0, "intact", "能力完好", 90, 90),
    (1, "mild", "能力轻度受损（轻度失能）", 66, 89),
    (2, "moderate", "能力中度受损（中度失能）", 46, 65),
    (3, "severe", "能力重度受损（重度失能）", 30, 45),
    (4, "complete", "能力完全丧失（完全失能）", 0, 29),
)


def level_of_total(total: int) -> int:
    for level, _, _, low, high in LEVELS:
        if low <= total <= high:
            return level
    raise ValueError(f"total {total} outside 0–{MAX_TOTAL}")


def score(
    answers: Mapping[str, object],
    flags: Mapping[str, object] | None = None,
    options: Mapping[str, object] | None = None,
) -> ScoreResult:
    errors: dict[str, list[str]] = {}
    clean = validate_answers(answers, ITEMS, errors)
    parsed_flags = parse_flags(flags, errors)
    parsed_options = parse_options(options, errors)
    if errors:
        raise ScoringError(errors)

    subtotals = {code: sum(clean[item.code] for item in items) for code, _, items in GROUPS}
    total = sum(subtotals.values())
    preliminary = level_of_total(total)
    rules: list[str] = []
    if parsed_flags.coma:
        rules.append("coma")
        final = MAX_LEVEL
    else:
        final = apply_bump_rules(preliminary, parsed_flags, parsed_options, MAX_LEVEL, rules)
    _, label_code, label, _, _ = LEVELS[final]
    return ScoreResult(
        standard=CODE,
        version=VERSION,
        total=total,
        subtotals=subtotals,
        grades=None,
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
        "status": "VERIFIED",
        "total": {"min": 0, "max": MAX_TOTAL},
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
        "flags": FLAGS_DESCRIPTION,
        "options": OPTIONS_DESCRIPTION,
        "levels": [
            {
                "level": level,
                "code": code,
                "label": label,
                "range": {"of": "total", "min": low, "max": high},
            }
            for level, code, label, low, high in LEVELS
        ],
        "rules": [
            {"code": "coma", "text": "处于昏迷状态者，直接评定为能力完全丧失（完全失能）→ 最终等级 4"},
            {
                "code": "diagnosis",
                "text": "确诊为痴呆（F00～F03）或精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99）"
                "→ 提高一级",
            },
            {"code": "risk_events", "text": "近30天内发生过2次及以上照护风险事件 → 提高一级"},
            {"code": "cap", "text": "最高为 4 级（仅当封顶实际降低了等级时记录）"},
        ],
        "input_policy": INPUT_POLICY,
    }
