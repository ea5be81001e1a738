"""The capped count behind every paginated list (``yiyang.core.pagination``): exact below the cap, "N+" above
it, paging carries on past the cap. The cap is set small in each test so it runs on a handful of rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiyang.core.pagination import CappedPaginator, capped_count
from yiyang.regions.models import Region

REGIONS = "/api/v1/regions/"


def test_capped_count_stops_one_row_past_the_limit(cast: Any) -> None:
    rows = Region.objects.order_by("code")
    total = rows.count()
    assert total >= 5
    assert capped_count(rows, 2) == 3
    assert capped_count(rows, total) == total
    assert capped_count(rows, 0) == total  # 0 = exact
    assert capped_count(list(rows), 2) == total  # plain lists are measured with len
    with CaptureQueriesContext(connection) as ctx:
        capped_count(rows, 2)
    sql = ctx.captured_queries[0]["sql"].upper()
    assert "LIMIT 3" in sql and "ORDER BY" not in sql


def test_paginator_below_the_cap_is_exact(cast: Any) -> None:
    total = Region.objects.count()
    paginator = CappedPaginator(Region.objects.order_by("code"), 2, cap=100)
    page = paginator.get_page(1)
    assert paginator.count == total and not paginator.count_capped
    assert paginator.count_label == f"{total:,}"
    assert page.has_next()


def test_paginator_above_the_cap_says_more_and_pages_on(cast: Any) -> None:
    total = Region.objects.count()
    assert total >= 5
    first = CappedPaginator(Region.objects.order_by("code"), 2, cap=2).get_page(1)
    assert first.paginator.count_capped  # type: ignore[attr-defined]
    assert first.paginator.count_label == "2+"  # type: ignore[attr-defined]
    assert first.paginator.shown_count == 2  # type: ignore[attr-defined]
    assert first.has_next()
    # a page past the cap is reachable: the counting window moves with the page asked for
    last = (total + 1) // 2
    paginator = CappedPaginator(Region.objects.order_by("code"), 2, cap=2)
    deep = paginator.get_page(last)
    assert deep.number == last and not paginator.count_capped and paginator.count == total
    assert not deep.has_next()
    assert [r.code for r in deep] == list(Region.objects.order_by("code").values_list("code", flat=True))[
        (last - 1) * 2 :
    ]


def test_thousands_separator_in_label(cast: Any) -> None:
    paginator = CappedPaginator(list(range(12_001)), 20, cap=10_000)
    paginator.get_page(1)
    assert paginator.count_label == "12,001" and not paginator.count_capped  # lists: exact
    small = CappedPaginator(list(range(999)), 20, cap=10_000)
    small.get_page(1)
    assert small.count_label == "999"
    capped = CappedPaginator(Region.objects.order_by("code"), 1, cap=1)
    capped.get_page(1)
    assert capped.count_label == "1+"


def test_api_flags_a_capped_count_and_next_goes_past_the_cap(cast: Any, api_as: Any, settings: Any) -> None:
    settings.YIYANG_COUNT_CAP = 1
    client = api_as(cast.county_admin_a)
    full = client.get(REGIONS, {"page_size": 200}).json()
    total = full["count"]
    assert total >= 3 and full["count_capped"] is False  # 200 rows per page: the window is 200
    body = client.get(REGIONS, {"page_size": 1}).json()
    assert body["count"] == 1 and body["count_capped"] is True
    assert set(body) == {"count", "count_capped", "next", "previous", "results"}
    seen = [r["code"] for r in body["results"]]
    url = body["next"]
    while url:
        body = client.get(url).json()
        seen += [r["code"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == total == len(set(seen))
    assert body["count"] == total and body["count_capped"] is False


def test_exact_count_when_the_cap_is_off(cast: Any, api_as: Any, settings: Any) -> None:
    settings.YIYANG_COUNT_CAP = 0
    body = api_as(cast.county_admin_a).get(REGIONS, {"page_size": 1}).json()
    assert body["count_capped"] is False and body["count"] >= 3


@pytest.mark.django_db
def test_a_page_size_that_is_not_a_whole_number_is_refused(cast: Any, api_as: Any) -> None:
    """Schemathesis ST201: ``page_size=<non-integer>`` was silently ignored (200)."""
    client = api_as(cast.county_admin_a)
    for bad in ("abc", "1.5", "0", "201", "²", ""):
        r = client.get("/api/v1/elders/", {"page_size": bad})
        assert r.status_code == 400 and "page_size" in r.json()["errors"], bad
    assert client.get("/api/v1/elders/", {"page_size": "5"}).status_code == 200
