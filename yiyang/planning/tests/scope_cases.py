"""Scope cases of the planning pages (see ``yiyang/core/testing.py``): each page takes its region from
the path, so the case's object is the county of the community the generated test passes (county A's
admin opens A's, gets 404 for B's). The pages only read: there is no POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yiyang.core.testing import PageScopeCase, register_page


def _county(cast, region):
    return region.parent.parent


def _url(path: str) -> Callable[[Any], str]:
    return lambda region: f"/planning/{path}/{region.gb_code}/"


for name, path in [
    ("planning:map_region", "map"),
    ("planning:coverage", "coverage"),
    ("planning:siting", "siting"),
]:
    register_page(PageScopeCase(name=name, make=_county, url=_url(path)))
register_page(
    PageScopeCase(
        name="planning:siting_export",
        make=_county,
        url=lambda r: f"/planning/siting/{r.gb_code}/export/?n=2&distance_m=1000&candidates=both",
    )
)
