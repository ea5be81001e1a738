"""Service cases of devices (see ``yiyang/core/tests/service_kit.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from yiyang.core.errors import DomainError, Forbidden
from yiyang.core.tests.service_kit import ServiceCase
from yiyang.devices import services as s
from yiyang.devices.tests.factories import id_elder, make_alarm, make_device, make_event, make_vendor
from yiyang.hotline.tests.factories import phone_elder

M = "yiyang.devices.services"


def _city_admin(cast: Any, world: Any) -> Any:
    return cast.city_admin


def _alone(cast: Any) -> Any:
    elder = phone_elder(cast.community_a1)
    elder.living_situation = "alone"
    elder.save()
    water = make_device(cast.community_a1, "water_meter", elder=elder)
    make_event(water, "water_meter", timezone.now() - timedelta(hours=31), value=1.0)
    make_event(water, "water_meter", timezone.now() - timedelta(hours=30), value=2.0)
    return elder


SERVICE_CASES = {
    f"{M}.vendor_create": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.vendor_create(
            actor=actor, code="svc-v", name="厂商", region_code="321000000000"
        ),
        actor=_city_admin,
        denied=Forbidden,  # vendors are the city's: a county admin holds no devices.vendors
    ),
    f"{M}.vendor_rotate_secret": ServiceCase(
        arrange=lambda cast: make_vendor(),
        act=lambda cast, w, actor: s.vendor_rotate_secret(actor=actor, vendor=w),
        actor=_city_admin,
        denied=Forbidden,
    ),
    f"{M}.device_register": ServiceCase(
        arrange=lambda cast: (make_vendor(), phone_elder(cast.community_a1)),
        act=lambda cast, w, actor: s.device_register(
            actor=actor, vendor=w[0], serial="SVC-1", type="door", elder=w[1]
        ),
    ),
    f"{M}.device_remove": ServiceCase(
        arrange=lambda cast: make_device(cast.community_a1),
        act=lambda cast, w, actor: s.device_remove(actor=actor, device=w),
    ),
    f"{M}.installation_add": ServiceCase(
        arrange=lambda cast: make_device(cast.community_a1),
        act=lambda cast, w, actor: s.installation_add(
            actor=actor, device=w, installed_on=timezone.localdate(), installed_by="王师傅"
        ),
    ),
    f"{M}.device_import_rows": ServiceCase(
        arrange=lambda cast: (make_vendor(), id_elder(cast.community_a1)[1]),
        act=lambda cast, w, actor: s.device_import_rows(
            actor=actor, vendor=w[0], rows=[{"serial": "IMP-1", "type": "门磁", "id_number": w[1]}]
        ),
        denied=DomainError,  # rows are matched by ID number within the actor's scope: B finds no elder of A
    ),
    f"{M}.rule_set": ServiceCase(
        arrange=lambda cast: None,
        act=lambda cast, w, actor: s.rule_set(
            actor=actor,
            region_code=cast.county_a.code,
            event_type="smoke",
            kind="smoke",
            severity="high",
            needs_person=False,
        ),
    ),
    f"{M}.threshold_set": ServiceCase(
        arrange=lambda cast: phone_elder(cast.community_a1),
        act=lambda cast, w, actor: s.threshold_set(actor=actor, elder=w, heart_rate_max=110),
    ),
    f"{M}.away_add": ServiceCase(
        arrange=lambda cast: phone_elder(cast.community_a1),
        act=lambda cast, w, actor: s.away_add(
            actor=actor,
            elder=w,
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=1),
            reason="住院",
        ),
    ),
    f"{M}.events_ingest": ServiceCase(
        arrange=lambda cast: make_vendor(),
        act=lambda cast, w, actor: s.events_ingest(
            actor=actor,
            vendor=w,
            events=[
                {
                    "event_id": "svc-1",
                    "serial": "SVC-X",
                    "type": "heartbeat",
                    "ts": timezone.now().isoformat(),
                }
            ],
        ),
        actor=_city_admin,
        audits=0,
    ),
    f"{M}.events_process": ServiceCase(
        arrange=lambda cast: make_event(make_device(cast.community_a1, "smoke"), "smoke", value=1),
        act=lambda cast, w, actor: s.events_process(actor=actor, pks=[w.pk]),
        audits=2,  # the alarm, and the hotline incident a smoke alarm opens
    ),
    f"{M}.alarm_acknowledge": ServiceCase(
        arrange=lambda cast: make_alarm(cast.community_a1),
        act=lambda cast, w, actor: s.alarm_acknowledge(actor=actor, alarm=w),
    ),
    f"{M}.alarm_close": ServiceCase(
        arrange=lambda cast: make_alarm(cast.community_a1, "acknowledged"),
        act=lambda cast, w, actor: s.alarm_close(actor=actor, alarm=w, outcome="handled"),
    ),
    f"{M}.inactivity_check": ServiceCase(
        arrange=_alone,
        act=lambda cast, w, actor: s.inactivity_check(actor=actor, elder=w),
    ),
    f"{M}.devices_sweep": ServiceCase(
        arrange=lambda cast: make_device(
            cast.community_a1,
            "door",
            last_heartbeat=timezone.now() - timedelta(days=1),
            heartbeat_seconds=600,
        ),
        act=lambda cast, w, actor: s.devices_sweep(actor=actor),
        denied=type(None),  # type: ignore[arg-type]  # a sweep over the other county's scope finds nothing
    ),
}

NOT_WRITES = {
    f"{M}.signature": "computes the webhook signature",
    f"{M}.signature_ok": "compares a signature",
    f"{M}.away_at": "reads the away period covering a moment",
    f"{M}.event_validate": "validates one event's fields",
    f"{M}.rule_for": "reads the rule for an event type and region",
}
