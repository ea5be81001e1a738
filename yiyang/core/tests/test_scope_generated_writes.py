"""Generated scope and permission tests for every write path and every child row (issue 9 item 2).

For every routed API action of a scoped viewset (``get_extra_actions()`` and the write methods on detail
routes), every declared list filter and every page accepting POST, a case in the app's
``tests/scope_cases.py`` says how to exercise it; the tests below check, for each:

- another county's user on a county-A object → 404 ``not_found`` and nothing changed (no row added,
  changed or removed in any project table, no audit event, no stored file);
- each user inside the region lacking the permission → 403 and nothing changed (for pages: lacking the
  page's ``required_perm``);
- the rightful user → success with the same body (so the denials above are denials, not parse errors);
- a county-A object with county-B child rows shows none of them to county A.

A new endpoint, filter or page POST without its case fails ``test_every_*_has_a_case``.
"""

from __future__ import annotations

import inspect
import io
import json
from functools import cache
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import resolve, reverse
from rest_framework.test import APIClient

from yiyang.core.testing import (
    ACTION_CASES,
    API_CASES,
    FILTER_CASES,
    INSIDE_A,
    PAGE_CASES,
    PAGE_POST_CASES,
    ActionCase,
    Cast,
    autodiscover_scope_cases,
    member,
    snapshot,
    snapshot_diff,
    url_routes,
)

autodiscover_scope_cases()


ROUTES = url_routes()
# Covered by test_scope_generated.py (ApiScopeCase: list, detail GET, create).
READ_AND_CREATE = {"list", "retrieve", "create"}


def _scoped_api_routes() -> dict[str, tuple[Any, str]]:
    """``route-name:method`` → (viewset class, action name) for every routed action of a scoped viewset."""
    found: dict[str, tuple[Any, str]] = {}
    for _, name, cb in ROUTES:
        cls = getattr(cb, "cls", None)
        actions = getattr(cb, "actions", None)
        if cls is None or not actions or not getattr(cls, "scoped", False):
            continue
        for method, action in actions.items():
            if action not in READ_AND_CREATE and method != "head":
                found[f"{name}:{method}"] = (cls, action)
    # Cross-check with DRF's own list: every extra action must be routed (and hence above).
    for cls in {c for c, _ in found.values()}:
        for extra in cls.get_extra_actions():
            assert any(c is cls and a == extra.__name__ for c, a in found.values()), extra
    return found


API_ACTIONS = _scoped_api_routes()

# Pages that take POST by design without scope: signing in and out.
POST_EXEMPT = {
    "accounts:login": "anonymous by design (the sign-in form)",
    "accounts:logout": "ends the caller's own session; nothing region-bound",
    "core:elder-mode": "the 长辈模式 switch of the caller's own session (also before signing in); no data",
}


def _page_posts() -> set[str]:
    names: set[str] = set()
    for _, name, cb in ROUTES:
        if getattr(cb, "cls", None) is not None:  # the API, covered above
            continue
        view_class = getattr(cb, "view_class", None)
        if view_class is not None:
            if hasattr(view_class, "post"):
                names.add(name)
        elif '"POST"' in inspect.getsource(inspect.unwrap(cb)) or "require_POST" in inspect.getsource(cb):
            names.add(name)
    return names - set(POST_EXEMPT)


PAGE_POSTS = _page_posts()


def _api(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def _perms(case: ActionCase) -> tuple[str, ...]:
    cls, action = API_ACTIONS[case.key]
    multi = getattr(cls, "multi_perms", {})
    if action in multi:
        return tuple(multi[action])
    mapping = cls.permission_map
    perm = mapping.get(action, mapping.get("*"))
    return (perm,) if perm else ()


def _text(response: Any) -> str:
    """Everything a response shows, as text: JSON, HTML, or the cells of an .xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
        )
    return content.decode("utf-8", "replace")


# --- Coverage: a new endpoint without a case fails ---------------------------------------------------------


def test_every_api_action_has_a_case() -> None:
    assert API_ACTIONS, "no scoped API action found — discovery is broken"
    missing = sorted(set(API_ACTIONS) - set(ACTION_CASES))
    assert not missing, f"API actions without an ActionCase in tests/scope_cases.py: {missing}"
    stale = sorted(set(ACTION_CASES) - set(API_ACTIONS))
    assert not stale, f"ActionCases for routes that no longer exist: {stale}"


def test_every_page_post_has_a_case() -> None:
    assert PAGE_POSTS, "no page taking POST found — discovery is broken"
    missing = sorted(PAGE_POSTS - set(PAGE_POST_CASES))
    assert not missing, f"pages taking POST without a PagePostCase in tests/scope_cases.py: {missing}"
    stale = sorted(set(PAGE_POST_CASES) - PAGE_POSTS)
    assert not stale, f"PagePostCases for pages that no longer take POST: {stale}"


@cache
def _declared_filters() -> dict[str, set[str]]:
    """basename → the query parameters its list declares in the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    lists = {
        "/" + route.replace("^", "").replace("$", ""): name.removesuffix("-list")
        for route, name, cb in ROUTES
        if name.endswith("-list") and getattr(getattr(cb, "cls", None), "scoped", False)
    }
    found: dict[str, set[str]] = {}
    for path, ops in schema["paths"].items():
        if path in lists and "get" in ops:
            found[lists[path]] = {
                p["name"]
                for p in ops["get"].get("parameters", [])
                if p["in"] == "query" and p["name"] not in {"page", "page_size"}
            }
    return found


def test_every_list_filter_has_a_case() -> None:
    declared = {f"{b}?{p}" for b, params in _declared_filters().items() for p in params}
    assert declared, "no declared list filter found — discovery is broken"
    missing = sorted(declared - set(FILTER_CASES))
    assert not missing, f"list filters without a FilterCase in tests/scope_cases.py: {missing}"


# --- API actions -------------------------------------------------------------------------------------------


def _send(case: ActionCase, client: APIClient, url: str, body: dict[str, Any]) -> Any:
    if case.method == "get":
        return client.get(url, body)
    if case.multipart:  # files are read once: a fresh upload for every request
        body = {
            k: SimpleUploadedFile(v[0], v[1], content_type=v[2]) if isinstance(v, tuple) else v
            for k, v in body.items()
        }
        return getattr(client, case.method)(url, body, format="multipart")
    return getattr(client, case.method)(url, body, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ACTION_CASES))
