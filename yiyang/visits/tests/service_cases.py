"""Service cases of 探访关爱 (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yiyang.core.tests.service_kit import ServiceCase
from yiyang.visits import services as s
from yiyang.visits.rules import DEFAULT_RULES

M = "yiyang.visits.services"


def _a(cast: Any) -> Any:
    from yiyang.visits.tests.factories import elder

    return elder(cast, cast.community_a1, age=85, living="alone")


def _visit(cast: Any, hazards: list[str] | None = None) -> Any:
    from yiyang.visits.tests.factories import make_visit

    return make_visit(cast, _a(cast), hazards=hazards)


def _plan_for_reassign(cast: Any) -> Any:
    from yiyang.visits.tests.factories import plan_for_reassign

    return plan_for_reassign(cast)


def _month() -> str:
    return timezone.localdate().strftime("%Y-%m")


SERVICE_CASES = {
    f"{M}.ruleset_publish": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.ruleset_publish(
            actor=actor, region_code=cast.county_a.code, rules=DEFAULT_RULES
        ),
    ),
    f"{M}.risk_override": ServiceCase(
        arrange=_a,
        act=lambda cast, w, actor: s.risk_override(
            actor=actor, elder=w, risk_class="B", reason="女儿已回家照顾"
        ),
    ),
    f"{M}.risk_override_revoke": ServiceCase(
        arrange=lambda cast: s.risk_override(
            actor=cast.county_admin_a, elder=_a(cast), risk_class="B", reason="女儿已回家照顾"
        ),
        act=lambda cast, w, actor: s.risk_override_revoke(actor=actor, override=w),
    ),
    f"{M}.visit_record": ServiceCase(
        arrange=_a,
        act=lambda cast, w, actor: s.visit_record(
            actor=actor, elder=w, method="phone", visited_at=timezone.now(), seen=True, findings={}
        ),
    ),
    f"{M}.visit_add_photo": ServiceCase(
        arrange=lambda cast: _visit(cast),
        act=lambda cast, w, actor: s.visit_add_photo(actor=actor, visit=w, upload=_png()),
    ),
    f"{M}.visit_hazard_close": ServiceCase(
        arrange=lambda cast: _visit(cast, ["gas"]),
        act=lambda cast, w, actor: s.visit_hazard_close(actor=actor, visit=w, note="已更换燃气管"),
    ),
    f"{M}.plan_generate": ServiceCase(
        arrange=_a,
        act=lambda cast, w, actor: s.plan_generate(
            actor=actor, region_code=cast.community_a1.code, period=_month()
        ),
    ),
    f"{M}.plan_items_reassign": ServiceCase(
        arrange=lambda cast: _plan_for_reassign(cast),
        act=lambda cast, w, actor: s.plan_items_reassign(
            actor=actor,
            plan=w["plan"],
            item_ids=w["items"],
            visitor=w["visitor"],
            reason="网格员休假，改由志愿者探访",
        ),
    ),
    f"{M}.campaign_start": ServiceCase(
        arrange=_a,
        act=lambda cast, w, actor: s.campaign_start(
            actor=actor,
            name="寒潮专项探访",
            event="cold_snap",
            region_code=cast.street_a1.code,
            classes=["A"],
        ),
    ),
    f"{M}.risk_reclassify_all": ServiceCase(
        arrange=_a,
        act=lambda cast, w, actor: s.risk_reclassify_all(actor=actor, region_code=cast.county_a.code),
    ),
}

NOT_WRITES = {
    f"{M}.clean_findings": "checks a findings checklist; writes nothing",
    f"{M}.visitors_of": "reads who visits in a community",
    f"{M}.store_risk": "internal: called inside a service or hook whose caller already checked the scope",
    f"{M}.on_elder_registered": "the register's hook: runs inside elder_create/elder_update (scope checked there)",
    f"{M}.on_elder_status": "the register's status hook: runs inside elder_change_status (scope checked there)",
}


def _png() -> Any:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buf, format="PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")
