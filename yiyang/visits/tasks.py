"""Celery tasks of 探访关爱: the nightly reclassification (thin wrapper around the service)."""

from __future__ import annotations

from yiyang.core.jobs import recorded_job


@recorded_job("yiyang.visits.tasks.visits_reclassify", "探访关爱：老年人风险分类（每晚）")
def visits_reclassify() -> dict[str, int]:
    from yiyang.regions.scope import SYSTEM
    from yiyang.visits.services import risk_reclassify_all

    return risk_reclassify_all(actor=SYSTEM)
