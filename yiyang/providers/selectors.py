"""Reads of providers and the catalog, and the pricing rules (subsidy share, monthly quota) as data."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from yiyang.providers.choices import EmploymentStatus
from yiyang.providers.models import (
    Certificate,
    Contract,
    ContractItem,
    Facility,
    MonthlyQuota,
    Organisation,
    ServiceItem,
    Staff,
    SubsidyRule,
)

EXPIRY_SOON_DAYS = 30


def organisation_list(*, user: Any, perm: str = "providers.view") -> QuerySet[Organisation]:
    return (
        Organisation.objects.restrict(user, perm)
        .select_related("region")
        .prefetch_related("regions_served")
        .annotate(staff_count=Count("staff", distinct=True))
        .order_by("name")
    )


def staff_list(*, user: Any, perm: str = "providers.view") -> QuerySet[Staff]:
    return (
        Staff.objects.restrict(user, perm)
        .select_related("organisation", "user")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.order_by("valid_until")))
        .order_by("organisation__name", "name")
    )


def organisation_scoped(*, user: Any, perm: str) -> QuerySet[Organisation]:
    """The organisations the user may settle with (``perm`` = ``settlements.manage``): registered in the
    user's scope, or serving a region in it (a provider of county A serving county B is settled by B
    for B's elders, decision 0006). Unordered and unannotated."""
    from yiyang.regions.scope import prefixes_q

    mine = Organisation.objects.restrict(user, perm).values("pk")
    prefixes = user.scope_prefixes(perm) if getattr(user, "is_authenticated", False) else []
    serving = prefixes_q("regions_served__code", prefixes)
    serving_ids = (
        Organisation.objects.filter(serving).values("pk") if serving.children else Organisation.objects.none()
    )
    return Organisation.objects.filter(Q(pk__in=mine) | Q(pk__in=serving_ids))


