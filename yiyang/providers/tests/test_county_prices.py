"""A county's own price for a catalog item (ServicePriceOverride), set on its page or through
/api/v1/price-overrides/, where the city allows it; the orders of that county are priced with it, the
other counties keep the city's guide price."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from yiyang.audit.models import AuditEvent
from yiyang.orders.tests.factories import make_elder, make_item
from yiyang.providers.models import ServiceItem, ServicePriceOverride

pytestmark = pytest.mark.django_db


def _item(allowed: bool = True) -> ServiceItem:
    item = make_item(price_fen=6000)
    item.county_price_allowed = allowed
    item.save(update_fields=["county_price_allowed"])
    return item


def _order_price(api: Any, elder: Any, item: ServiceItem) -> int:
    answer = api.post(
        "/api/v1/orders/",
        {
            "elder": str(elder.public_id),
            "service_item": str(item.public_id),
            "scheduled_start": (timezone.now() + timedelta(days=1)).isoformat(),
            "channel": "hotline",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content[:300]
    return int(answer.json()["price_fen"])


def test_the_api_sets_a_county_price_and_that_countys_orders_use_it(cast: Any, api_as: Any) -> None:
    item = _item()
    admin_a = api_as(cast.county_admin_a)
    made = admin_a.post(
        "/api/v1/price-overrides/",
        {"service_item": str(item.public_id), "county": cast.county_a.code, "price_fen": 4500},
        format="json",
    )
    assert made.status_code == 201, made.content[:300]
    assert made.json()["price_fen"] == 4500 and made.json()["guide_price_fen"] == 6000
    again = admin_a.post(
        "/api/v1/price-overrides/",
        {"service_item": str(item.public_id), "county": cast.county_a.code[:6], "price_fen": 4000},
        format="json",
    )
    assert again.status_code == 200 and ServicePriceOverride.objects.get().price_fen == 4000
    assert _order_price(admin_a, make_elder(cast.community_a1), item) == 4000
    assert _order_price(api_as(cast.county_admin_b), make_elder(cast.community_b1), item) == 6000
    assert ServiceItem.objects.get(pk=item.pk).price_fen == 6000  # the city's row is untouched
    event = AuditEvent.objects.filter(event="providers.price_override").latest("at")
    assert event.region_id == cast.county_a.code


def test_another_county_cannot_set_or_clear_it(cast: Any, api_as: Any) -> None:
    item = _item()
    admin_b = api_as(cast.county_admin_b)
    refused = admin_b.post(
        "/api/v1/price-overrides/",
        {"service_item": str(item.public_id), "county": cast.county_a.code, "price_fen": 1},
        format="json",
    )
    assert refused.status_code == 404 and not ServicePriceOverride.objects.exists()
    row = ServicePriceOverride.objects.create(service_item=item, region_code=cast.county_a.code, price_fen=10)
    assert admin_b.delete(f"/api/v1/price-overrides/{row.public_id}/").status_code == 404
    assert admin_b.get("/api/v1/price-overrides/").json()["results"] == []
    assert api_as(cast.county_admin_a).delete(f"/api/v1/price-overrides/{row.public_id}/").status_code == 204
    assert not ServicePriceOverride.objects.exists()


def test_only_where_the_city_allows_it(cast: Any, api_as: Any) -> None:
    item = _item(allowed=False)
    answer = api_as(cast.county_admin_a).post(
        "/api/v1/price-overrides/",
        {"service_item": str(item.public_id), "county": cast.county_a.code, "price_fen": 100},
        format="json",
    )
    assert answer.status_code == 409 and not ServicePriceOverride.objects.exists()


def test_the_county_page_sets_and_clears_its_price(cast: Any) -> None:
    allowed, closed = _item(), _item(allowed=False)
    page = Client()
    page.force_login(cast.county_admin_a)
    shown = page.get("/services/manage/catalog/prices/").content.decode()
    assert allowed.name in shown and closed.name in shown and "市级未允许区县定价" in shown
    answer = page.post(
        "/services/manage/catalog/prices/",
        {"county": cast.county_a.code, "item": str(allowed.public_id), "price": "45.50", "op": "set"},
        follow=True,
    )
    assert ServicePriceOverride.objects.get(service_item=allowed).price_fen == 4550
    assert "45.50" in answer.content.decode()
    page.post(
        "/services/manage/catalog/prices/",
        {"county": cast.county_a.code, "item": str(allowed.public_id), "op": "clear"},
    )
    assert not ServicePriceOverride.objects.exists()
    page.post(
        "/services/manage/catalog/prices/",
        {"county": cast.county_a.code, "item": str(closed.public_id), "price": "1", "op": "set"},
    )
    assert not ServicePriceOverride.objects.exists()


def test_the_page_is_the_countys_only(cast: Any) -> None:
    item = _item()
    other = Client()
    other.force_login(cast.county_admin_b)
    assert other.get(f"/services/manage/catalog/prices/?county={cast.county_a.code}").status_code == 404
    answer = other.post(
        "/services/manage/catalog/prices/",
        {"county": cast.county_a.code, "item": str(item.public_id), "price": "1", "op": "set"},
    )
    assert answer.status_code == 404 and not ServicePriceOverride.objects.exists()
    worker = Client()
    worker.force_login(cast.community_worker_a1)
    assert worker.get("/services/manage/catalog/prices/").status_code == 403
