"""Service cases of the hotline (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.errors import Forbidden
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.hotline import services as s
from yiyang.hotline.tests.factories import (
    make_appointment,
    make_call,
    make_care_home,
    make_incident,
    make_integration,
    make_shift,
    make_work_order,
    phone_elder,
)

M = "yiyang.hotline.services"


def _wo(status: str) -> Any:
    return lambda cast: make_work_order(cast.community_a1, status)


def _inc(status: str) -> Any:
    return lambda cast: make_incident(cast.community_a1, status)


def _b_admin(cast: Any, world: Any) -> Any:
    return cast.county_admin_b


SERVICE_CASES = {
    f"{M}.call_log": ServiceCase(
        # The call is filed under the matched elder's region; county B's admin matches no elder of A and
        # logs the call in their own county, so the refusal is checked with a caller lacking calls.add.
        arrange=lambda cast: phone_elder(cast.community_a1, "13911112222"),
        act=lambda cast, w, actor: s.call_log(
            actor=actor, direction="in", number="13911112222", kind="emergency"
        ),
        other=lambda cast, w: cast.caregiver,
        denied=Forbidden,
    ),
    f"{M}.call_finish": ServiceCase(
        arrange=lambda cast: make_call(cast.community_a1),
        act=lambda cast, w, actor: s.call_finish(actor=actor, call=w, duration_seconds=60),
    ),
    f"{M}.incident_open": ServiceCase(
        arrange=lambda cast: phone_elder(cast.community_a1),
        act=lambda cast, w, actor: s.incident_open(actor=actor, elder=w, kind="fall", source="call"),
    ),
    f"{M}.incident_acknowledge": ServiceCase(
        arrange=_inc("open"), act=lambda cast, w, actor: s.incident_acknowledge(incident=w, actor=actor)
    ),
    f"{M}.incident_dispatch": ServiceCase(
        arrange=_inc("acknowledged"),
        act=lambda cast, w, actor: s.incident_dispatch(incident=w, actor=actor, responder="王师傅"),
    ),
    f"{M}.incident_arrive": ServiceCase(
        arrange=_inc("dispatched"), act=lambda cast, w, actor: s.incident_arrive(incident=w, actor=actor)
    ),
    f"{M}.incident_close": ServiceCase(
        arrange=_inc("arrived"),
        act=lambda cast, w, actor: s.incident_close(incident=w, actor=actor, outcome="hospital"),
    ),
    f"{M}.incident_reveal": ServiceCase(
        arrange=_inc("acknowledged"),
        act=lambda cast, w, actor: s.incident_reveal(actor=actor, incident=w, field_name="phone"),
    ),
    f"{M}.incidents_escalate_due": ServiceCase(
        arrange=lambda cast: make_incident(
            cast.community_a1, "open", ack_due_at=timezone.now() - timedelta(seconds=5)
        ),
        act=lambda cast, w, actor: s.incidents_escalate_due(actor=actor),
        denied=type(None),  # type: ignore[arg-type]  # a sweep over the other county's scope finds nothing
    ),
    f"{M}.shift_add": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.shift_add(
            actor=actor,
            user=cast.county_admin_a,
            role="operator",
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(hours=8),
            region_code=cast.county_a.code,
        ),
    ),
    f"{M}.shift_swap": ServiceCase(
        arrange=lambda cast: make_shift(cast.county_admin_a, cast.county_a),
        act=lambda cast, w, actor: s.shift_swap(
            actor=actor, shift=w, user=cast.county_admin_a, reason="调休"
        ),
    ),
    f"{M}.integration_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.integration_create(
            actor=actor, name="12345", region_code=cast.city.code
        ),
        actor=lambda cast, w: cast.city_admin,
        denied=Forbidden,
    ),
    f"{M}.integration_revoke": ServiceCase(
        arrange=lambda cast: make_integration(cast.community_a1)[0],
        act=lambda cast, w, actor: s.integration_revoke(actor=actor, integration=w),
        actor=lambda cast, w: cast.city_admin,
        denied=Forbidden,
    ),
    f"{M}.work_order_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.work_order_create(
            actor=actor, title="楼道灯坏", content="请社区维修", region_code=cast.community_a1.code
        ),
    ),
    f"{M}.work_order_assign": ServiceCase(
        arrange=_wo("accepted"),
        act=lambda cast, w, actor: s.work_order_assign(
            work_order=w, actor=actor, handler_kind="community", handler_name="文昌社区"
        ),
    ),
    f"{M}.work_order_start": ServiceCase(
        arrange=_wo("assigned"), act=lambda cast, w, actor: s.work_order_start(work_order=w, actor=actor)
    ),
    f"{M}.work_order_transfer": ServiceCase(
        arrange=_wo("assigned"),
        act=lambda cast, w, actor: s.work_order_transfer(
            work_order=w, actor=actor, handler_kind="street", handler_name="文昌街道", reason="职责调整"
        ),
    ),
    f"{M}.work_order_resolve": ServiceCase(
        arrange=_wo("handling"),
        act=lambda cast, w, actor: s.work_order_resolve(work_order=w, actor=actor, result="已修"),
    ),
    f"{M}.work_order_rework": ServiceCase(
        arrange=_wo("resolved"),
        act=lambda cast, w, actor: s.work_order_rework(work_order=w, actor=actor, reason="未修好"),
    ),
    f"{M}.work_order_follow_up": ServiceCase(
        arrange=_wo("resolved"),
        act=lambda cast, w, actor: s.work_order_follow_up(
            work_order=w, actor=actor, satisfaction="satisfied"
        ),
    ),
    f"{M}.work_order_supervise": ServiceCase(
        arrange=_wo("handling"),
        act=lambda cast, w, actor: s.work_order_supervise(work_order=w, actor=actor, reason="请抓紧"),
    ),
    f"{M}.call_recommend": ServiceCase(
        arrange=lambda cast: (make_call(cast.community_a1), make_care_home(cast.community_a1)),
        act=lambda cast, w, actor: s.call_recommend(
            actor=actor, call=w[0], facility=w[1].facilities.get(), note="离家近"
        ),
    ),
    f"{M}.appointment_book": ServiceCase(
        arrange=lambda cast: make_call(cast.community_a1),
        act=lambda cast, w, actor: s.appointment_book(
            actor=actor,
            call=w,
            at=timezone.now() + timedelta(days=1),
            place="市第一人民医院",
            person_name="张三",
            department="心内科",
            remind_hours=24,
        ),
    ),
    f"{M}.appointments_remind_due": ServiceCase(
        arrange=lambda cast: make_appointment(cast.community_a1),
        act=lambda cast, w, actor: s.appointments_remind_due(actor=actor),
        denied=type(None),  # type: ignore[arg-type]  # a sweep over the other county's scope finds nothing
    ),
    f"{M}.work_orders_supervise_due": ServiceCase(
        arrange=lambda cast: make_work_order(
            cast.community_a1, "handling", deadline=timezone.now() - timedelta(hours=1)
        ),
        act=lambda cast, w, actor: s.work_orders_supervise_due(actor=actor),
        denied=type(None),  # type: ignore[arg-type]
    ),
}


def _care_task(cast: Any) -> Any:
    from yiyang.hotline.models import CareCallBatch, CareCallTask

    elder = phone_elder(cast.community_a1)
    batch = CareCallBatch.objects.create(name="回访", region_code=cast.community_a1.code)
    return CareCallTask.objects.create(batch=batch, elder=elder, region_code=elder.region_id)


SERVICE_CASES[f"{M}.care_call_batch_plan"] = ServiceCase(
    arrange=lambda cast: phone_elder(cast.community_a1),
    act=lambda cast, w, actor: s.care_call_batch_plan(
        actor=actor,
        name="本周回访",
        region_code=cast.county_a.code,
        living_situations=["unknown"],
        min_age=80,
    ),
)
SERVICE_CASES[f"{M}.care_call_record"] = ServiceCase(
    arrange=_care_task,
    act=lambda cast, w, actor: s.care_call_record(actor=actor, task=w, reached=True, notes="身体好"),
)

NOT_WRITES = {
    f"{M}.actor_region": "which region a row without an elder is filed under",
    f"{M}.phone_digits": "parser",
    f"{M}.arrival_target": "a policy value",
    f"{M}.ack_timeout": "a policy value",
    f"{M}.on_duty": "reader",
    f"{M}.callback_secret": "derives a secret, writes nothing (shown once on the scoped integrations page)",
    f"{M}.callback_signature": "hash",
    f"{M}.deliver_12345": "outbox channel handler (delivery of an already-authorised message)",
    f"{M}.work_order_receive_12345": "acts as SYSTEM for an integration authenticated by its key and bounded to its city (tests/test_12345.py)",
}
