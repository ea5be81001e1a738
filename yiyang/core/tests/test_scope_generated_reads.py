"""Generated scope tests of the reads outside a viewset: reports over a region named in ``?region=``
(API and pages) and one-object GETs outside a viewset (``/api/v1/elders/<id>/risk/``). Cases come from
each app's ``tests/scope_cases.py`` (``RegionParamCase``, ``ObjectGetCase`` in ``yiyang/core/testing.py``).

A new API view outside a viewset, or a new page answering an unknown ``?region=`` with 404, fails
``test_every_*_has_a_case`` until it has its case.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any

import pytest
from django.test import Client
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from yiyang.core.testing import (
    INSIDE_A,
    OBJECT_GET_CASES,
    REGION_PARAM_CASES,
    REGION_UNKNOWN,
    Cast,
    RegionParamCase,
    autodiscover_scope_cases,
    member,
    url_routes,
)

autodiscover_scope_cases()


ROUTES = url_routes()

# API views outside a viewset (no router actions): each needs a RegionParamCase, an ObjectGetCase or a
# line here saying why neither fits and where it is tested.
API_VIEWS = {
    name: (route, cb.cls)
    for route, name, cb in ROUTES
    if hasattr(cb, "cls") and not getattr(cb, "actions", None)
}
OTHER_API_VIEWS = {
    "auth-token": "signing in: anonymous by design (accounts/tests)",
    "auth-me": "the caller's own account, nothing region-bound (accounts/tests)",
    "auth-logout": "ends the caller's own token (accounts/tests)",
    "auth-tokens": "the caller's own tokens (accounts/tests)",
    "auth-token-detail": "one of the caller's own tokens; another's is 404 (accounts/tests)",
    "schema": "the OpenAPI document",
    "device-events": "device webhook signed per device, no user (devices/tests)",
    "hotline-12345-work-orders": "the 12345 platform's signed inbound call, no user (hotline/tests)",
    "renovation-catalog": "the item catalog of a programme (published policy) by ?programme=; "
    "renovation/tests/test_api.py",
    "renovation-eligibility": "POST checking an elder against a programme; renovation/tests/test_api.py",
    "renovation-grants": "POST of a grant decision; renovation/tests/test_api.py",
}


@cache
def _api_region_params() -> set[str]:
    """URL names of the API views outside a viewset whose GET declares a ``region`` query parameter."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    by_path = {"/" + route.replace("^", "").replace("$", ""): name for name, (route, _) in API_VIEWS.items()}
    return {
        by_path[path]
        for path, ops in schema["paths"].items()
        if path in by_path
        and any(
            p["in"] == "query" and p["name"] == "region" for p in ops.get("get", {}).get("parameters", [])
        )
    }


LIST_PAGES = sorted(
    (name, "/" + route)
    for route, name, cb in ROUTES
    if getattr(getattr(cb, "view_class", None), "scoped", False) and "<" not in route
)


def _client(user: Any, api: bool) -> Any:
    if api:
        api_client = APIClient()
        if user is not None:
            api_client.force_authenticate(user=user)
        return api_client
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _perm(path: str) -> str:
    """The permission the view checks for GET: the API's ``permission_map``, a page's ``required_perm``."""
    func = resolve(path.split("?")[0]).func
    cls = getattr(func, "cls", None)
    if cls is not None:
        mapping = cls.permission_map
        return str(mapping.get("get", mapping.get("*", "")))
    return str(getattr(getattr(func, "view_class", None), "required_perm", ""))


def _code(response: Any) -> str | None:
    return response.json().get("code") if response["Content-Type"].startswith("application/json") else None


# --- Coverage: a new read without its case fails -----------------------------------------------------------


def test_every_api_view_outside_a_viewset_has_a_case() -> None:
    assert API_VIEWS, "no API view outside a viewset found — discovery is broken"
    region_params = _api_region_params()
    assert region_params, "no API view with a region parameter found — discovery is broken"
    missing_region = sorted(region_params - set(REGION_PARAM_CASES))
    assert not missing_region, f"API views with ?region= but no RegionParamCase: {missing_region}"
    object_in_path = {n for n, (route, _) in API_VIEWS.items() if "<" in route} - set(OTHER_API_VIEWS)
    missing_object = sorted(object_in_path - set(OBJECT_GET_CASES))
    assert not missing_object, f"API views with an object in the path but no ObjectGetCase: {missing_object}"
    unexplained = sorted(set(API_VIEWS) - region_params - object_in_path - set(OTHER_API_VIEWS))
    assert not unexplained, f"API views outside a viewset with no case and no reason: {unexplained}"
    stale = sorted((set(REGION_PARAM_CASES) | set(OBJECT_GET_CASES) | set(OTHER_API_VIEWS)) - set(API_VIEWS))
    stale = [n for n in stale if ":" not in n]  # page cases are checked below
    assert not stale, f"cases or reasons for API views that no longer exist: {stale}"


@pytest.mark.django_db
def test_every_page_reading_a_region_parameter_has_a_case(cast: Cast) -> None:
    """A page that answers 200 without ``?region=`` and 404 for a code of no region reads the parameter:
    it needs a RegionParamCase. Asked as county A's admin and as the city's (pages differ by role)."""
    readers: set[str] = set()
    for user in (cast.county_admin_a, cast.city_admin):
        client = _client(user, api=False)
        for name, url in LIST_PAGES:
            if name in readers or client.get(url).status_code != 200:
                continue
            if client.get(url, {"region": REGION_UNKNOWN[1]}).status_code == 404:
                readers.add(name)
    assert readers, "no page reading ?region= found — discovery is broken"
    missing = sorted(readers - set(REGION_PARAM_CASES))
    assert not missing, f"pages reading ?region= without a RegionParamCase: {missing}"
    page_cases = {n for n, c in REGION_PARAM_CASES.items() if not c.api}
    routed = {n for _, n, _ in ROUTES}
    assert not page_cases - routed, f"RegionParamCases for pages that no longer exist: {page_cases - routed}"


