"""Test kit shared by every app: the fixed cast (ARCHITECTURE rule 10) and the scope-case registry from
which ``yiyang/core/tests/test_scope_generated*.py`` generate the permission tests of every scoped
endpoint and page.

An app registers, in ``yiyang/<app>/tests/scope_cases.py``:

- one ``ApiScopeCase`` per router basename of a scoped API viewset (list, detail, create) and one
  ``PageScopeCase`` per scoped detail page, optionally with ``children`` (rows of another county hung
  under the object, which must not show);
- one ``ActionCase`` per routed API action and write method (``route-name:method``), one ``FilterCase``
  per list filter declared in the OpenAPI schema, and one ``PagePostCase`` per page accepting POST;
- one ``RegionParamCase`` per GET endpoint or page reading its region from ``?region=`` (a report over
  a region: coverage, KPIs), and one ``ObjectGetCase`` per API GET of one object outside a viewset
  (``/api/v1/elders/<id>/risk/``).

The generated tests fail when an endpoint, filter or page POST exists without its case, so new endpoints
are covered without new test code.
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
    of A1, a community worker of A1a, a city auditor, a caregiver and a family member in A,
    ``nobody`` (an account with no grant at all) and a city admin (the catalog and policy are the city's)."""

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
    city_admin: Any = None
    password: str = "Cast-Password-2026!"  # noqa: S105 (test accounts)
    extra: dict[str, Any] = field(default_factory=dict)


_PASSWORD_HASH: list[str] = []


# The cast's names as people see them (display names): never their login names, which no screen may show.
CAST_DISPLAY_NAMES = {
    "cast_county_a": "甲县管理员",
    "cast_county_b": "乙县管理员",
    "cast_street_a1": "文昌街道干事",
    "cast_community_a1": "文昌社区网格员",
    "cast_auditor": "市审计员",
    "cast_caregiver": "甲县护理员",
    "cast_family": "文昌家属",
    "cast_nobody": "无权限人员",
    "cast_city_admin": "市管理员",
    "cast_caregiver_b": "乙县护理员",
    "cast_family_b": "汶河家属",
    "cast_provider_admin_b": "乙县机构管理员",
}


def cast_display_name(username: str) -> str:
    """The fixed cast by the names above; users an app's tests make for themselves keep their own."""
    return CAST_DISPLAY_NAMES.get(username) or username


def cast_user(username: str, role: str | None, where: Any) -> Any:
    """An account holding one grant (or none), its password ``Cast.password``. The Argon2 hash is computed
    once per test run: hashing it anew for every user of every test cost seconds per test."""
    from django.contrib.auth.hashers import make_password

    from yiyang.accounts.models import Grant, User

    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(make_password(Cast.password))
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "display_name": cast_display_name(username),
            "password": _PASSWORD_HASH[0],
            "is_active": True,
        },
    )
    if role:
        Grant.objects.get_or_create(user=user, role=role, region_id=where.code)
    return user


def build_cast() -> Cast:
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

    def user(username: str, role: str | None, where: Any) -> Any:
        return cast_user(username, role, where)

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
        city_admin=user("cast_city_admin", "city_admin", city),
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
    # ``children(cast, obj, other_region)`` hangs rows of ``other_region`` (another county) under ``obj``
    # (a settlement's lines, an order's complaint) and returns the strings that would leak them (names,
    # public ids): ``viewer`` must see none of them on the detail, the list or any GET action.
    children: Callable[[Cast, Any, Any], list[str]] | None = None


@dataclass
class PageScopeCase:
    """A scoped page showing one object: ``url(obj)`` gives its path."""

    name: str
    make: Callable[[Cast, Any], Any]
    url: Callable[[Any], str]
    viewer: str = "county_admin_a"
    children: Callable[[Cast, Any, Any], list[str]] | None = None  # as on ApiScopeCase


API_CASES: dict[str, ApiScopeCase] = {}
PAGE_CASES: dict[str, PageScopeCase] = {}


def register_api(case: ApiScopeCase) -> None:
    API_CASES[case.basename] = case


def register_page(case: PageScopeCase) -> None:
    PAGE_CASES[case.name] = case


