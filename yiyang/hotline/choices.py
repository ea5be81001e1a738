"""Machine values of the hotline with their Chinese labels (people see the labels, never the codes)."""

from __future__ import annotations

from django.db import models


class CallDirection(models.TextChoices):
    IN = "in", "来电"
    OUT = "out", "去电"


class CallKind(models.TextChoices):
    CONSULTATION = "consultation", "咨询"
    SERVICE_REQUEST = "service_request", "服务需求"
    EMERGENCY = "emergency", "紧急呼援"
    COMPLAINT = "complaint", "投诉"
    CARE_CALL = "care_call", "关爱回访"
    APPOINTMENT = "appointment", "预约挂号"


class IncidentKind(models.TextChoices):
    SOS = "sos", "一键呼救"
    FALL = "fall", "跌倒"
    MEDICAL = "medical", "突发疾病"
    OTHER = "other", "其他"


class IncidentSource(models.TextChoices):
    CALL = "call", "来电"
    PAGE = "page", "呼救页面"
    DEVICE = "device", "智能设备"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "待确认"
    ACKNOWLEDGED = "acknowledged", "已确认"
    DISPATCHED = "dispatched", "已派员"
    ARRIVED = "arrived", "已到达"
    CLOSED = "closed", "已结案"


class IncidentOutcome(models.TextChoices):
    FALSE_ALARM = "false_alarm", "误报"
    HANDLED_AT_HOME = "handled_at_home", "居家处置"
    HOSPITAL = "hospital", "送医"
    OTHER = "other", "其他"


class WorkOrderStatus(models.TextChoices):
    ACCEPTED = "accepted", "受理"
    ASSIGNED = "assigned", "已派单"
    HANDLING = "handling", "处置中"
    RESOLVED = "resolved", "已办结"
    CLOSED = "closed", "已回访"


class WorkOrderSource(models.TextChoices):
    HOTLINE_12345 = "12345", "12345 转办"
    CALL = "call", "12349 来电"


class HandlerKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    STREET = "street", "街道（乡镇）"
    COMMUNITY = "community", "社区（村）"
    PROVIDER = "provider", "服务机构"
    ORDERS = "orders", "上门服务工单"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"
    UNREACHABLE = "unreachable", "未联系上"


class ShiftRole(models.TextChoices):
    OPERATOR = "operator", "话务员"
    DISPATCHER = "dispatcher", "调度员"
    SUPERVISOR = "supervisor", "值班长"


class CareCallStatus(models.TextChoices):
    PENDING = "pending", "待回访"
    DONE = "done", "已回访"
    UNREACHABLE = "unreachable", "未接通"


class AnswerKind(models.TextChoices):
    FACILITY = "facility", "养老服务设施"
    PROVIDER = "provider", "服务机构"
