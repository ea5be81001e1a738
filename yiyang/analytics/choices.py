from django.db import models


class Direction(models.TextChoices):
    UP = "up", "越高越好"
    DOWN = "down", "越低越好"
    NONE = "none", "统计量（不评价高低）"


class Source(models.TextChoices):
    COMPUTED = "computed", "平台数据计算"
    ENTERED = "entered", "部门填报"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "达标/进度正常"
    AT_RISK = "at_risk", "有风险"
    BEHIND = "behind", "滞后"
    NO_DATA = "no_data", "无数据"


class Aggregate(models.TextChoices):
    """How a computed value rolls up from communities to streets, counties and the city."""

    COUNT = "count", "合计"
    RATIO = "ratio", "比率（分子合计 ÷ 分母合计）"
    MEAN = "mean", "平均（总量合计 ÷ 件数合计）"


LEVELS = ["city", "county", "town", "village"]
LEVEL_LABELS = {"city": "市", "county": "县（区）", "town": "街道（乡镇）", "village": "社区（村）"}

# Evidence files by the type sniffed from their content (``analytics.evidence``), as people read them.
EVIDENCE_KIND_LABELS = {"pdf": "PDF", "jpg": "图片", "png": "图片", "webp": "图片", "xlsx": "Excel"}