def test_api_action_scope(key: str, cast: Cast) -> None:
    case = ACTION_CASES[key]
    obj = case.make(cast, cast.community_a1)
    url = reverse(case.route, args=[case.lookup(obj)] if case.detail else [])
    body = case.body(cast, obj)
    foreign = case.foreign(cast, obj) if case.foreign else None
    perms = _perms(case)
    assert perms, f"{key}: the viewset maps no permission to this action"
    outsider = member(cast, case.outsider)
    assert any(outsider.has_perm(p) for p in perms), f"{key}: outsider {case.outsider} lacks {perms}"
    lacking = [n for n in INSIDE_A if not any(member(cast, n).has_perm(p) for p in perms)]
    hidden = [member(cast, n) for n in case.hidden]
    own = member(cast, case.own[0]) if case.own else None

    before = snapshot()
    anonymous = _send(case, _api(None), url, body)
    assert anonymous.status_code == 401, (key, anonymous.content)
    for name in lacking:
        denied = _send(case, _api(member(cast, name)), url, body)
        assert denied.status_code == 403, (key, name, denied.status_code, denied.content[:300])
        assert denied.json()["code"] == "permission_denied", (key, name)
    for user in hidden:
        response = _send(case, _api(user), url, body)
        assert response.status_code == 404, (key, user.username, response.status_code)
    other = _send(case, _api(outsider), url, body)
    assert other.status_code == case.outsider_status, (key, other.status_code, other.content[:300])
    if case.outsider_status == 404:
        assert other.json()["code"] == "not_found", key
    assert snapshot_diff(before, snapshot()) == [], f"{key}: a denied request changed these"

    if foreign is not None:
        assert own is not None
        refused = _send(case, _api(own), url, foreign)
        assert refused.status_code in case.foreign_status, (
            f"{key}: a body naming county-B objects was accepted",
            refused.status_code,
            refused.content[:300],
        )
        assert snapshot_diff(before, snapshot()) == [], f"{key}: a body naming county B changed these"

    if own is not None:
        ok = _send(case, _api(own), url, body)
        assert ok.status_code == case.own[1], (key, ok.status_code, ok.content[:500])  # type: ignore[index]


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted({c.basename for c in FILTER_CASES.values()}))
def test_api_list_filters_show_no_other_county_rows(basename: str, cast: Cast) -> None:
    case = API_CASES[basename]
    theirs = case.make(cast, cast.community_b1)
    mine = case.make(cast, cast.community_a1)
    viewer = _api(member(cast, case.viewer))
    url = reverse(f"{basename}-list")
    for f in (f for f in FILTER_CASES.values() if f.basename == basename):
        response = viewer.get(url, {f.param: f.value(cast, theirs), "page_size": "200"})
        assert response.status_code in (200, 400, 404), (f.key, response.status_code)
        assert case.lookup(theirs) not in _text(response), f"{f.key}: county B's row listed for county A"
    # The filters must be able to list something: unfiltered, county A's own row is there.
    assert case.lookup(mine) in _text(viewer.get(url, {"page_size": 200}))


