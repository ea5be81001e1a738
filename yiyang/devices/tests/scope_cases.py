"""Scope cases of the devices API and pages (see ``yiyang/core/testing.py``)."""

from __future__ import annotations

from yiyang.core.testing import (
    ActionCase,
    ApiScopeCase,
    FilterCase,
    PagePostCase,
    PageScopeCase,
    register_action,
    register_api,
    register_filter,
    register_page,
    register_page_post,
)
from yiyang.devices.models import Device
from yiyang.devices.tests.factories import make_alarm, make_device, make_vendor
from yiyang.hotline.tests.factories import phone_elder


def _device_body(cast, region):
    make_vendor("scope-vendor")
    return {
        "serial": "SCOPE-1",
        "type": "door",
        "vendor": "scope-vendor",
        "elder": str(phone_elder(region).public_id),
    }


register_api(
    ApiScopeCase(
        basename="device", make=lambda c, r: make_device(r), create=_device_body, count=Device.objects.count
    )
)
register_api(ApiScopeCase(basename="alarm", make=lambda c, r: make_alarm(r)))

register_filter(FilterCase("device", "elder", lambda c, theirs: str(theirs.elder.public_id)))
register_filter(FilterCase("device", "type", lambda c, theirs: theirs.type))
register_filter(FilterCase("alarm", "elder", lambda c, theirs: str(theirs.elder.public_id)))
register_filter(FilterCase("alarm", "status", lambda c, theirs: theirs.status))
register_filter(FilterCase("alarm", "kind", lambda c, theirs: theirs.kind))

register_action(ActionCase(route="alarm-acknowledge", make=lambda c, r: make_alarm(r)))
register_action(
    ActionCase(
        route="alarm-close",
        make=lambda c, r: make_alarm(r, "acknowledged"),
        body=lambda c, o: {"outcome": "handled", "notes": "已上门查看"},
    )
)

register_page(
    PageScopeCase(
        name="devices:alarm", make=lambda c, r: make_alarm(r), url=lambda o: f"/devices/alarms/{o.public_id}/"
    )
)

register_page_post(
    PagePostCase(
        name="devices:alarm",
        make=lambda c, r: make_alarm(r),
        url=lambda o: f"/devices/alarms/{o.public_id}/",
        data=lambda c, o: {"op": "acknowledge"},
    )
)
register_page_post(
    PagePostCase(
        name="devices:devices",
        make=lambda c, r: phone_elder(r),
        url=lambda o: "/devices/",
        data=lambda c, o: {
            "op": "register",
            "vendor": str(make_vendor("scope-page-vendor").public_id),
            "type": "door",
            "serial": f"PAGE-{o.pk}",
            "elder": str(o.public_id),
        },
        outsider_status=None,
        own=("county_admin_a", (302,)),
        note="the elder is looked up in the poster's scope: county B's admin finds no elder of A",
    )
)
register_page_post(
    PagePostCase(
        name="devices:away",
        make=lambda c, r: phone_elder(r),
        url=lambda o: "/devices/away/",
        data=lambda c, o: {
            "elder": str(o.public_id),
            "starts_at": "2026-12-01T08:00",
            "ends_at": "2026-12-03T08:00",
            "reason": "住院",
        },
        outsider_status=404,
        own=("county_admin_a", (302,)),
    )
)
register_page(
    PageScopeCase(
        name="devices:device", make=lambda c, r: make_device(r), url=lambda o: f"/devices/{o.public_id}/"
    )
)
register_page_post(
    PagePostCase(
        name="devices:device",
        make=lambda c, r: make_device(r),
        url=lambda o: f"/devices/{o.public_id}/",
        data=lambda c, o: {"installed_on": "2026-11-20", "installed_by": "王师傅"},
        own=("county_admin_a", (302,)),
    )
)
