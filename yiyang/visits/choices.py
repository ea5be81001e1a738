from django.db import models


class RiskClass(models.TextChoices):
    A = "A", "A类（高风险）"
    B = "B", "B类（中风险）"
    C = "C", "C类（一般风险）"


class Method(models.TextChoices):
    PHONE = "phone", "电话问候"
    VIDEO = "video", "视频连线"
    IN_PERSON = "in_person", "上门探访"


class PlanItemStatus(models.TextChoices):
    DUE = "due", "待探访"
    DONE = "done", "已探访"
    DONE_LATE = "done_late", "逾期后已探访"
    CANCELLED = "cancelled", "已取消"


class CampaignEvent(models.TextChoices):
    HEATWAVE = "heatwave", "高温"
    TYPHOON = "typhoon", "台风"
    EPIDEMIC = "epidemic", "疫情"
    COLD_SNAP = "cold_snap", "寒潮"
    OTHER = "other", "其他突发情况"


class FollowUpKind(models.TextChoices):
    ORDER = "order", "居家上门服务工单"
    ASSESSMENT = "assessment", "能力评估申请"
    WORK_ORDER = "work_order", "热线工单"
    RENOVATION = "renovation", "适老化改造申请"


# The facts a rule may test, with the words a reason is written in.
FACTS: dict[str, str] = {
    "alone": "独居",
    "left_behind": "留守",
    "empty_nest": "空巢",
    "family_planning": "计划生育特殊家庭",
    "disabled": "失能（中度以上或特困自理能力完全丧失）",
    "severe_disability": "重度残疾（残疾人证一级或二级）",
    "age80": "80周岁以上",
    "tekun": "特困人员",
}

# The findings checklist of a visit: key → (label, allowed answers).
FINDINGS: dict[str, tuple[str, dict[str, str]]] = {
    "health": ("身体状况", {"good": "良好", "fair": "一般", "poor": "较差", "urgent": "需立即就医"}),
    "mood": ("精神状态", {"good": "良好", "low": "情绪低落", "anxious": "焦虑不安", "confused": "神志不清"}),
    "food": ("家中食物", {"enough": "充足", "short": "不足"}),
    "medicine": ("家中药品", {"enough": "充足", "short": "不足", "na": "无需服药"}),
    "devices": ("智能设备", {"ok": "工作正常", "fault": "有故障", "none": "未安装"}),
}
# Safety hazards (any checked is an open hazard until a later visit closes it).
HAZARDS: dict[str, str] = {
    "gas": "燃气隐患",
    "wiring": "电线老化或私拉乱接",
    "stairs": "楼梯、地面易跌倒",
    "fire": "消防隐患",
    "other": "其他安全隐患",
}
