"""Service cases of the elder register (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from yiyang.core.errors import DomainError, Forbidden
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.elders import services as s
from yiyang.elders.tests.factories import id_number, make_elder

M = "yiyang.elders.services"


def _elder(cast: Any) -> Any:
    return make_elder(cast, cast.community_a1)


SERVICE_CASES = {
    f"{M}.elder_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.elder_create(
            actor=actor, name="新登记", id_number=id_number(), region=cast.community_a1
        ),
        denied=DomainError,  # the region is not offered to B: a validation error naming region_code
    ),
    f"{M}.elder_update": ServiceCase(
        arrange=_elder, act=lambda cast, w, actor: s.elder_update(actor=actor, elder=w, notes="改")
    ),
    f"{M}.elder_change_status": ServiceCase(
        arrange=_elder,
        act=lambda cast, w, actor: s.elder_change_status(
            actor=actor, elder=w, status="moved_out", effective_date=date(2026, 11, 1), reason="迁往外地"
        ),
    ),
    f"{M}.elder_set_capability": ServiceCase(
        arrange=_elder,
        act=lambda cast, w, actor: s.elder_set_capability(
            elder=w,
            standard="gbt42195",
            level=2,
            label="轻度失能",
            assessed_on=date(2026, 11, 1),
            valid_until=None,
            moderate_plus=False,
            actor=actor,
            permission="assessments.assign",
        ),
    ),
    f"{M}.elder_reveal": ServiceCase(
        arrange=_elder,
        act=lambda cast, w, actor: s.elder_reveal(actor=actor, elder=w, field_name="phone"),
        denied=Forbidden,  # the reveal check answers 403 before the gate (no disclosure either way)
    ),
    f"{M}.elder_reveal_for_duty": ServiceCase(
        arrange=_elder,
        act=lambda cast, w, actor: s.elder_reveal_for_duty(
            actor=actor,
            elder=w,
            fields=["phone"],
            duty={"duty": "测试"},
            permission="elders.reveal",
            own=False,
        ),
    ),
}

NOT_WRITES = {
    f"{M}.id_probe_limit": "a rate limit on the caller's own checks (cache only)",
    f"{M}.clean_categories": "validation, unsaved rows",
    f"{M}.clean_contacts": "validation, unsaved rows",
    f"{M}.elder_transferred": "runs the transfer hooks inside elder_update's gated transaction",
}
