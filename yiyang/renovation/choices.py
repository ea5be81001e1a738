"""Machine values of the home aging-renovation programme (居家适老化改造) with their Chinese labels."""

from __future__ import annotations

from django.db import models


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "实施中"
    CLOSED = "closed", "已结束"


class CatalogCategory(models.TextChoices):
    """STANDARDS.md §4.2: seven categories, codes C1–C7 (stable)."""

    FLOOR = "C1", "地面改造"
    DOOR = "C2", "门改造"
    BEDROOM = "C3", "卧室改造"
    BATH = "C4", "如厕洗浴设备改造"
    KITCHEN = "C5", "厨房设备改造"
    ENVIRONMENT = "C6", "物理环境改造"
    AIDS = "C7", "老年用品配置"


class Feb29Rule(models.TextChoices):
    """When a person born on 29 February reaches an age in a non-leap year (STANDARDS.md §4.2)."""

    MAR1 = "mar1", "非闰年按3月1日计"
    FEB28 = "feb28", "非闰年按2月28日计"


class Applicant(models.TextChoices):
    ELDER = "elder", "老年人本人"
    GUARDIAN = "guardian", "监护人"
    COMMUNITY_WORKER = "community_worker", "社区工作者代为申请"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已申请待街道审核"
    PUBLICITY = "publicity", "公示中"
    PUBLICISED = "publicised", "公示期满待区县审批"
    APPROVED = "approved", "已批准待入户评估"
    ASSESSED = "assessed", "已评估待制定方案"
    PLANNED = "planned", "方案待签字确认"
    SIGNED = "signed", "已签字待施工"
    BUILDING = "building", "施工中"
    COMPLETED = "completed", "已完工待验收"
    ACCEPTED = "accepted", "已验收待拨付"
    PAID = "paid", "已拨付（质保期）"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class PhotoKind(models.TextChoices):
    BEFORE = "before", "改造前"
    AFTER = "after", "改造后"
    REPAIR = "repair", "保修维修"


class ClaimStatus(models.TextChoices):
    OPEN = "open", "待维修"
    REPAIRED = "repaired", "已维修"


class GrantSource(models.TextChoices):
    DISABLED_FEDERATION = "dpf", "残联"
    HOUSING = "housing", "住建部门"
    RURAL = "rural", "乡村振兴部门"
    CIVIL_AFFAIRS = "civil", "民政部门（其他项目）"
    OTHER = "other", "其他部门或单位"


class RuleCode(models.TextChoices):
    """The eligibility rules in the order they are shown (API contract of issue 15)."""

    TARGET_CATEGORY = "target_category", "对象类别"
    AGE_80 = "age_80", "高龄（年满80周岁）"
    DISABLED_CAPABILITY = "disabled_capability", "失能"
    DISABILITY_CERTIFICATE = "disability_certificate", "残疾（第二代或第三代残疾人证）"
    ONE_OF = "one_of_age_capability_certificate", "高龄、失能、残疾至少一项"
    HOUSING_RIGHT = "housing_right", "住房产权或长期使用权"
    NOT_DEMOLITION = "not_demolition", "未列入征收拆迁计划"
    NOT_ALREADY_SUBSIDISED = "not_already_subsidised", "未享受过同类改造补贴"


# The catalog's stable item codes (STANDARDS.md §4.2), SLH-01 … SLH-30.
ITEM_CODE_CHOICES: list[tuple[str, str]] = [(f"SLH-{n:02d}", f"SLH-{n:02d}") for n in range(1, 31)]

# Who signs the plan (a subset of ``Applicant``).
SIGN_RELATION_CHOICES: list[tuple[str, str]] = [("elder", "老年人本人"), ("guardian", "监护人")]
