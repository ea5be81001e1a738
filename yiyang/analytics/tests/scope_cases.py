"""Scope cases of analytics: the rows page behind a KPI (a region in the URL) and the departments' entry
page (POST); the API ``/api/v1/kpis/`` has its own contract tests (test_kpis_api.py)."""

from __future__ import annotations

from typing import Any

from yiyang.core.testing import PagePostCase, PageScopeCase, register_page, register_page_post
from yiyang.regions.scope import county_code


def _region(cast: Any, region: Any) -> Any:
    return region


register_page(
    PageScopeCase(
        name="analytics:rows",
        make=_region,
        url=lambda r: f"/analytics/rows/beds_total/?region={r.code}",
    )
)

register_page_post(
    PagePostCase(
        name="analytics:entries",
        make=_region,
        url=lambda r: "/analytics/entries/",
        data=lambda cast, r: {
            "kpi": "private_bed_share",
            "region": county_code(r.code),
            "value": "66.5",
            "as_of": "2026-06-30",
            "department": "民政局",
            "evidence": "养老机构床位统计表（2026年6月）",
        },
        outsider_status=404,
    )
)
