"""Scope cases of the hotline's API and pages (see ``yiyang/core/testing.py``)."""

from __future__ import annotations

from yiyang.core.testing import (
    PAGE_CASES,
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
from yiyang.hotline.models import Incident
from yiyang.hotline.tests.factories import (
    make_call,
    make_incident,
    make_integration,
    make_shift,
    make_work_order,
    phone_elder,
)


def _incident_body(cast, region):
    return {"elder": str(phone_elder(region).public_id), "kind": "fall", "source": "call", "notes": "摔倒"}


def _incident_in(status):
    return lambda c, r: make_incident(r, status)


def _work_order_in(status):
    return lambda c, r: make_work_order(r, status)


register_api(ApiScopeCase(basename="call", make=lambda c, r: make_call(r)))
register_api(
    ApiScopeCase(
        basename="incident",
        make=lambda c, r: make_incident(r),
        create=_incident_body,
        count=Incident.objects.count,
    )
)
register_api(ApiScopeCase(basename="work-order", make=lambda c, r: make_work_order(r)))

register_filter(FilterCase("incident", "status", lambda c, theirs: "open"))
register_filter(FilterCase("incident", "elder", lambda c, theirs: str(theirs.elder.public_id)))
register_filter(FilterCase("work-order", "status", lambda c, theirs: "accepted"))

for _route, _status, _body in [
    ("incident-acknowledge", "open", lambda c, o: {}),
    ("incident-dispatch", "acknowledged", lambda c, o: {"responder": "王师傅"}),
    ("incident-arrive", "dispatched", lambda c, o: {}),
    ("incident-close", "arrived", lambda c, o: {"outcome": "handled_at_home"}),
]:
    register_action(ActionCase(route=_route, make=_incident_in(_status), body=_body))

for _route, _status, _body in [
    ("work-order-assign", "accepted", lambda c, o: {"handler_kind": "community", "handler_name": "文昌社区"}),
    ("work-order-start", "assigned", lambda c, o: {}),
    ("work-order-resolve", "handling", lambda c, o: {"result": "已修复"}),
    ("work-order-follow-up", "resolved", lambda c, o: {"satisfaction": "satisfied"}),
    (
        "work-order-transfer",
        "assigned",
        lambda c, o: {"handler_kind": "street", "handler_name": "文昌街道", "reason": "不属社区职责"},
    ),
    ("work-order-rework", "resolved", lambda c, o: {"reason": "群众不满意"}),
    ("work-order-supervise", "handling", lambda c, o: {"reason": "请抓紧"}),
]:
    register_action(ActionCase(route=_route, make=_work_order_in(_status), body=_body))

register_page(
    PageScopeCase(
        name="hotline:call", make=lambda c, r: make_call(r), url=lambda o: f"/hotline/calls/{o.public_id}/"
    )
)
register_page(
    PageScopeCase(
        name="hotline:incident",
        make=lambda c, r: make_incident(r),
        url=lambda o: f"/hotline/incidents/{o.public_id}/",
    )
)
register_page(
    PageScopeCase(
        name="hotline:work_order",
        make=lambda c, r: make_work_order(r),
        url=lambda o: f"/hotline/work-orders/{o.public_id}/",
    )
)

register_page_post(
    PagePostCase(
        name="hotline:console",
        make=lambda c, r: None,
        url=lambda o: "/hotline/",
        data=lambda c, o: {"direction": "in", "number": "13912345678", "kind": "consultation"},
        outsider_status=None,
        scoped=False,
        note="a call is filed under the operator's own region: another county's operator logs their own",
    )
)
register_page_post(
    PagePostCase(
        name="hotline:call",
        make=lambda c, r: make_call(r),
        url=lambda o: f"/hotline/calls/{o.public_id}/",
        data=lambda c, o: {"op": "finish", "duration_seconds": "95", "notes": "咨询助餐"},
    )
)
register_page_post(
    PagePostCase(
        name="hotline:incident",
        make=lambda c, r: make_incident(r),
        url=lambda o: f"/hotline/incidents/{o.public_id}/",
        data=lambda c, o: {"op": "acknowledge"},
    )
)
register_page_post(
    PagePostCase(
        name="hotline:sos",
        make=lambda c, r: phone_elder(r, family=c.family if r == c.community_a1 else None),
        url=lambda o: "/hotline/sos/",
        data=lambda c, o: {"elder": str(o.public_id), "kind": "sos"},
        outsider="family_b",
        outsider_status=None,
        own=("family", (302,)),
    )
)
register_page_post(
    PagePostCase(
        name="hotline:work_order",
        make=lambda c, r: make_work_order(r),
        url=lambda o: f"/hotline/work-orders/{o.public_id}/",
        data=lambda c, o: {"op": "assign", "handler_kind": "community", "handler_name": "文昌社区"},
    )
)
register_page_post(
    PagePostCase(
        name="hotline:roster",
        make=lambda c, r: make_shift(c.county_admin_a, c.county_a),
        url=lambda o: "/hotline/roster/",
        data=lambda c, o: {
            "op": "swap",
            "shift": str(o.public_id),
            "user": str(c.county_admin_a.public_id),
            "reason": "调休",
        },
        outsider_status=None,
    )
)
register_page_post(
    PagePostCase(
        name="hotline:integrations",
        make=lambda c, r: make_integration(r)[0],
        url=lambda o: "/hotline/integrations/",
        data=lambda c, o: {"op": "revoke", "integration": str(o.public_id)},
        outsider_status=None,
        own=("city_admin", (302,)),
        scoped=False,
        note="keys are the city's: only the city admin manages them (tests/test_integrations.py)",
    )
)


def _care_batch(cast, region):
    from yiyang.hotline.models import CareCallBatch, CareCallTask

    elder = phone_elder(region)
    batch = CareCallBatch.objects.create(name="本周回访", region_code=region.code)
    CareCallTask.objects.create(batch=batch, elder=elder, region_code=elder.region_id)
    return batch


register_page(
    PageScopeCase(
        name="hotline:care_batch", make=_care_batch, url=lambda b: f"/hotline/care-calls/{b.public_id}/"
    )
)
register_page_post(
    PagePostCase(
        name="hotline:care_batch",
        make=_care_batch,
        url=lambda b: f"/hotline/care-calls/{b.public_id}/",
        data=lambda c, b: {"task": str(b.tasks.get().public_id), "reached": "1", "notes": "身体好"},
    )
)
register_page_post(
    PagePostCase(
        name="hotline:care_calls",
        make=lambda c, r: phone_elder(r),
        url=lambda o: "/hotline/care-calls/",
        data=lambda c, o: {
            "name": "本周回访",
            "region_code": c.county_a.code,
            "living_situations": ["unknown"],
            "min_age": "80",
        },
        outsider_status=None,
    )
)


# --- 查询养老院 / 预约挂号 on the call page: county B's organisations, facilities and answers stay out ----------


def _call_children(cast, call, other_region):
    """A care home registered in county B that also serves county A's community, and an answer and an
    appointment on a county-B call: county A's call page lists none of them."""
    from yiyang.hotline.models import Appointment, CallAnswer
    from yiyang.hotline.tests.factories import make_care_home

    org = make_care_home(other_region, name="乙县颐养院", serves=cast.community_a1)
    theirs = make_call(other_region)
    CallAnswer.objects.create(
        call=theirs, kind="provider", organisation=org, name="乙县答复机构", region_code=other_region.code
    )
    from django.utils import timezone

    Appointment.objects.create(
        call=theirs,
        person_name="乙县预约人",
        place="乙县医院",
        at=timezone.now(),
        region_code=other_region.code,
    )
    return [
        "乙县颐养院",
        str(org.public_id),
        str(org.facilities.get().public_id),
        "乙县答复机构",
        "乙县预约人",
    ]


PAGE_CASES["hotline:call"].children = _call_children
