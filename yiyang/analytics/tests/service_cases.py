"""Service cases of analytics (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.analytics import services as s
from yiyang.analytics.tests.factories import make_evidence
from yiyang.core.tests.service_kit import ServiceCase

M = "yiyang.analytics.services"


def _city_admin(cast: Any, world: Any) -> Any:
    return cast.city_admin


SERVICE_CASES = {
    f"{M}.kpi_entry_create": ServiceCase(
        arrange=lambda cast: {},
        act=lambda cast, w, actor: s.kpi_entry_create(
            actor=actor,
            kpi_code="private_bed_share",
            region_code=cast.county_a.code,
            value="66.5",
            as_of=date(2026, 6, 30),
            department="广陵区民政局",
            evidence="广陵区养老机构床位统计表（2026年6月）",
        ),
    ),
    f"{M}.kpi_target_set": ServiceCase(
        arrange=lambda cast: {},
        act=lambda cast, w, actor: s.kpi_target_set(
            actor=actor,
            kpi_code="nursing_bed_share",
            region_code=cast.county_a.code,
            year="2026",
            value="60",
            valid_from=date(2026, 1, 1),
            reason="按县（区）规划设定本级目标",
        ),
    ),
    f"{M}.kpi_evidence_download": ServiceCase(
        arrange=lambda cast: {"evidence": make_evidence(cast, cast.community_a1)},
        act=lambda cast, w, actor: s.kpi_evidence_download(actor=actor, evidence=w["evidence"]),
    ),
    # A city-wide refresh is the system's (the nightly job); a county admin of B may not refresh the city.
    f"{M}.snapshots_refresh": ServiceCase(
        arrange=lambda cast: {},
        act=lambda cast, w, actor: s.snapshots_refresh(
            actor=actor, period="2026-06", root_code=cast.county_a.code
        ),
    ),
    f"{M}.snapshots_backfill": ServiceCase(
        arrange=lambda cast: {},
        act=lambda cast, w, actor: s.snapshots_backfill(actor=actor, months=0, root_code=cast.county_a.code),
    ),
}

NOT_WRITES = {
    f"{M}.month_end": "date helper",
    f"{M}.period_of": "date helper",
    f"{M}.months_back": "date helper",
}
