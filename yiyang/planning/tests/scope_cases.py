"""Scope cases of the planning pages (see ``yiyang/core/testing.py``): each page takes its region from
the path, so the case's object is the county of the community the generated test passes (county A's
admin opens A's, gets 404 for B's). The pages only read: there is no POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from yiyang.core.testing import PageScopeCase, RegionParamCase, register_page, register_region_param


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


# ``GET /api/v1/coverage/?region=``: the figure is the number of elders in the region (an elder of
# county B standing at the same spot must not count for county A).


def _elder_at_station(cast, region):
    from yiyang.planning.tests.factories import elder_at

    return elder_at(cast, region, 32.39, 119.42)


register_region_param(
    RegionParamCase(
        name="coverage",
        path="/api/v1/coverage/",
        params=lambda cast: {"distance_m": "1000"},
        make=_elder_at_station,
        figure=lambda r: r.json()["elders"],
    )
)
