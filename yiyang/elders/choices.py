from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class ElderStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    MOVED_OUT = "moved_out", "已迁出"
    DECEASED = "deceased", "已故"


class LivingSituation(models.TextChoices):
    ALONE = "alone", "独居"
    EMPTY_NEST = "empty_nest", "空巢"
    LEFT_BEHIND = "left_behind", "留守"
    WITH_SPOUSE = "with_spouse", "与配偶同住"
    WITH_CHILDREN = "with_children", "与子女同住"
    WITH_OTHERS = "with_others", "与其他亲属/他人同住"
    INSTITUTION = "institution", "入住养老机构"
    UNKNOWN = "unknown", "不详"


class Category(models.TextChoices):
    TEKUN_DISPERSED = "tekun_dispersed", "特困（分散供养）"
    TEKUN_CENTRALISED = "tekun_centralised", "特困（集中供养）"
    DIBAO = "dibao", "低保"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    POVERTY_MONITOR = "poverty_monitor", "建档立卡/防返贫监测"
    FAMILY_PLANNING = "family_planning_special", "计划生育特殊家庭"
    DISABLED = "disabled", "残疾（持残疾人证）"
    PRIORITY_CARE = "priority_care", "重点优抚对象"


class DisabilityCertificate(models.TextChoices):
    SECOND = "second", "第二代残疾人证"
    THIRD = "third", "第三代残疾人证"


class Relation(models.TextChoices):
    SPOUSE = "spouse", "配偶"
    SON = "son", "儿子"
    DAUGHTER = "daughter", "女儿"
    CHILD_IN_LAW = "child_in_law", "儿媳/女婿"
    GRANDCHILD = "grandchild", "孙辈"
    SIBLING = "sibling", "兄弟姐妹"
    RELATIVE = "relative", "其他亲属"
    NEIGHBOUR = "neighbour", "邻居"
    GUARDIAN = "guardian", "监护人"
    OTHER = "other", "其他"
