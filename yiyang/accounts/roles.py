"""Roles (PRODUCT.md §1) and the permission vocabulary, declared in code.

A user holds grants (role × region). Each role maps permission codes to a scope kind:
``REGION`` — rows in the grant's region and below; ``OWN`` — only the user's own rows (the caregiver's
orders, the provider's organisation, the family's elders), decided by the model's ``scope_own_q``.
"""

from __future__ import annotations

from django.db import models

REGION = "region"
OWN = "own"


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", "市级民政管理员"
    COUNTY_ADMIN = "county_admin", "县(区)民政管理员"
    STREET_WORKER = "street_worker", "街道(乡镇)工作人员"
    COMMUNITY_WORKER = "community_worker", "社区(村)工作者"
    ASSESSOR = "assessor", "评估员"
    DISPATCHER = "dispatcher", "调度员"
    OPERATOR = "operator", "话务员"
    PROVIDER_ADMIN = "provider_admin", "服务商管理员"
    CAREGIVER = "caregiver", "服务人员"
    AUDITOR = "auditor", "审计员"
    FAMILY = "family", "老人家属"


# Every permission the platform knows, with its Chinese label.
PERMISSIONS: dict[str, str] = {
    "regions.view": "查看行政区划",
    "regions.import": "导入行政区划",
    "audit.view": "查看审计日志",
    "jobs.view": "查看后台任务",
    "jobs.run": "手动运行后台任务",
    "accounts.view": "查看账户",
    "elders.view": "查看老年人信息",
    "elders.add": "登记老年人",
    "elders.change": "修改老年人信息",
    "elders.status": "变更老年人状态（迁出/死亡）",
    "elders.reveal": "查看完整身份证号/电话",
    "elders.import": "批量导入老年人",
    "elders.export": "导出老年人名册",
    "assessments.view": "查看能力评估",
    "assessments.score": "评估计分",
    "assessments.request": "申请能力评估",
    "assessments.assign": "指派评估机构与评估员",
    "assessments.perform": "实施能力评估",
    "assessments.record_external": "录入他部门评估结果",
    "providers.view": "查看服务商",
    "providers.manage": "管理服务人员、证书与设施",
    "providers.register": "登记与修改服务机构、签订购买服务合同",
    "providers.catalog": "管理服务目录、补贴比例与月度额度（市级）",
    "providers.price": "设定本区县服务价格（市级允许时）",
    "orders.view": "查看服务工单",
    "orders.add": "创建服务工单",
    "orders.dispatch": "派单",
    "orders.serve": "接单与上门服务",
    "orders.confirm": "确认与评价服务",
    "orders.supervise": "处理异常工单",
    "orders.complain": "登记服务投诉",
    "complaints.view": "查看服务投诉",
    "complaints.handle": "受理与办结服务投诉",
    "settlements.view": "查看结算",
    "settlements.manage": "生成结算单",
}

_ADMIN = {p: REGION for p in PERMISSIONS if p not in {"orders.serve", "orders.confirm"}}

# Street and community workers keep the register and take applications and orders (PRODUCT.md §1).
_GRASSROOTS = [
    "regions.view",
    "elders.view",
    "elders.add",
    "elders.change",
    "elders.status",
    "elders.reveal",
    "elders.import",
    "elders.export",
    "assessments.view",
    "assessments.request",
    "providers.view",
    "orders.view",
    "orders.add",
    "orders.complain",
    "complaints.view",
]

# The catalog is the city's (decision 0006): only the city edits it; a county sets its own price for an
# item where the city allows it (``providers.price``).
ROLE_PERMISSIONS: dict[str, dict[str, str]] = {
    Role.CITY_ADMIN: dict(_ADMIN),
    Role.COUNTY_ADMIN: {p: k for p, k in _ADMIN.items() if p != "providers.catalog"},
    Role.STREET_WORKER: {p: REGION for p in _GRASSROOTS},
    Role.COMMUNITY_WORKER: {p: REGION for p in _GRASSROOTS},
    Role.ASSESSOR: {
        p: REGION
        for p in [
            "regions.view",
            "elders.view",
            "assessments.view",
            "assessments.score",
            "assessments.perform",
        ]
    },
    Role.DISPATCHER: {
        p: REGION
        for p in [
            "regions.view",
            "elders.view",
            "providers.view",
            "orders.view",
            "orders.add",
            "orders.dispatch",
            "orders.supervise",
            "complaints.view",
            "complaints.handle",
        ]
    },
    Role.OPERATOR: {
        p: REGION
        for p in [
            "regions.view",
            "elders.view",
            "providers.view",
            "orders.view",
            "orders.add",
            "orders.complain",
            "complaints.view",
        ]
    },
    Role.PROVIDER_ADMIN: {
        "regions.view": REGION,
        "providers.view": OWN,
        "providers.manage": OWN,
        "orders.view": OWN,
        "orders.dispatch": OWN,
        "settlements.view": OWN,
        "complaints.view": OWN,
    },
    Role.CAREGIVER: {"regions.view": REGION, "orders.view": OWN, "orders.serve": OWN},
    Role.AUDITOR: {
        p: REGION
        for p in [
            "regions.view",
            "audit.view",
            "jobs.view",
            "accounts.view",
            "elders.view",
            "assessments.view",
            "providers.view",
            "orders.view",
            "settlements.view",
            "complaints.view",
        ]
    },
    Role.FAMILY: {
        "elders.view": OWN,
        "orders.view": OWN,
        "orders.add": OWN,
        "orders.confirm": OWN,
        "orders.complain": OWN,
        "complaints.view": OWN,
    },
}

# The home page each role lands on (a URL name); the generic dashboard otherwise.
ROLE_HOME: dict[str, str] = {}


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