# --- Child rows of another county --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("basename", sorted(b for b, c in API_CASES.items() if c.children))
def test_api_shows_no_other_county_child(basename: str, cast: Cast) -> None:
    case = API_CASES[basename]
    assert case.children is not None
    mine = case.make(cast, cast.community_a1)
    leaks = case.children(cast, mine, cast.community_b1)
    assert leaks
    viewer = _api(member(cast, case.viewer))
    lookup = case.lookup(mine)
    urls = [reverse(f"{basename}-detail", args=[lookup])]
    if case.has_list:
        urls.append(reverse(f"{basename}-list") + "?page_size=200")
    urls += [
        reverse(a.route, args=[lookup])
        for a in ACTION_CASES.values()
        if a.method == "get" and a.detail and a.route.removesuffix(a.route.split("-")[-1]) == basename + "-"
    ]
    for url in urls:
        response = viewer.get(url)
        assert response.status_code == 200, (url, response.status_code)
        shown = _text(response)
        found = [s for s in leaks if s in shown]
        assert not found, f"{url} shows county B's child rows to county A: {found}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, c in PAGE_CASES.items() if c.children))
def test_page_shows_no_other_county_child(name: str, cast: Cast) -> None:
    case = PAGE_CASES[name]
    assert case.children is not None
    mine = case.make(cast, cast.community_a1)
    leaks = case.children(cast, mine, cast.community_b1)
    assert leaks
    viewer = Client()
    viewer.force_login(member(cast, case.viewer))
    response = viewer.get(case.url(mine))
    assert response.status_code == 200
    shown = _text(response)
    found = [s for s in leaks if s in shown]
    assert not found, f"{name} shows county B's child rows to county A: {found}"


# --- Page POSTs --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_POST_CASES))
def test_page_post_scope(name: str, cast: Cast) -> None:
    case = PAGE_POST_CASES[name]
    obj = case.make(cast, cast.community_a1)
    url = case.url(obj)
    form = case.data(cast, obj)

    def data() -> dict[str, Any]:  # files are read once: a fresh upload for every request
        return {
            k: SimpleUploadedFile(v[0], v[1], content_type=v[2]) if isinstance(v, tuple) else v
            for k, v in form.items()
        }

    def logged_in(who: str) -> Client:
        client = Client()
        client.force_login(member(cast, who))  # before the snapshot: signing in writes last_login
        return client

    nobody = logged_in("nobody")
    # Members inside county A lacking the page's permission (its ``required_perm``) get 403 as well.
    view_class = getattr(resolve(url).func, "view_class", None)
    page_perm = getattr(view_class, "required_perm", "")
    lacking = (
        [logged_in(n) for n in INSIDE_A if n != "nobody" and not member(cast, n).has_perm(page_perm)]
        if page_perm
        else []
    )
    outsider = logged_in(case.outsider) if case.scoped and case.outsider else None
    own = logged_in(case.own[0]) if case.own else None

    before = snapshot()
    anonymous = Client().post(url, data())
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name
    denied = nobody.post(url, data())
    assert denied.status_code == 403, (name, denied.status_code)
    for client in lacking:
        assert client.post(url, data()).status_code == 403, (name, "lacking", page_perm)
    if outsider is not None:
        other = outsider.post(url, data())
        if case.outsider_status is None:
            assert other.status_code < 500, (name, other.status_code)
        else:
            assert other.status_code == case.outsider_status, (name, other.status_code)
    assert snapshot_diff(before, snapshot()) == [], f"{name}: a denied POST changed these"

    if own is not None:
        ok = own.post(url, data())
        assert ok.status_code in case.own[1], (name, ok.status_code, _text(ok)[:500])  # type: ignore[index]
        if case.changes:  # a 200/302 may be a form shown again with its errors: the POST must have worked
            assert snapshot_diff(before, snapshot()), f"{name}: the rightful POST changed nothing"


def test_json_helper_reads_json() -> None:  # _text is the leak detector: it must see JSON text
    class R:
        streaming = False
        content = json.dumps({"name": "老人"}, ensure_ascii=False).encode()

    assert "老人" in _text(R())


# --- List pages: county B's rows (and their children) never listed for county A ----------------------------

LIST_PAGES = sorted(
    "/" + route
    for route, _, cb in ROUTES
    if getattr(getattr(cb, "view_class", None), "scoped", False) and "<" not in route
)


@pytest.mark.django_db
def test_list_pages_show_no_other_county_rows(cast: Cast) -> None:
    """One county-B world (an object of every API case; county-B children under it and under a county-A
    object) against every list page county A's admin may open: no county-B id or name in the HTML."""
    theirs: list[str] = []
    for case in API_CASES.values():
        obj = case.make(cast, cast.community_b1)
        theirs.append(case.lookup(obj))
        if case.children:  # county B's children under county B's object and under county A's
            theirs += case.children(cast, obj, cast.community_b1)
            theirs += case.children(cast, case.make(cast, cast.community_a1), cast.community_b1)
    viewer = Client()
    viewer.force_login(cast.county_admin_a)
    opened = 0
    for url in LIST_PAGES:
        response = viewer.get(url)
        if response.status_code != 200:  # a page county A's admin may not open (e.g. a caregiver's)
            continue
        opened += 1
        shown = _text(response)
        found = [s for s in theirs if s in shown]
        assert not found, f"{url} shows county B's rows to county A: {found}"
    assert opened >= 10, "county A's admin opened too few list pages: discovery is broken"
