"""Machine values of allowances and subsidies, each with its Chinese label (ARCHITECTURE rule 13)."""

from django.db import models


class ProgrammeKind(models.TextChoices):
    AGE_ALLOWANCE = "age_allowance", "高龄津贴"
    LONGEVITY = "longevity", "长寿保健金"
    SERVICE_SUBSIDY = "service_subsidy", "养老服务补贴"
    CARE_SUBSIDY = "care_subsidy", "护理补贴"
    DISABILITY_CARE = "disability_care", "重度残疾人护理补贴"


class PaymentMode(models.TextChoices):
    CASH = "cash", "银行代发"
    CREDIT = "credit", "服务额度"


class EnrolmentStatus(models.TextChoices):
    PROPOSED = "proposed", "待确认"
    ACTIVE = "active", "享受中"
    SUSPENDED = "suspended", "已停发"
    REJECTED = "rejected", "不予认定"


class EnrolmentSource(models.TextChoices):
    REGISTER = "register", "免申即享"
    APPLICATION = "application", "申请"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "待复核"
    APPROVED = "approved", "已复核"
    PAID = "paid", "已发放"


class LineKind(models.TextChoices):
    REGULAR = "regular", "正常发放"
    ARREARS = "arrears", "补发"
    RECOVERY = "recovery", "追回"


class LineStatus(models.TextChoices):
    PENDING = "pending", "待发放"
    PAID = "paid", "已发放"
    RETURNED = "returned", "银行退回"


class CreditKind(models.TextChoices):
    GRANT = "grant", "按月发放额度"
    SPEND = "spend", "服务抵扣"
    EXPIRE = "expire", "月末清零"
    REVERSAL = "reversal", "冲销"


class DeathSource(models.TextChoices):
    FUNERAL = "funeral", "殡葬管理部门"
    POLICE = "police", "公安户籍"


class DeathImportStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    CANCELLED = "cancelled", "已取消"
