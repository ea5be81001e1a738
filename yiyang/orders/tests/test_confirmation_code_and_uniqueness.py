"""Issue 10: the elder's confirmation code locks after 5 wrong tries and expires; one pending complaint
per category per order is a database constraint (a race cannot make two)."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.audit.models import AuditEvent
from yiyang.orders.models import Complaint, Order
from yiyang.orders.tests.factories import make_order, make_world

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"
)


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def _checked_out(world: dict[str, Any], **fields: Any) -> Order:
    fields.setdefault("checked_out_at", timezone.now())
    return make_order(
        world["elder"],
        world["item"],
        status="checked_out",
        caregiver=world["staff"],
        provider=world["org"],
        checked_in_at=timezone.now() - timedelta(hours=1),
        **fields,
    )


def _confirm(cast: Any, order: Order, code: str) -> Any:
    return client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/confirm/", {"code": code}, format="json"
    )


def test_the_code_locks_after_five_wrong_tries_and_the_right_one_no_longer_works(
    cast: Any, world: dict[str, Any]
) -> None:
    order = _checked_out(world)
    answers = [_confirm(cast, order, f"00000{i}") for i in range(5)]
    assert [a.status_code for a in answers[:4]] == [400] * 4
    assert "还可再试 1 次" in answers[3].json()["errors"]["code"][0]
    assert answers[4].status_code == 409 and answers[4].json()["code"] == "confirmation_code_locked"
    for _ in range(55):
        assert _confirm(cast, order, "999999").status_code == 409
    locked = _confirm(cast, order, "123456")
    assert locked.status_code == 409
    assert "已锁定" in locked.json()["message"] and "重新生成确认码" in locked.json()["message"]
    assert Order.objects.get(pk=order.pk).status == "checked_out"
    assert AuditEvent.objects.filter(event="orders.confirmation_code_locked").count() == 1


def test_a_family_member_renews_a_locked_code_and_the_new_one_works(cast: Any, world: dict[str, Any]) -> None:
    order = _checked_out(world)
    for _ in range(5):
        _confirm(cast, order, "000000")
    assert client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/confirmation-code/"
    ).status_code in {
        403,
        404,
    }  # the caregiver may not reset their own count
    renewed = client(cast.family).post(f"/api/v1/orders/{order.public_id}/confirmation-code/")
    assert renewed.status_code == 200, renewed.json()
    code = renewed.json()["confirmation_code"]
    assert code and len(code) == 6
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.confirmation_attempts == 0 and fresh.confirmation_code == code
    ok = _confirm(cast, order, code)
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    assert AuditEvent.objects.filter(event="orders.confirmation_code_renewed").count() == 1


def test_a_dispatcher_in_scope_may_renew_but_another_county_may_not(cast: Any, world: dict[str, Any]) -> None:
    order = _checked_out(world)
    assert client(cast.county_admin_b).post(
        f"/api/v1/orders/{order.public_id}/confirmation-code/"
    ).status_code in {
        403,
        404,
    }
    assert (
        client(cast.county_admin_a).post(f"/api/v1/orders/{order.public_id}/confirmation-code/").status_code
        == 200
    )


def test_the_code_expires_a_day_after_check_out(cast: Any, world: dict[str, Any]) -> None:
    order = _checked_out(world, checked_out_at=timezone.now() - timedelta(hours=25))
    Order.objects.filter(pk=order.pk).update(confirmation_code_issued_at=timezone.now() - timedelta(days=3))
    order.refresh_from_db()
    expired = _confirm(cast, order, "123456")
    assert expired.status_code == 409 and expired.json()["code"] == "confirmation_code_expired"
    assert "已过期" in expired.json()["message"]


def test_the_code_is_refused_once_the_order_left_the_state(cast: Any, world: dict[str, Any]) -> None:
    order = _checked_out(world)
    Order.objects.filter(pk=order.pk).update(status="cancelled")
    answer = _confirm(cast, order, "123456")
    assert answer.status_code == 409
    assert Order.objects.get(pk=order.pk).confirmation_attempts == 0


def test_two_pending_complaints_of_one_category_are_refused_by_the_database(
    cast: Any, world: dict[str, Any]
) -> None:
    order = _checked_out(world)
    fields = {"channel": "hotline", "description": "x", "sla_due_at": timezone.now()}
    Complaint.objects.create(order=order, category="attitude", **fields)
    Complaint.objects.create(order=order, category="late", **fields)  # another category is fine
    Complaint.objects.create(
        order=order, category="attitude", status="resolved", outcome="dismissed", **fields
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.create(order=order, category="attitude", status="handling", **fields)


def test_reopening_while_another_complaint_of_the_category_is_pending_is_409(
    cast: Any, world: dict[str, Any]
) -> None:
    order = _checked_out(world)
    fields = {"channel": "hotline", "description": "x", "sla_due_at": timezone.now()}
    old = Complaint.objects.create(
        order=order, category="attitude", status="resolved", outcome="dismissed", **fields
    )
    Complaint.objects.create(order=order, category="attitude", **fields)
    answer = client(cast.county_admin_a).post(
        f"/api/v1/complaints/{old.public_id}/reopen/", {"reason": "不满意"}, format="json"
    )
    assert answer.status_code == 409 and "同类投诉" in answer.json()["message"]


@pytest.mark.postgres
@on_postgres
def test_four_simultaneous_identical_complaints_give_one_201_and_three_409(
    transactional_db: Any, cast: Any
) -> None:
    world = make_world(cast)
    order = make_order(
        world["elder"], world["item"], status="confirmed", caregiver=world["staff"], provider=world["org"]
    )
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def worker() -> None:
        from django.db import connections

        try:
            c = client(cast.county_admin_a)
            barrier.wait()
            r = c.post(
                f"/api/v1/orders/{order.public_id}/complain/",
                {"category": "attitude", "description": "同一投诉"},
                format="json",
            )
            codes.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [201, 409, 409, 409]
    assert Complaint.objects.filter(order=order, category="attitude").count() == 1


@pytest.mark.postgres
@on_postgres
def test_sixty_simultaneous_wrong_codes_count_exactly_five(transactional_db: Any, cast: Any) -> None:
    world = make_world(cast)
    order = _checked_out(world)
    barrier = threading.Barrier(12)
    codes: list[int] = []

    def worker(n: int) -> None:
        from django.db import connections

        try:
            c = client(cast.caregiver)
            barrier.wait()
            for i in range(5):
                r = c.post(
                    f"/api/v1/orders/{order.public_id}/confirm/", {"code": f"9{n:02d}{i:03d}"}, format="json"
                )
                codes.append(r.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # at most 4 answers say "wrong, try again"; the others are the lock (exactly 5 tries were counted)
    assert len(codes) == 60 and set(codes) <= {400, 409} and codes.count(400) <= 4
    assert Order.objects.get(pk=order.pk).confirmation_attempts == 5
    assert _confirm(cast, order, "123456").status_code == 409


def test_dispatching_to_a_caregiver_outside_scope_answers_like_an_unknown_id(cast: Any) -> None:
    import uuid

    from yiyang.orders.tests.factories import make_elder, make_item, make_provider, make_staff

    world_a = make_world(cast)  # a provider and caregiver of county A
    elder_b = make_elder(cast.community_b1)
    order_b = make_order(elder_b, make_item(skills=("bathing",)))
    admin_b = client(cast.county_admin_b)
    foreign = admin_b.post(
        f"/api/v1/orders/{order_b.public_id}/dispatch/",
        {"caregiver": str(world_a["staff"].public_id)},
        format="json",
    )
    unknown = admin_b.post(
        f"/api/v1/orders/{order_b.public_id}/dispatch/", {"caregiver": str(uuid.uuid4())}, format="json"
    )
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json() == unknown.json()
    assert "技能" not in str(foreign.json()) and "证书" not in str(foreign.json())
    # a caregiver whose organisation serves B is still evaluated, with reasons
    org_b = make_provider(elder_b.region)
    staff_b = make_staff(org_b, skills=("cleaning",))
    in_scope = admin_b.post(
        f"/api/v1/orders/{order_b.public_id}/dispatch/", {"caregiver": str(staff_b.public_id)}, format="json"
    )
    assert in_scope.status_code == 400 and "技能" in str(in_scope.json())


# --- every other "one of" rule is a constraint, and a lost race answers 409 ------------------------------


def test_one_open_assessment_per_elder_is_a_constraint(cast: Any) -> None:
    from yiyang.assessments.models import Assessment
    from yiyang.assessments.tests.factories import make_assessment

    first = make_assessment(cast, cast.community_a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(elder=first.elder, reason=first.reason, status="in_progress")
    Assessment.objects.filter(pk=first.pk).update(status="cancelled")
    Assessment.objects.create(elder=first.elder, reason=first.reason)  # a closed one does not count


def test_one_contract_number_and_one_staff_id_per_organisation_are_constraints(cast: Any) -> None:
    from datetime import date

    from yiyang.core.errors import Conflict
    from yiyang.core.uniqueness import conflict_on_duplicate
    from yiyang.orders.tests.factories import make_provider, make_staff
    from yiyang.providers.models import Contract, Staff

    org = make_provider(cast.community_a1)
    other = make_provider(cast.community_a1)
    period = {"valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31)}
    Contract.objects.create(organisation=org, number="HT-1", **period)
    Contract.objects.create(organisation=other, number="HT-1", **period)
    with pytest.raises(Conflict) as lost, conflict_on_duplicate("本机构已有相同编号的合同", "number"):
        Contract.objects.create(organisation=org, number="HT-1", **period)
    assert lost.value.status == 409 and lost.value.errors == {"number": ["本机构已有相同编号的合同"]}
    a, b = make_staff(org), make_staff(org)
    Staff.objects.filter(pk=a.pk).update(id_number_hash="h1")
    make_staff(other).__class__.objects.filter(organisation=other).update(id_number_hash="h1")
    Staff.objects.filter(pk=b.pk).update(id_number_hash="")  # staff without an ID number are many
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.filter(pk=b.pk).update(id_number_hash="h1")


def test_the_order_page_shows_a_locked_code_and_a_dispatcher_renews_it_there(
    cast: Any, world: dict[str, Any]
) -> None:
    from django.test import Client

    order = _checked_out(world)
    for _ in range(5):
        _confirm(cast, order, "000000")
    page = Client()
    page.force_login(cast.county_admin_a)
    detail = page.get(f"/services/orders/{order.public_id}/").content.decode()
    assert "已锁定" in detail and "重新生成确认码" in detail
    answer = page.post(f"/services/orders/{order.public_id}/confirmation-code/", follow=True)
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.confirmation_attempts == 0 and fresh.confirmation_code != order.confirmation_code
    assert answer.redirect_chain[-1][0] == f"/services/orders/{order.public_id}/"
    assert fresh.confirmation_code in answer.content.decode()
    assert _confirm(cast, order, fresh.confirmation_code).json()["status"] == "confirmed"
    assert AuditEvent.objects.filter(event="orders.confirmation_code_renewed").count() == 1


def test_the_family_renews_from_their_page_and_the_caregiver_cannot(cast: Any, world: dict[str, Any]) -> None:
    from django.test import Client

    order = _checked_out(world)
    family = Client()
    family.force_login(cast.family)
    assert "重新生成" in family.get("/services/family/").content.decode()
    caregiver = Client()
    caregiver.force_login(cast.caregiver)
    assert caregiver.post(f"/services/orders/{order.public_id}/confirmation-code/").status_code in {403, 404}
    assert Order.objects.get(pk=order.pk).confirmation_code == order.confirmation_code
    answer = family.post(f"/services/orders/{order.public_id}/confirmation-code/")
    assert answer.status_code == 302 and answer["Location"] == "/services/family/"
    assert Order.objects.get(pk=order.pk).confirmation_code != order.confirmation_code


def test_no_renew_button_once_the_order_is_confirmed(cast: Any, world: dict[str, Any]) -> None:
    from django.test import Client

    order = _checked_out(world)
    Order.objects.filter(pk=order.pk).update(status="confirmed")
    page = Client()
    page.force_login(cast.county_admin_a)
    assert "renew-code" not in page.get(f"/services/orders/{order.public_id}/").content.decode()
    answer = page.post(f"/services/orders/{order.public_id}/confirmation-code/", follow=True)
    assert "无需确认码" in answer.content.decode()
