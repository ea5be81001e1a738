"""Scope cases of analytics: the rows page behind a KPI (a region in the URL), an evidence file's download,
the departments' entry page (POST, with an evidence file), the targets page (POST), and every read of a
region named in ``?region=`` (the API ``/api/v1/kpis/``, the dashboard, the wall, the rows, the quarterly
report); the API's contract is in test_kpis_api.py."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiyang.analytics.tests.factories import PDF, make_evidence
from yiyang.core.testing import (
    PagePostCase,
    PageScopeCase,
    RegionParamCase,
    register_page,
    register_page_post,
    register_region_param,
)
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


# The KPIs of a region (``?region=``): the API, the dashboard, the wall, the rows behind a KPI and the
# quarterly report. The figure is 60 岁及以上老年人数 (``elders_60``), or the facilities listed behind
# 床位总数; a 70-year-old of county B, or county B's home, must not count for county A.


def _elder_70(cast: Any, region: Any) -> Any:
    from yiyang.analytics.tests.factories import elder_aged

    return elder_aged(cast, region, 70)


def _api_elders_60(response: Any) -> Any:
    return next(row["value"] for row in response.json() if row["code"] == "elders_60")


def _page_elders_60(response: Any) -> Any:
    ctx = response.context
    values = [*ctx["targeted"], *(v for group in ctx["groups"].values() for v in group)]
    return next(v.number for v in values if v.kpi.code == "elders_60")


def _facility(cast: Any, region: Any) -> Any:
    from yiyang.planning.tests.factories import facility_at

    return facility_at(region, 32.39, 119.42, org_type="care_home", beds=10)


register_region_param(
    RegionParamCase(name="kpi-list", path="/api/v1/kpis/", make=_elder_70, figure=_api_elders_60)
)
for _name, _path in [("analytics:dashboard", "/analytics/"), ("analytics:wall", "/analytics/wall/")]:
    register_region_param(RegionParamCase(name=_name, path=_path, make=_elder_70, figure=_page_elders_60))
register_region_param(
    RegionParamCase(
        name="analytics:rows",
        path="/analytics/rows/beds_total/",
        make=_facility,
        figure=lambda r: len(r.context["rows"]),
    )
)
for _name, _path in [
    ("analytics:report_pdf", "/analytics/report.pdf"),
    ("analytics:report_xlsx", "/analytics/report.xlsx"),
]:
    register_region_param(
        RegionParamCase(
            name=_name,
            path=_path,
            make=_elder_70,
            figure=None,
            note="the quarterly report reads the stored monthly snapshots; their figures per region are "
            "checked in test_snapshots_and_pages.py",
        )
    )


# 指标目标值 (?region=): the figure is the number of the county's own target versions in the table.


def _county_target(cast: Any, region: Any) -> Any:
    from datetime import timedelta

    from yiyang.analytics import selectors, services
    from yiyang.analytics.choices import Direction
    from yiyang.analytics.models import KpiTarget

    county = region.parent.parent
    admin = cast.county_admin_a if county == cast.county_a else cast.county_admin_b
    kpi = next(
        k for k in selectors.kpi_list() if k.direction != Direction.NONE and selectors.applies(k, county)
    )
    later = KpiTarget.objects.filter(region_code=county.code).count()  # each a new version, a day later
    return services.kpi_target_set(
        actor=admin,
        kpi_code=kpi.code,
        region_code=county.code,
        year=timezone.localdate().year,
        value="50",
        valid_from=timezone.localdate() + timedelta(days=later),
        reason="测试：新的目标值",
    )


register_region_param(
    RegionParamCase(
        name="analytics:targets",
        path="/analytics/targets/",
        make=_county_target,
        figure=lambda r: len([row for row in r.context["rows"] if not row["inherited_from"]]),
    )
)
