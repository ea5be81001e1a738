"""Test kit shared by every app: the fixed cast (ARCHITECTURE rule 10) and the scope-case registry from
which ``yiyang/core/tests/test_scope_generated.py`` generates the permission tests of every scoped
endpoint and page.

An app registers, in ``yiyang/<app>/tests/scope_cases.py``, one ``ApiScopeCase`` per router basename of a
scoped API viewset and one ``PageScopeCase`` per scoped detail page. The generated test fails when a
scoped endpoint exists without a case, so new endpoints are covered without new test code.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps


@dataclass
class Cast:
    """Regions: county A (广陵 321002) with street A1 and community A1a; county B (邗江 321003) with
    street B1 and community B1a; all under city 321000. Users: county admins of A and B, a street worker
    of A1, a community worker of A1a, a city auditor, a caregiver and a family member in A, and
    ``nobody`` (an account with no grant at all)."""

    city: Any
    county_a: Any
    street_a1: Any
    community_a1: Any
    county_b: Any
    street_b1: Any
    community_b1: Any
    county_admin_a: Any
    county_admin_b: Any
    street_worker_a1: Any
    community_worker_a1: Any
    auditor: Any
    caregiver: Any
    family: Any
    nobody: Any
    password: str = "Cast-Password-2026!"  # noqa: S105 (test accounts)
    extra: dict[str, Any] = field(default_factory=dict)


def build_cast() -> Cast:
    from yiyang.accounts.services import user_create
    from yiyang.regions.models import Region

    def region(code: str, name: str, level: str, parent: Any = None, kind: str = "") -> Any:
        obj, _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": parent,
                "kind": kind,
                "lat": 32.39,
                "lng": 119.42,
            },
        )
        return obj

    prov = region("320000000000", "江苏省", "province", kind="省")
    city = region("321000000000", "扬州市", "city", prov, "地级市")
    county_a = region("321002000000", "广陵区", "county", city, "市辖区")
    street_a1 = region("321002001000", "文昌街道", "town", county_a, "街道")
    community_a1 = region("321002001001", "文昌社区", "village", street_a1, "居民委员会")
    county_b = region("321003000000", "邗江区", "county", city, "市辖区")
    street_b1 = region("321003001000", "汶河街道", "town", county_b, "街道")
    community_b1 = region("321003001001", "汶河社区", "village", street_b1, "居民委员会")
    pw = Cast.password

    def user(username: str, role: str | None, where: Any) -> Any:
        return user_create(
            username=username, password=pw, display_name=username, grants=[(role, where.code)] if role else []
        )

    return Cast(
        city=city,
        county_a=county_a,
        street_a1=street_a1,
        community_a1=community_a1,
        county_b=county_b,
        street_b1=street_b1,
        community_b1=community_b1,
        county_admin_a=user("cast_county_a", "county_admin", county_a),
        county_admin_b=user("cast_county_b", "county_admin", county_b),
        street_worker_a1=user("cast_street_a1", "street_worker", street_a1),
        community_worker_a1=user("cast_community_a1", "community_worker", community_a1),
        auditor=user("cast_auditor", "auditor", city),
        caregiver=user("cast_caregiver", "caregiver", county_a),
        family=user("cast_family", "family", community_a1),
        nobody=user("cast_nobody", None, city),
    )


@dataclass
class ApiScopeCase:
    """How to exercise one scoped API viewset (by router basename).

    ``make(cast, region)`` creates one object in ``region`` (community level is passed) and returns it;
    ``lookup(obj)`` gives its URL id; ``create`` (optional) returns a JSON body that creates an object in
    the given region, used to prove a denied write leaves no row behind; ``count()`` counts rows.
    ``viewer`` names the cast member who may read (default the county admin of A).
    """

    basename: str
    make: Callable[[Cast, Any], Any]
    lookup: Callable[[Any], str] = lambda obj: str(obj.public_id)
    create: Callable[[Cast, Any], dict[str, Any]] | None = None
    count: Callable[[], int] | None = None
    viewer: str = "county_admin_a"
    has_list: bool = True


@dataclass
class PageScopeCase:
    """A scoped page showing one object: ``url(obj)`` gives its path."""

    name: str
    make: Callable[[Cast, Any], Any]
    url: Callable[[Any], str]
    viewer: str = "county_admin_a"


API_CASES: dict[str, ApiScopeCase] = {}
PAGE_CASES: dict[str, PageScopeCase] = {}


def register_api(case: ApiScopeCase) -> None:
    API_CASES[case.basename] = case


def register_page(case: PageScopeCase) -> None:
    PAGE_CASES[case.name] = case


def autodiscover_scope_cases() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("yiyang."):
            try:
                importlib.import_module(f"{config.name}.tests.scope_cases")
            except ModuleNotFoundError as exc:
                if exc.name not in {f"{config.name}.tests", f"{config.name}.tests.scope_cases"}:
                    raise