def organisations_administered(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(admins=user)


def staff_get(*, public_id: Any) -> Staff | None:
    return Staff.objects.select_related("organisation", "user").filter(public_id=public_id).first()


def staff_for_user(*, user_id: Any) -> Staff | None:
    return Staff.objects.filter(user_id=user_id).first()


def staff_serving(
    *, region_codes: list[str], organisations: Iterable[Organisation] | None = None
) -> list[Staff]:
    """Active staff of the active organisations serving any of the regions (one query + certificates)."""
    qs = Staff.objects.filter(
        employment_status=EmploymentStatus.ACTIVE,
        organisation__is_active=True,
        organisation__regions_served__code__in=region_codes,
    )
    if organisations is not None:
        qs = qs.filter(organisation__in=list(organisations))
    return list(
        qs.distinct()
        .select_related("organisation")
        .prefetch_related(Prefetch("certificates", queryset=Certificate.objects.all()))
    )


def service_item_get(*, public_id: Any) -> ServiceItem | None:
    return ServiceItem.objects.filter(public_id=public_id).first()


def subsidy_rule_list() -> QuerySet[SubsidyRule]:
    return SubsidyRule.objects.all()


def monthly_quota_list() -> QuerySet[MonthlyQuota]:
    return MonthlyQuota.objects.all()


def service_item_list(*, active_only: bool = True) -> QuerySet[ServiceItem]:
    qs = ServiceItem.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def elder_categories_on(elder: Any, day: date) -> list[str]:
    return sorted({c.category for c in elder.categories.all() if c.is_valid_on(day)})


def government_share_bp(
    *, categories: list[str], service_category: str, day: date, rules: list[SubsidyRule] | None = None
) -> int:
    """The most favourable share among the elder's valid categories (0 when none applies)."""
    rules = rules if rules is not None else list(SubsidyRule.objects.filter(category__in=categories))
    best = 0
    for rule in rules:
        if (
            rule.category in categories
            and rule.is_valid_on(day)
            and (not rule.service_category or rule.service_category == service_category)
        ):
            best = max(best, rule.government_bp)
    return best


def monthly_quota(*, categories: list[str], day: date, quotas: list[MonthlyQuota] | None = None) -> int:
    quotas = quotas if quotas is not None else list(MonthlyQuota.objects.filter(category__in=categories))
    return max(
        (q.services_per_month for q in quotas if q.category in categories and q.is_valid_on(day)), default=0
    )


def catalog_price_fen(*, item: ServiceItem, region_code: str) -> int:
    """The catalog price in a region: the county's own price where the city allows one, else the city's
    guide price."""
    if item.county_price_allowed and region_code:
        from yiyang.providers.models import ServicePriceOverride

        own = (
            ServicePriceOverride.objects.filter(service_item=item, region_code=region_code[:6] + "000000")
            .values_list("price_fen", flat=True)
            .first()
        )
        if own is not None:
            return int(own)
    return item.price_fen


CERTIFICATE_VALUES = tuple(f.attname for f in Certificate._meta.concrete_fields)


def certificate_rows(*, staff_id: int) -> QuerySet[Any, Any]:
    """A staff member's certificates as values (to read with other rows; ``certificates_from``)."""
    return Certificate.objects.filter(staff_id=staff_id).values(*CERTIFICATE_VALUES)


def certificates_from(rows: Iterable[dict[str, Any]]) -> list[Certificate]:
    return [Certificate(**row) for row in rows]


def contract_price_rows(*, organisation: Organisation, item: ServiceItem, day: date) -> QuerySet[Any, Any]:
    """The contracted prices of the item valid on that day, latest contract first, as values
    (``price_fen``; for ``contract_price_from``)."""
    return (
        ContractItem.objects.filter(
            contract__organisation=organisation,
            service_item=item,
            contract__valid_from__lte=day,
            contract__valid_to__gte=day,
        )
        .order_by("-contract__valid_from", "-pk")
        .values("price_fen", "contract__valid_from", "pk")[:1]
    )


def contract_price_from(rows: Any, *, item: ServiceItem, region_code: str = "") -> int:
    """The price from ``contract_price_rows``: the contract's, else the catalog price in the region."""
    rows = list(rows)
    return int(rows[0]["price_fen"]) if rows else catalog_price_fen(item=item, region_code=region_code)


def contract_price_fen(
    *, organisation: Organisation, item: ServiceItem, day: date, region_code: str = ""
) -> int:
    """The contracted price for the item on that day, else the catalog price in the elder's region."""
    rows = contract_price_rows(organisation=organisation, item=item, day=day)
    return contract_price_from(rows, item=item, region_code=region_code)


def facility_in_scope(*, user: Any, perm: str, public_id: Any) -> Facility | None:
    """A facility of an organisation within the user's scope for ``perm`` (``None`` otherwise)."""
    return (
        Facility.objects.select_related("organisation")
        .filter(public_id=public_id, organisation__in=Organisation.objects.restrict(user, perm).values("pk"))
        .first()
    )


def contract_in_scope(*, user: Any, perm: str, public_id: Any) -> Contract | None:
    return (
        Contract.objects.select_related("organisation")
        .prefetch_related("items")
        .filter(public_id=public_id, organisation__in=Organisation.objects.restrict(user, perm).values("pk"))
        .first()
    )


def contract_items_choosable(contract: Contract | None = None) -> list[ServiceItem]:
    """Active catalog items, plus the inactive ones the contract already prices."""
    q = Q(is_active=True)
    if contract is not None:
        q |= Q(pk__in=contract.items.values("service_item_id"))
    return list(ServiceItem.objects.filter(q).order_by("category", "code"))


def expiry_state(day: date | None, today: date, *, soon_days: int = EXPIRY_SOON_DAYS) -> str:
    """``expired`` (before today), ``soon`` (within ``soon_days``), ``ok``, or ``missing`` (no date)."""
    if day is None:
        return "missing"
    if day < today:
        return "expired"
    if day <= today + timedelta(days=soon_days):
        return "soon"
    return "ok"


def facility_list(*, user: Any, perm: str = "providers.view") -> QuerySet[Facility]:
    """Facilities of active organisations registered in the user's scope for ``perm`` (the planning map
    and its coverage; ``SYSTEM`` reads every facility, as coverage counts a station across a county
    border). Each row carries its organisation (type, region)."""
    return (
        Facility.objects.filter(
            organisation__in=Organisation.objects.restrict(user, perm).values("pk"),
            organisation__is_active=True,
        )
        .select_related("organisation")
        .order_by("pk")
    )


def service_areas(*, user: Any, perm: str = "providers.view") -> list[tuple[str, str, list[str]]]:
    """``(organisation name, type, [region codes served])`` of the active organisations in scope."""
    orgs = Organisation.objects.restrict(user, perm).filter(is_active=True).prefetch_related("regions_served")
    return [
        (o.name, o.org_type, [r.code for r in o.regions_served.all()]) for o in orgs.order_by("name", "pk")
    ]


def organisations_near(
    *,
    user: Any,
    region_code: str,
    q: str = "",
    org_type: str = "",
    perm: str = "providers.view",
    limit: int = 100,
) -> list[Organisation]:
    """The active organisations within the user's scope that a caller of ``region_code`` can use: those
    registered in the same county, or serving the caller's community or one of its ancestors, with their
    facilities (the 12349 operator's 查询养老院 / 预约挂号 answers). ``q`` matches the organisation's or a
    facility's name or address; ``org_type`` is an ``OrgType`` value."""
    code = str(region_code or "")
    if len(code) != 12 or not code.isdigit():
        return []
    ancestors = sorted({code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)})
    orgs = (
        Organisation.objects.restrict(user, perm)
        .filter(is_active=True)
        .filter(Q(region__code__startswith=code[:6]) | Q(regions_served__code__in=ancestors))
    )
    if org_type:
        orgs = orgs.filter(org_type=org_type)
    if q:
        orgs = orgs.filter(
            Q(name__icontains=q)
            | Q(address__icontains=q)
            | Q(facilities__name__icontains=q)
            | Q(facilities__address__icontains=q)
        )
    ids = orgs.order_by().values("pk").distinct()
    return list(
        Organisation.objects.filter(pk__in=ids)
        .select_related("region")
        .prefetch_related(Prefetch("facilities", queryset=Facility.objects.order_by("name")))
        .order_by("name")[:limit]
    )


def organisation_in_scope(*, user: Any, perm: str, public_id: Any) -> Organisation | None:
    """An organisation within the user's scope for ``perm`` (``None`` otherwise, or for a malformed id)."""
    try:
        return Organisation.objects.restrict(user, perm).filter(public_id=public_id).first()
    except (ValueError, TypeError):
        return None