# --- A region in the query ---------------------------------------------------------------------------------


def _ask(case: RegionParamCase, cast: Cast, who: Any, region: str) -> Any:
    return _client(who, case.api).get(case.path, {**case.params(cast), "region": region})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(REGION_PARAM_CASES))
def test_region_param_scope(name: str, cast: Cast) -> None:
    case = REGION_PARAM_CASES[name]
    assert resolve(case.path).view_name == name, f"{name}: {case.path} is another route"
    perm = _perm(case.path)
    assert perm, f"{name}: the view checks no permission for GET"
    viewer, outsider = member(cast, case.viewer), member(cast, case.outsider)
    assert viewer.has_perm(perm) and outsider.has_perm(perm), (name, perm)
    county_a = cast.county_a.code

    anonymous = _ask(case, cast, None, county_a)
    if case.api:
        assert anonymous.status_code == 401, (name, anonymous.status_code)
        assert _code(anonymous) == "not_authenticated"
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name
    lacking = [n for n in INSIDE_A if not member(cast, n).has_perm(perm)]
    assert "nobody" in lacking
    for who in lacking:
        denied = _ask(case, cast, member(cast, who), county_a)
        assert denied.status_code == 403, (name, who, denied.status_code)
        if case.api:
            assert _code(denied) == "permission_denied", (name, who)

    # The 404 for a region names it no more than the 404 for a code of no region does (the page's chrome
    # may name the city the platform serves).
    blank = _ask(case, cast, outsider, REGION_UNKNOWN[1]).content.decode("utf-8", "replace")
    for region in (cast.county_a, cast.street_a1, cast.community_a1, cast.city):
        other = _ask(case, cast, outsider, region.code)
        assert other.status_code == 404, (name, case.outsider, region.code, other.status_code)
        if case.api:
            assert _code(other) == "not_found", (name, region.code)
        if region.name not in blank:
            assert region.name not in other.content.decode("utf-8", "replace"), (name, "named", region.name)
    for code in REGION_UNKNOWN:
        unknown = _ask(case, cast, viewer, code)
        assert unknown.status_code == 404, (name, code, unknown.status_code)
    assert _ask(case, cast, viewer, county_a).status_code == 200, name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, c in REGION_PARAM_CASES.items() if c.figure))
def test_region_param_counts_only_own_rows(name: str, cast: Cast) -> None:
    case = REGION_PARAM_CASES[name]
    assert case.figure is not None
    viewer, outsider = member(cast, case.viewer), member(cast, case.outsider)
    empty = _ask(case, cast, viewer, cast.county_a.code)
    assert empty.status_code == 200
    assert case.figure(empty) == case.expected(0), (name, "before any row", case.figure(empty))
    case.make(cast, cast.community_a1)
    case.make(cast, cast.community_b1)
    case.make(cast, cast.community_b1)
    mine = _ask(case, cast, viewer, cast.county_a.code)
    assert mine.status_code == 200, (name, mine.status_code)
    assert case.figure(mine) == case.expected(1), (name, "county A's figure counts county B's rows")
    theirs = _ask(case, cast, outsider, cast.county_b.code)
    assert theirs.status_code == 200
    assert case.figure(theirs) == case.expected(2), (name, "county B's own figure", case.figure(theirs))


def test_region_cases_without_a_figure_say_why() -> None:
    silent = sorted(n for n, c in REGION_PARAM_CASES.items() if c.figure is None and not c.note)
    assert not silent, f"RegionParamCases without a figure and without a note: {silent}"


# --- An object in the path ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(OBJECT_GET_CASES))
def test_object_get_scope(name: str, cast: Cast) -> None:
    case = OBJECT_GET_CASES[name]
    mine = case.make(cast, cast.community_a1)
    url = reverse(name, args=[case.lookup(mine)])
    perm = _perm(url)
    assert perm, f"{name}: the view checks no permission for GET"
    outsider = member(cast, case.outsider)
    assert outsider.has_perm(perm), (name, case.outsider, perm)

    anonymous = APIClient().get(url)
    assert anonymous.status_code == 401 and _code(anonymous) == "not_authenticated", name
    lacking = [n for n in INSIDE_A if not member(cast, n).has_perm(perm)]
    assert "nobody" in lacking
    for who in lacking:
        denied = _client(member(cast, who), api=True).get(url)
        assert denied.status_code == 403 and _code(denied) == "permission_denied", (name, who)
    other = _client(outsider, api=True).get(url)
    assert other.status_code == 404 and _code(other) == "not_found", (name, other.status_code)
    viewer = _client(member(cast, case.viewer), api=True)
    assert viewer.get(reverse(name, args=[str(uuid.uuid4())])).status_code == 404, name
    ok = viewer.get(url)
    assert ok.status_code == 200, (name, ok.status_code)
    if case.children:
        leaks = case.children(cast, mine, cast.community_b1)
        assert leaks
        shown = viewer.get(url).content.decode()
        assert not [s for s in leaks if s in shown], f"{name} shows county B's child rows to county A"
