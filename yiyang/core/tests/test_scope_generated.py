"""Generated permission tests: for every scoped API viewset and page in the URLconf —
anonymous → 401 / login redirect, no permission → 403, other region → 404, own region → 200, and a
denied write leaves no row behind. Cases come from each app's ``tests/scope_cases.py``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from yiyang.core.testing import (
    API_CASES,
    PAGE_CASES,
    Cast,
    autodiscover_scope_cases,
    snapshot,
    snapshot_diff,
    url_routes,
)

autodiscover_scope_cases()


ROUTES = url_routes()
SCOPED_API = sorted(
    {
        cb.initkwargs["basename"]
        for _, _, cb in ROUTES
        if getattr(getattr(cb, "cls", None), "scoped", False) and "basename" in getattr(cb, "initkwargs", {})
    }
)
SCOPED_PAGES = sorted(
    {(route, name) for route, name, cb in ROUTES if getattr(getattr(cb, "view_class", None), "scoped", False)}
)


def test_every_scoped_api_viewset_has_a_scope_case() -> None:
    assert SCOPED_API, "no scoped API viewset found — discovery is broken"
    missing = set(SCOPED_API) - set(API_CASES)
    assert not missing, f"scoped API viewsets without a ScopeCase in tests/scope_cases.py: {sorted(missing)}"


def test_every_scoped_detail_page_has_a_scope_case() -> None:
    detail_pages = {name for route, name in SCOPED_PAGES if "<" in route}
    missing = detail_pages - set(PAGE_CASES)
    assert not missing, f"scoped pages with URL parameters but no PageScopeCase: {sorted(missing)}"


def _urls(basename: str, obj: Any) -> tuple[str | None, str]:
    case = API_CASES[basename]
    list_url = reverse(f"{basename}-list") if case.has_list else None
    return list_url, reverse(f"{basename}-detail", args=[case.lookup(obj)])


def _client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(API_CASES))
def test_api_anonymous_gets_401(basename: str, cast: Cast) -> None:
    obj = API_CASES[basename].make(cast, cast.community_a1)
    list_url, detail_url = _urls(basename, obj)
    for url in filter(None, [list_url, detail_url]):
        response = APIClient().get(url)
        assert response.status_code == 401, url
        assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(API_CASES))
def test_api_without_permission_gets_403(basename: str, cast: Cast) -> None:
    obj = API_CASES[basename].make(cast, cast.community_a1)
    list_url, detail_url = _urls(basename, obj)
    for url in filter(None, [list_url, detail_url]):
        response = _client(cast.nobody).get(url)
        assert response.status_code == 403, url
        assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(API_CASES))
def test_api_other_region_gets_404_and_is_not_listed(basename: str, cast: Cast) -> None:
    case = API_CASES[basename]
    theirs = case.make(cast, cast.community_b1)
    list_url, detail_url = _urls(basename, theirs)
    viewer = getattr(cast, case.viewer)
    response = _client(viewer).get(detail_url)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    if list_url:
        listing = _client(viewer).get(list_url, {"page_size": 200})
        assert listing.status_code == 200
        assert case.lookup(theirs) not in json.dumps(listing.json(), ensure_ascii=False)


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(API_CASES))
def test_api_own_region_gets_200_and_is_listed(basename: str, cast: Cast) -> None:
    case = API_CASES[basename]
    mine = case.make(cast, cast.community_a1)
    list_url, detail_url = _urls(basename, mine)
    viewer = getattr(cast, case.viewer)
    assert _client(viewer).get(detail_url).status_code == 200
    if list_url:
        listing = _client(viewer).get(list_url, {"page_size": 200})
        assert listing.status_code == 200
        assert case.lookup(mine) in json.dumps(listing.json(), ensure_ascii=False)


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(b for b, c in API_CASES.items() if c.create))
def test_api_denied_write_leaves_nothing_behind(basename: str, cast: Cast) -> None:
    case = API_CASES[basename]
    assert case.create is not None and case.count is not None
    before = case.count()
    body = case.create(cast, cast.community_a1)
    state = snapshot()
    denied_nobody = _client(cast.nobody).post(reverse(f"{basename}-list"), body, format="json")
    assert denied_nobody.status_code == 403
    # County B's admin holds the permission: the body naming county A is refused as invalid (400, the
    # referenced elder or region is not theirs) or not found (404), never half-written.
    denied_other = _client(cast.county_admin_b).post(reverse(f"{basename}-list"), body, format="json")
    assert denied_other.status_code in (400, 404), denied_other.content[:300]
    assert case.count() == before
    assert snapshot_diff(state, snapshot()) == [], "a denied create changed these"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_scope(name: str, cast: Cast) -> None:
    case = PAGE_CASES[name]
    mine = case.make(cast, cast.community_a1)
    theirs = case.make(cast, cast.community_b1)
    anonymous = Client().get(case.url(mine))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    nobody = Client()
    nobody.force_login(cast.nobody)
    assert nobody.get(case.url(mine)).status_code == 403
    viewer = Client()
    viewer.force_login(getattr(cast, case.viewer))
    assert viewer.get(case.url(mine)).status_code == 200
    assert viewer.get(case.url(theirs)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("route,name", [(r, n) for r, n in SCOPED_PAGES if "<" not in r])
def test_list_page_scope(route: str, name: str, cast: Cast) -> None:
    url = "/" + route.lstrip("^").rstrip("$")
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    nobody = Client()
    nobody.force_login(cast.nobody)
    assert nobody.get(url).status_code == 403
