from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.orders.models import Complaint, Order, Settlement
from yiyang.orders.tests.factories import make_elder, make_item, make_order, make_provider, make_staff


def _order(cast, region):
    return make_order(make_elder(region), make_item())


def _caregiver_order(cast, region):
    org = make_provider(region)
    staff = make_staff(org, user=cast.caregiver if region == cast.community_a1 else None)
    return make_order(make_elder(region), make_item(), provider=org, caregiver=staff, status="dispatched")


def _dispatched_order(cast, region):
    org = make_provider(region)
    return make_order(
        make_elder(region), make_item(), provider=org, caregiver=make_staff(org), status="dispatched"
    )


def _complaint(cast, region):
    from django.utils import timezone

    return Complaint.objects.create(
        order=_dispatched_order(cast, region),
        channel="hotline",
        category="late",
        description="迟到一小时",
        sla_due_at=timezone.now(),
    )


def _settlement(cast, region):
    return Settlement.objects.create(provider=make_provider(region), month="2026-10")


def _order_body(cast, region):
    elder = make_elder(region)
    return {
        "elder": str(elder.public_id),
        "service_item": str(make_item().public_id),
        "scheduled_start": "2099-01-01T09:00:00+08:00",
    }


register_api(ApiScopeCase(basename="order", make=_order, create=_order_body, count=Order.objects.count))
register_api(ApiScopeCase(basename="settlement", make=_settlement))
register_api(ApiScopeCase(basename="complaint", make=_complaint))
register_page(
    PageScopeCase(
        name="orders:complain",
        make=_dispatched_order,
        url=lambda o: f"/services/orders/{o.public_id}/complain/",
    )
)
register_page(
    PageScopeCase(
        name="orders:complaint", make=_complaint, url=lambda c: f"/services/complaints/{c.public_id}/"
    )
)
register_page(
    PageScopeCase(name="orders:detail", make=_order, url=lambda o: f"/services/orders/{o.public_id}/")
)
register_page(
    PageScopeCase(name="orders:candidates", make=_order, url=lambda o: f"/services/dispatch/{o.public_id}/")
)
register_page(
    PageScopeCase(
        name="orders:serve",
        make=_caregiver_order,
        url=lambda o: f"/services/m/{o.public_id}/",
        viewer="caregiver",
    )
)
register_page(
    PageScopeCase(
        name="orders:settlement", make=_settlement, url=lambda s: f"/services/settlements/{s.public_id}/"
    )
)
register_page(
    PageScopeCase(
        name="orders:settlement_export",
        make=_settlement,
        url=lambda s: f"/services/settlements/{s.public_id}/export/",
    )
)
register_page(
    PageScopeCase(
        name="providers:detail",
        make=lambda c, r: make_provider(r),
        url=lambda o: f"/services/providers/{o.public_id}/",
    )
)
