from django.db import models


class OrgType(models.TextChoices):
    CARE_HOME = "care_home", "养老机构"
    COMPREHENSIVE_CENTRE = "comprehensive_centre", "区域性养老服务综合体（中心）"
    DAY_CARE = "day_care", "日间照料中心"
    STATION = "station", "社区养老服务站"
    CANTEEN = "canteen", "老年食堂（助餐点）"
    HOME_SERVICE = "home_service", "居家上门服务企业"
    MEDICAL = "medical", "医疗机构"


class CareHomeGrade(models.TextChoices):
    """GB/T 37276-2018《养老机构等级划分与评定》: five levels, 五级 the highest (STANDARDS.md §7.1)."""

    ONE = "1", "一级"
    TWO = "2", "二级"
    THREE = "3", "三级"
    FOUR = "4", "四级"
    FIVE = "5", "五级"


class ServiceCategory(models.TextChoices):
    MEAL = "meal", "助餐"
    CLEANING = "cleaning", "助洁"
    BATHING = "bathing", "助浴"
    WALKING = "walking", "助行"
    MEDICAL = "medical", "助医"
    EMERGENCY = "emergency", "助急"
    HOUSEKEEPING = "housekeeping", "家政"
    PERSONAL_CARE = "personal_care", "生活照料"
    REHAB = "rehab", "康复护理"
    ESCORT = "escort", "陪诊"
    COMPANIONSHIP = "companionship", "精神慰藉"
    RESPITE = "respite", "短期托养"


class Skill(models.TextChoices):
    MEAL = "meal", "助餐配送"
    CLEANING = "cleaning", "清洁"
    BATHING = "bathing", "助浴"
    WALKING = "walking", "助行与转移"
    MEDICAL = "medical", "助医与用药协助"
    FIRST_AID = "first_aid", "应急救护"
    HOUSEKEEPING = "housekeeping", "家政"
    PERSONAL_CARE = "personal_care", "生活照料"
    REHAB = "rehab", "康复护理"
    ESCORT = "escort", "陪诊"
    COMPANIONSHIP = "companionship", "精神慰藉"


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", "在职"
    ON_LEAVE = "on_leave", "休假"
    LEFT = "left", "离职"


class Unit(models.TextChoices):
    VISIT = "visit", "次"
    HOUR = "hour", "小时"
    MEAL = "meal", "餐"
    DAY = "day", "天"


def skill_labels(codes: list[str]) -> list[str]:
    labels = dict(Skill.choices)
    return [str(labels.get(c, c)) for c in codes]
