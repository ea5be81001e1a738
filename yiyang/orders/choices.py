from django.db import models


class OrderStatus(models.TextChoices):
    CREATED = "created", "待派单"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "已接单"
    DECLINED = "declined", "已拒单"
    CHECKED_IN = "checked_in", "服务中"
    CHECKED_OUT = "checked_out", "待确认"
    CONFIRMED = "confirmed", "已确认"
    RATED = "rated", "已评价"
    SETTLED = "settled", "已结算"
    CANCELLED = "cancelled", "已取消"


class Channel(models.TextChoices):
    """How an order came in, recorded truly (never defaulted): see ``yiyang.orders.ordering.order_channel``."""

    HOTLINE = "hotline", "12349 热线"
    COMMUNITY = "community", "社区/街道代下单"
    FAMILY = "family", "老人/家属线上点单"
    WEB = "web", "平台网页下单"
    DISPATCHER = "dispatcher", "调度员下单"
    DEVICE = "device", "一键呼叫设备"
    RECURRING = "recurring", "周期服务自动生成"
    CARE_PLAN = "care_plan", "照护计划"


class OrderableChannel(models.TextChoices):
    """The channels a caller may name when ordering (周期服务 orders come only from their plan)."""

    HOTLINE = Channel.HOTLINE.value, Channel.HOTLINE.label
    COMMUNITY = Channel.COMMUNITY.value, Channel.COMMUNITY.label
    FAMILY = Channel.FAMILY.value, Channel.FAMILY.label
    WEB = Channel.WEB.value, Channel.WEB.label
    DISPATCHER = Channel.DISPATCHER.value, Channel.DISPATCHER.label
    DEVICE = Channel.DEVICE.value, Channel.DEVICE.label
    CARE_PLAN = Channel.CARE_PLAN.value, Channel.CARE_PLAN.label


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "执行中"
    PAUSED = "paused", "已暂停"
    ENDED = "ended", "已结束"


class FlagCode(models.TextChoices):
    FAR_CHECK_IN = "far_check_in", "签到位置距老人住址过远"
    SHORT_SERVICE = "short_service", "服务时长不足标准时长一半"
    DOUBLE_PRESENCE = "double_presence", "同一服务人员同时在两处服务"
    INACTIVE_ELDER = "inactive_elder", "老人已故或已迁出"
    UNCERTIFIED_STAFF = "uncertified_staff", "服务人员无有效资格证书"
    BACKDATED = "backdated", "补录/倒签记录"
    OFF_SCHEDULE = "off_schedule", "签到时间与预约时间相差过大"
    FAR_CHECK_OUT = "far_check_out", "签退位置距老人住址过远"


class FlagStatus(models.TextChoices):
    OPEN = "open", "待核查"
    CLEARED = "cleared", "核实无误（放行结算）"
    REJECTED = "rejected", "驳回（不予结算）"


class LineKind(models.TextChoices):
    CHARGE = "charge", "结算"
    REVERSAL = "reversal", "冲正"


class ComplaintCategory(models.TextChoices):
    NO_SHOW = "no_show", "未上门/虚假服务"
    QUALITY = "quality", "服务质量"
    ATTITUDE = "attitude", "服务态度"
    LATE = "late", "超时/迟到"
    CHARGE = "charge", "收费问题"
    OTHER = "other", "其他"


class ComplaintChannel(models.TextChoices):
    FAMILY = "family", "家属线上"
    HOTLINE = "hotline", "热线"
    COMMUNITY = "community", "社区工作者"
    ELDER = "elder", "老人本人"


class ComplaintStatus(models.TextChoices):
    OPEN = "open", "待受理"
    HANDLING = "handling", "处理中"
    RESOLVED = "resolved", "已办结"


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", "属实"
    DISMISSED = "dismissed", "不属实"
