"""The 12349 operator answers 查询养老院 and 预约挂号 from the platform's own data (issue 12, item 2): the
call page lists the facilities and providers near the caller with the distance from the elder's home,
the recommendation is recorded on the call, an appointment is recorded with its place, time and person
and reminded through the one notification interface by the hotline sweep."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.core.models import OutboxMessage
from yiyang.core.pii import decrypt
from yiyang.core.testing import cast_user
from yiyang.elders.models import ElderContact
from yiyang.hotline import services
from yiyang.hotline.models import Appointment, Call, CallAnswer
from yiyang.hotline.tasks import hotline_sweep
from yiyang.hotline.tests.factories import make_call, make_care_home, phone_elder
from yiyang.orders.tests.factories import HOME, make_provider

pytestmark = pytest.mark.django_db


def _operator(cast: Any) -> Client:
    client = Client()
    client.force_login(cast_user("op_answers", "operator", cast.county_a))
    return client


def _call_from(cast: Any, kind: str = "consultation") -> tuple[Call, Any]:
    elder = phone_elder(cast.community_a1, "13955556666")
    call, _ = services.call_log(actor=cast.county_admin_a, direction="in", number="13955556666", kind=kind)
    return call, elder


def _rows(html: str) -> list[str]:
    table = html.split('data-testid="answer-options"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td data-label="名称">([^<]+)', table)


def test_the_call_page_lists_care_homes_near_the_elder_nearest_first(cast: Any) -> None:
    call, _ = _call_from(cast)
    far = make_care_home(cast.community_a1, name="远处颐养院", lat=HOME[0] + 0.05, lng=HOME[1])
    near = make_care_home(cast.community_a1, name="近处敬老院", lat=HOME[0] + 0.003, lng=HOME[1])
    make_care_home(cast.community_b1, name="乙县养老院")  # another county's: out of the operator's scope
    op = _operator(cast)
    html = op.get(f"/hotline/calls/{call.public_id}/?type=care_home").content.decode()
    assert _rows(html) == [f"{near.name}（本院）", f"{far.name}（本院）"]
    assert "乙县养老院" not in html
    assert "333 米" in html and "5.6 公里" in html  # core.geo: metres below 1 km, then 公里
    assert "130 张" in html and "三级" in html and "养老机构" in html and "0514-87000000" in html
    assert "空床数平台未登记" in html
    searched = op.get(f"/hotline/calls/{call.public_id}/?q=远处").content.decode()
    assert _rows(searched) == [f"{far.name}（本院）"]


def test_recommending_records_the_answer_on_the_call(cast: Any) -> None:
    call, elder = _call_from(cast)
    home = make_care_home(cast.community_a1, name="近处敬老院", lat=HOME[0] + 0.003, lng=HOME[1])
    facility = home.facilities.get()
    op = _operator(cast)
    done = op.post(
        f"/hotline/calls/{call.public_id}/",
        {
            "op": "recommend",
            "facility": str(facility.public_id),
            "elder": str(elder.public_id),
            "note": "有护理床位",
        },
    )
    assert done.status_code == 302
    answer = CallAnswer.objects.get(call=call)
    assert answer.name == facility.name and answer.kind == "facility" and answer.organisation == home
    assert answer.distance_m == 333 and answer.note == "有护理床位"
    assert "三级机构" in answer.details and "床位 130 张" in answer.details
    assert AuditEvent.objects.filter(event="hotline.call_answer").count() == 1
    page = op.get(f"/hotline/calls/{call.public_id}/").content.decode()
    assert 'data-testid="call-answers"' in page and "有护理床位" in page


def test_a_facility_of_another_county_cannot_be_recommended(cast: Any) -> None:
    call, _ = _call_from(cast)
    theirs = make_care_home(cast.community_b1, name="乙县养老院", serves=cast.community_a1)
    response = _operator(cast).post(
        f"/hotline/calls/{call.public_id}/",
        {"op": "recommend", "facility": str(theirs.facilities.get().public_id)},
    )
    assert response.status_code == 404
    assert not CallAnswer.objects.exists()


def test_an_appointment_call_offers_medical_providers_and_records_the_appointment(cast: Any) -> None:
    call, elder = _call_from(cast, kind="appointment")
    hospital = make_provider(cast.community_a1, name="广陵区人民医院")
    hospital.org_type = "medical"
    hospital.save()
    make_care_home(cast.community_a1, name="近处敬老院")
    op = _operator(cast)
    html = op.get(f"/hotline/calls/{call.public_id}/").content.decode()
    assert _rows(html) == ["广陵区人民医院"] and 'value="medical" selected' in html
    at = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=30, second=0, microsecond=0)
    done = op.post(
        f"/hotline/calls/{call.public_id}/",
        {
            "op": "appointment",
            "elder": str(elder.public_id),
            "organisation": str(hospital.public_id),
            "department": "心内科",
            "at": at.strftime("%Y-%m-%dT%H:%M"),
            "remind_hours": "24",
        },
    )
    assert done.status_code == 302
    ap = Appointment.objects.get(call=call)
    assert ap.place == "广陵区人民医院" and ap.organisation == hospital and ap.department == "心内科"
    assert ap.elder == elder and ap.person_name == elder.name and ap.region_code == elder.region_id
    assert ap.at == at and ap.remind_at == at - timedelta(hours=24) and ap.reminded_at is None
    page = op.get(f"/hotline/calls/{call.public_id}/").content.decode()
    assert 'data-testid="call-appointments"' in page and "心内科" in page and "提醒" in page


def test_an_appointment_needs_a_place_a_person_and_a_time_ahead(cast: Any) -> None:
    call = make_call(cast.community_a1)
    soon = timezone.now() + timedelta(days=1)
    with pytest.raises(services.DomainError) as no_place:
        services.appointment_book(actor=cast.county_admin_a, call=call, at=soon, person_name="张三")
    assert "place" in no_place.value.errors
    with pytest.raises(services.DomainError) as no_person:
        services.appointment_book(actor=cast.county_admin_a, call=call, at=soon, place="市一院")
    assert "person_name" in no_person.value.errors
    with pytest.raises(services.DomainError) as past:
        services.appointment_book(
            actor=cast.county_admin_a,
            call=call,
            at=timezone.now() - timedelta(days=1),
            place="市一院",
            person_name="张三",
        )
    assert "at" in past.value.errors
    with pytest.raises(services.DomainError) as odd:
        services.appointment_book(
            actor=cast.county_admin_a, call=call, at=soon, place="市一院", person_name="张三", remind_hours=5
        )
    assert "remind_hours" in odd.value.errors
    assert not Appointment.objects.exists()


def test_the_sweep_reminds_the_caller_and_the_family_once(cast: Any) -> None:
    call, elder = _call_from(cast, kind="appointment")
    ElderContact.objects.filter(elder=elder).update(user=cast.family)
    at = timezone.now() + timedelta(hours=3)
    ap = services.appointment_book(
        actor=cast.county_admin_a, call=call, at=at, place="市第一人民医院", elder=elder, remind_hours=24
    )
    assert ap.remind_at is not None and ap.remind_at < timezone.now()  # less than a day ahead: remind now
    result = hotline_sweep()
    assert result["appointments_reminded"] == 1
    sms = OutboxMessage.objects.filter(channel="sms", key__contains=str(ap.public_id))
    assert sms.count() == 1
    assert decrypt(sms.get().payload["phone_token"]) == "13955556666"  # the number that called
    assert "市第一人民医院" in sms.get().payload["text"] and elder.name not in sms.get().payload["text"]
    family = OutboxMessage.objects.filter(channel="notifications", key__contains=str(ap.public_id))
    assert [m.payload["recipient"] for m in family] == [cast.family.pk]
    assert hotline_sweep()["appointments_reminded"] == 0  # once only
    ap.refresh_from_db()
    assert ap.reminded_at is not None


def test_no_reminder_before_its_time_or_for_a_past_appointment(cast: Any) -> None:
    call, elder = _call_from(cast, kind="appointment")
    later = services.appointment_book(
        actor=cast.county_admin_a,
        call=call,
        at=timezone.now() + timedelta(days=3),
        place="市第一人民医院",
        elder=elder,
        remind_hours=24,
    )
    none = services.appointment_book(
        actor=cast.county_admin_a,
        call=call,
        at=timezone.now() + timedelta(hours=1),
        place="市一院",
        elder=elder,
    )
    assert none.remind_at is None
    assert services.appointments_remind_due()["appointments_reminded"] == 0
    assert services.appointments_remind_due(now=later.at + timedelta(minutes=1))["appointments_reminded"] == 0
    assert services.appointments_remind_due(now=later.at - timedelta(hours=23))["appointments_reminded"] == 1
