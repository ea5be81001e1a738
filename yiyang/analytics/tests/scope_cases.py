"""Scope cases of analytics: the rows page behind a KPI (a region in the URL), an evidence file's download,
the departments' entry page (POST, with an evidence file) and the targets page (POST); the API
``/api/v1/kpis/`` has its own contract tests (test_kpis_api.py)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiyang.analytics.tests.factories import PDF, make_evidence
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
            "files": ("床位统计表.pdf", PDF, "application/pdf"),
        },
        outsider_status=404,
    )
)

register_page(
    PageScopeCase(
        name="analytics:evidence",
        make=make_evidence,
        url=lambda f: f"/analytics/evidence/{f.public_id}/",
    )
)

register_page_post(
    PagePostCase(
        name="analytics:targets",
        make=_region,
        url=lambda r: "/analytics/targets/",
        data=lambda cast, r: {
            "kpi": "nursing_bed_share",
            "region": county_code(r.code),
            "year": "2026",
            "value": "60",
            "baseline_year": "",
            "baseline_value": "",
            "valid_from": timezone.localdate().isoformat(),
            "valid_to": "",
            "source": "县（区）养老服务体系规划",
            "reason": "按县（区）规划设定本级目标",
        },
        outsider_status=404,
    )
)
