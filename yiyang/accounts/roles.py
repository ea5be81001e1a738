"""Roles (PRODUCT.md §1) and the permission vocabulary, declared in code.

A user holds grants (role × region). Each role maps permission codes to a scope kind:
``REGION`` — rows in the grant's region and below; ``OWN`` — only the user's own rows (the caregiver's
orders, the provider's organisation, the family's elders), decided by the model's ``scope_own_q``.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from yiyang.accounts.permissions import PERMISSIONS as ACCOUNTS_PERMISSIONS
from yiyang.analytics.permissions import PERMISSIONS as ANALYTICS_PERMISSIONS
from yiyang.assessments.permissions import PERMISSIONS as ASSESSMENTS_PERMISSIONS
from yiyang.audit.permissions import PERMISSIONS as AUDIT_PERMISSIONS
from yiyang.benefits.permissions import PERMISSIONS as BENEFITS_PERMISSIONS
from yiyang.core.permissions import PERMISSIONS as CORE_PERMISSIONS
from yiyang.devices.permissions import PERMISSIONS as DEVICES_PERMISSIONS
from yiyang.elders.permissions import PERMISSIONS as ELDERS_PERMISSIONS
from yiyang.hotline.permissions import PERMISSIONS as HOTLINE_PERMISSIONS
from yiyang.orders.permissions import PERMISSIONS as ORDERS_PERMISSIONS
from yiyang.planning.permissions import PERMISSIONS as PLANNING_PERMISSIONS
from yiyang.providers.permissions import PERMISSIONS as PROVIDERS_PERMISSIONS
from yiyang.regions.permissions import PERMISSIONS as REGIONS_PERMISSIONS
from yiyang.renovation.permissions import PERMISSIONS as RENOVATION_PERMISSIONS
from yiyang.visits.permissions import PERMISSIONS as VISITS_PERMISSIONS

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
    VOLUNTEER = "volunteer", "探访志愿者"


# Every permission the platform knows, with its Chinese label: each app declares its own in its
# ``permissions.py`` (pure data); here they are assembled, and a code declared twice is an error.
_DECLARED: list[dict[str, str]] = [
    REGIONS_PERMISSIONS,
    AUDIT_PERMISSIONS,
    CORE_PERMISSIONS,
    ACCOUNTS_PERMISSIONS,
    ELDERS_PERMISSIONS,
    ASSESSMENTS_PERMISSIONS,
    PROVIDERS_PERMISSIONS,
    ORDERS_PERMISSIONS,
    BENEFITS_PERMISSIONS,
    HOTLINE_PERMISSIONS,
    RENOVATION_PERMISSIONS,
    DEVICES_PERMISSIONS,
    PLANNING_PERMISSIONS,
    VISITS_PERMISSIONS,
    ANALYTICS_PERMISSIONS,
]


def _assemble(declared: list[dict[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for perms in declared:
        twice = out.keys() & perms.keys()
        if twice:
            raise ImproperlyConfigured(f"permission declared twice: {sorted(twice)}")
        out.update(perms)
    return out


PERMISSIONS: dict[str, str] = _assemble(_DECLARED)

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
    "orders.order_for",
    "orders.complain",
    "complaints.view",
    "benefits.view",
    "benefits.confirm",
]

# The catalog is the city's (decision 0006): only the city edits it; a county sets its own price for an
# item where the city allows it (``providers.price``).
# The 12349 centre (issue 12): operators take calls and emergencies and keep work orders moving;
# dispatchers also remind (督办); grassroots workers see the emergencies of their area.
_HOTLINE = [
    "hotline.console",
    "calls.view",
    "calls.add",
    "incidents.view",
    "incidents.open",
    "incidents.handle",
    "workorders.view",
    "workorders.handle",
    "duty.view",
]

# Smart devices (issue 13): the hotline and grassroots workers see devices and handle alarms; grassroots
# workers and the family mark an elder away; provider admins and the family see their own elders'.
_DEVICES = ["devices.view", "alarms.view", "alarms.handle"]

ROLE_PERMISSIONS: dict[str, dict[str, str]] = {
    Role.CITY_ADMIN: dict(_ADMIN),
    # Policy values are set by the city (a county override too): the county sees them only. The catalog
    # is the city's too (decision 0006): a county sets its own price (``providers.price``).
    Role.COUNTY_ADMIN: {
        p: k
        for p, k in _ADMIN.items()
        if p not in {"policy.manage", "providers.catalog", "hotline.integrations", "devices.vendors"}
    },
    Role.STREET_WORKER: {
        p: REGION for p in [*_GRASSROOTS, "incidents.view", "incidents.open", *_DEVICES, "devices.away"]
    },
    Role.COMMUNITY_WORKER: {
        p: REGION for p in [*_GRASSROOTS, "incidents.view", "incidents.open", *_DEVICES, "devices.away"]
    },
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
            "orders.order_for",
            "orders.dispatch",
            "orders.supervise",
            "complaints.view",
            "complaints.handle",
            *_HOTLINE,
            "workorders.supervise",
            "duty.manage",
            "hotline.reports",
            *_DEVICES,
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
            "orders.order_for",
            "orders.complain",
            "complaints.view",
            *_HOTLINE,
            *_DEVICES,
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
        "devices.view": OWN,
        "alarms.view": OWN,
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
            "benefits.view",
            "calls.view",
            "incidents.view",
            "workorders.view",
            "duty.view",
            "hotline.reports",
            "devices.view",
            "alarms.view",
        ]
    },
    Role.FAMILY: {
        "incidents.view": OWN,
        "incidents.open": OWN,
        "elders.view": OWN,
        "orders.view": OWN,
        "orders.add": OWN,
        "orders.confirm": OWN,
        "orders.complain": OWN,
        "complaints.view": OWN,
        "devices.view": OWN,
        "alarms.view": OWN,
        "devices.away": OWN,
    },
}

# Benefit programmes (amounts and rules) are the city's policy, like policy values: counties run them.
ROLE_PERMISSIONS[Role.COUNTY_ADMIN].pop("benefits.programmes", None)
# Home aging-renovation (issue 15): the street reviews, publicises and accepts on site; the community
# worker takes applications, objections, sign-off and warranty claims; the third-party assessor assesses
# and plans; a contractor (施工) or supervisor (监理) organisation's administrators act on their own
# households. City and county administrators hold every renovation permission through _ADMIN.
ROLE_PERMISSIONS[Role.STREET_WORKER].update(
    {p: REGION for p in ["renovation.view", "renovation.apply", "renovation.review"]}
)
ROLE_PERMISSIONS[Role.COMMUNITY_WORKER].update({p: REGION for p in ["renovation.view", "renovation.apply"]})
ROLE_PERMISSIONS[Role.ASSESSOR].update({p: REGION for p in ["renovation.view", "renovation.assess"]})
ROLE_PERMISSIONS[Role.PROVIDER_ADMIN].update(
    {"renovation.view": OWN, "renovation.build": OWN, "renovation.supervise": OWN}
)
ROLE_PERMISSIONS[Role.AUDITOR]["renovation.view"] = REGION
# Statistics and KPIs (issue 17): city and county administrators read the dashboards and enter their
# departments' values (through _ADMIN); street workers read their street's dashboard; auditors read.
ROLE_PERMISSIONS[Role.STREET_WORKER]["kpis.view"] = REGION
ROLE_PERMISSIONS[Role.AUDITOR]["kpis.view"] = REGION

# 探访关爱 (issue 14): grid and community workers keep the risk classes, plans and visit records of their
# area; the street also starts campaigns and exports the 台账; a volunteer records the visits given to them.
# The city keeps the rule set (a county may publish its own: _ADMIN holds visits.rules).
_VISITS_GRASSROOTS = ["visits.view", "visits.record", "visits.plan", "visits.override", "visits.export"]
ROLE_PERMISSIONS[Role.STREET_WORKER].update({p: REGION for p in [*_VISITS_GRASSROOTS, "visits.campaign"]})
ROLE_PERMISSIONS[Role.COMMUNITY_WORKER].update({p: REGION for p in _VISITS_GRASSROOTS})
ROLE_PERMISSIONS[Role.VOLUNTEER] = {p: REGION for p in ["regions.view", "visits.view", "visits.record"]}
ROLE_PERMISSIONS[Role.AUDITOR]["visits.view"] = REGION

# The home page each role lands on (a URL name); the generic dashboard otherwise.
ROLE_HOME: dict[str, str] = {}


def role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