def url_routes() -> list[tuple[str, str, Any]]:
    """Every URL pattern of the project as (route, namespaced name, view callback), for the generated
    tests to find what needs a case."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str = "", ns: str = "") -> list[tuple[str, str, Any]]:
        found: list[tuple[str, str, Any]] = []
        for p in patterns:
            if isinstance(p, URLResolver):
                sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
                found += walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
            elif isinstance(p, URLPattern):
                found.append((prefix + str(p.pattern), f"{ns}{p.name}" if p.name else "", p.callback))
        return found

    return walk(get_resolver().url_patterns)


def autodiscover_scope_cases() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("yiyang."):
            try:
                importlib.import_module(f"{config.name}.tests.scope_cases")
            except ModuleNotFoundError as exc:
                if exc.name not in {f"{config.name}.tests", f"{config.name}.tests.scope_cases"}:
                    raise


# --- Write paths: API actions, list filters, page POSTs --------------------------------------------------
#
# Every routed (route name, HTTP method) of a scoped viewset other than list/retrieve/create needs an
# ``ActionCase``; every query parameter a scoped list declares in its OpenAPI schema needs a
# ``FilterCase``; every page (class view with ``post``, or function view handling POST) needs a
# ``PagePostCase``. The generated tests fail on any endpoint without its case.

Body = Callable[[Cast, Any], dict[str, Any]]


def _no_body(cast: Cast, obj: Any) -> dict[str, Any]:
    return {}


@dataclass
class ActionCase:
    """One API action (``route`` is the URL name, e.g. ``order-accept``; ``method`` its HTTP method).

    ``make(cast, region)`` builds the object acted on in ``region`` (a community); ``body(cast, obj)`` a
    body that the ``own`` actor may send successfully (it proves the body is valid, so a denial is a
    denial and not a parse error). Expectations:

    - ``outsider`` (a cast member or ``other_user`` role name of county B holding the permission) acting
      on a county-A object gets ``outsider_status`` (404 ``not_found``) and nothing changes;
    - every cast member inside county A lacking the action's permission gets 403 and nothing changes;
      ``hidden`` names members holding the permission whose scope hides the object (404);
    - ``own`` (member name, status) succeeds; ``None`` where success needs a world too costly to build
      (say why in ``note``);
    - ``foreign(cast, obj)``, when given, is a body naming county-B objects sent by ``own``'s actor
      on a county-A object: it must be refused (``foreign_status``) and change nothing.
    """

    route: str
    make: Callable[[Cast, Any], Any]
    method: str = "post"
    body: Body = _no_body
    detail: bool = True
    lookup: Callable[[Any], str] = lambda obj: str(obj.public_id)
    outsider: str = "county_admin_b"
    outsider_status: int = 404
    hidden: tuple[str, ...] = ()
    own: tuple[str, int] | None = ("county_admin_a", 200)
    foreign: Body | None = None
    foreign_status: tuple[int, ...] = (400, 404)
    multipart: bool = False
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.route}:{self.method}"


@dataclass
class FilterCase:
    """A declared list filter: ``value(cast, theirs)`` is the parameter's value matching the county-B
    object ``theirs`` (built by the viewset's ``ApiScopeCase.make``); county A's admin querying it must
    see none of county B's rows."""

    basename: str
    param: str
    value: Callable[[Cast, Any], str]

    @property
    def key(self) -> str:
        return f"{self.basename}?{self.param}"


@dataclass
class PagePostCase:
    """A page that accepts POST (by URL name).

    ``make(cast, region)`` builds what the page acts on; ``url(obj)`` its path; ``data(cast, obj)`` the
    form. Anonymous → login redirect, ``nobody`` → 403, ``outsider`` of county B on a county-A object →
    ``outsider_status`` (404; ``None`` for a page with no object in its URL, where any non-5xx answer is
    accepted but nothing may change), all without any change. ``own`` (member, expected statuses) posts
    the same form and must succeed and (``changes``) change something; ``None`` where the page is covered by its app's own tests (``note``).
    ``scoped=False`` marks city-wide pages (the catalog): no outsider check.
    """

    name: str
    make: Callable[[Cast, Any], Any]
    url: Callable[[Any], str]
    data: Body = _no_body
    outsider: str = "county_admin_b"
    outsider_status: int | None = 404
    own: tuple[str, tuple[int, ...]] | None = ("county_admin_a", (200, 302))
    scoped: bool = True
    changes: bool = True  # the own POST must change something (False for pages that only answer)
    note: str = ""


ACTION_CASES: dict[str, ActionCase] = {}
FILTER_CASES: dict[str, FilterCase] = {}
PAGE_POST_CASES: dict[str, PagePostCase] = {}


def register_action(case: ActionCase) -> None:
    assert case.key not in ACTION_CASES, f"two ActionCases for {case.key}"
    ACTION_CASES[case.key] = case


def register_filter(case: FilterCase) -> None:
    FILTER_CASES[case.key] = case


def register_page_post(case: PagePostCase) -> None:
    assert case.name not in PAGE_POST_CASES, f"two PagePostCases for {case.name}"
    PAGE_POST_CASES[case.name] = case


# Users of county B beyond the fixed cast, made on demand: the role name is the key (``caregiver_b``).
OTHER_ROLES = {"caregiver_b": "caregiver", "family_b": "family", "provider_admin_b": "provider_admin"}


def member(cast: Cast, name: str) -> Any:
    """A cast member by attribute name, or a county-B user of ``OTHER_ROLES`` (created once per cast)."""
    if hasattr(cast, name) and name not in {"extra", "password"}:
        return getattr(cast, name)
    if name in cast.extra or name not in OTHER_ROLES:  # made by an app's factory (e.g. "assessor:as1a")
        return cast.extra[name]
    if name not in cast.extra:
        where = cast.community_b1 if name == "family_b" else cast.county_b
        cast.extra[name] = cast_user(f"cast_{name}", OTHER_ROLES[name], where)
    return cast.extra[name]


# Members inside county A (or above it) checked for "no permission → 403".
INSIDE_A = (
    "county_admin_a",
    "street_worker_a1",
    "community_worker_a1",
    "auditor",
    "caregiver",
    "family",
    "nobody",
)


def snapshot() -> dict[str, tuple[int, int]]:
    """Per project table: (row count, hash of every row's values), plus the files under MEDIA_ROOT.
    Equal snapshots mean no row was added, changed or removed, no audit event written, no file stored."""
    import hashlib
    from pathlib import Path

    from django.conf import settings

    state: dict[str, tuple[int, int]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("yiyang."):
            continue
        rows = list(model._default_manager.order_by("pk").values_list())
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        state[model._meta.label] = (len(rows), int(digest[:15], 16))
    media = Path(settings.MEDIA_ROOT)
    files = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    state["<media files>"] = (len(files), hash(tuple(files)))
    return state


def snapshot_diff(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# --- Reads outside a viewset: a region in the query, an object in the path -----------------------------
#
# A report over a region (``GET /api/v1/kpis/?region=…``, the 探访覆盖 page) has no object for an
# ``ApiScopeCase``, and a one-object GET outside a viewset (``/api/v1/elders/<id>/risk/``) has no router
# basename: ``test_scope_generated_reads.py`` finds both kinds in the URLconf (and the pages answering an
# unknown ``?region=`` with 404) and fails on any without its case below.

REGION_UNKNOWN = ("321002999999", "329900000000")  # well-formed codes of no region: under county A, and none


@dataclass
class RegionParamCase:
    """A GET endpoint or page whose region comes from ``?region=<code>`` (by URL name; ``path`` its URL).

    ``params(cast)`` adds the other query parameters (a month, a year); ``make(cast, region)`` makes one
    row that the figure counts, in ``region`` (a community); ``figure(response)`` reads that figure from a
    200 answer (JSON, the template context, an .xlsx), and ``expected(n)`` is its value for ``n`` rows
    (default ``n``). Expectations:

    - anonymous → 401 ``not_authenticated`` (API) / login redirect (page);
    - every cast member inside county A lacking the permission (the view's ``permission_map["get"]`` or
      ``required_perm``) → 403;
    - ``outsider`` (county B, holding the permission) asking for county A, a street and a community of A
      or the city above both → 404, and the answer does not name the region asked for;
    - ``viewer`` asking for a well-formed code of no region (``REGION_UNKNOWN``) → 404;
    - with no row ``viewer`` sees ``expected(0)`` for county A; with one row in county A and two in
      county B, ``expected(1)`` for county A and ``outsider`` ``expected(2)`` for county B (a row leaking
      across counties changes a figure).

    ``figure=None`` only where the answer has no figure to read (a PDF): say so in ``note``.
    """

    name: str
    path: str
    make: Callable[[Cast, Any], Any]
    figure: Callable[[Any], Any] | None
    params: Callable[[Cast], dict[str, str]] = lambda cast: {}
    expected: Callable[[int], Any] = lambda n: n
    viewer: str = "county_admin_a"
    outsider: str = "county_admin_b"
    note: str = ""

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


@dataclass
class ObjectGetCase:
    """A GET of one object named in the path, outside a viewset (by URL name): ``make(cast, region)``
    builds the object in ``region`` (a community), ``lookup(obj)`` its id in the URL. Anonymous → 401,
    members inside county A lacking the permission → 403, ``outsider`` on county A's object → 404
    ``not_found``, an id of nothing → 404, ``viewer`` → 200; ``children`` as on ``ApiScopeCase``."""

    name: str
    make: Callable[[Cast, Any], Any]
    lookup: Callable[[Any], str] = lambda obj: str(obj.public_id)
    viewer: str = "county_admin_a"
    outsider: str = "county_admin_b"
    children: Callable[[Cast, Any, Any], list[str]] | None = None


REGION_PARAM_CASES: dict[str, RegionParamCase] = {}
OBJECT_GET_CASES: dict[str, ObjectGetCase] = {}


def register_region_param(case: RegionParamCase) -> None:
    assert case.name not in REGION_PARAM_CASES, f"two RegionParamCases for {case.name}"
    REGION_PARAM_CASES[case.name] = case


def register_object_get(case: ObjectGetCase) -> None:
    assert case.name not in OBJECT_GET_CASES, f"two ObjectGetCases for {case.name}"
    OBJECT_GET_CASES[case.name] = case


def xlsx_cells(response: Any) -> list[list[Any]]:
    """The rows of every sheet of an .xlsx answer (to read a figure from an export)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
