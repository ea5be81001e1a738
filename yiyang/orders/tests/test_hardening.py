"""Attacks on orders (issue 10): forged service times, far-future orders, out-of-range months, formulas in
the payment list, and photo uploads that are not images."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.orders.models import Order, OrderPhoto
from yiyang.orders.services import order_check_in
from yiyang.orders.tests.factories import HOME, make_order, make_world
from yiyang.orders.tests.test_flags_and_settlement import accepted, month_now, serve

pytestmark = pytest.mark.django_db


def client(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    return make_world(cast)


def _iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def test_check_out_in_the_future_is_refused_so_short_service_cannot_be_hidden(
    cast: Any, world: dict[str, Any]
) -> None:
    order = accepted(world)
    carer = client(cast.caregiver)
    base = f"/api/v1/orders/{order.public_id}"
    assert carer.post(f"{base}/check-in/", {"lat": HOME[0], "lng": HOME[1]}, format="json").status_code == 200
    r = carer.post(
        f"{base}/check-out/", {"items_done": ["服务"], "at": _iso(timedelta(minutes=95))}, format="json"
    )
    assert r.status_code == 400 and "at" in r.json()["errors"]
    assert Order.objects.get(pk=order.pk).status == "checked_in"
    r = carer.post(
        f"{base}/check-out/", {"items_done": ["服务"], "at": _iso(timedelta(seconds=30))}, format="json"
    )
    assert r.status_code == 200 and {f["code"] for f in r.json()["flags"]} == {"short_service"}


@pytest.mark.parametrize("delta", [timedelta(days=30), timedelta(minutes=10), timedelta(days=-40)])
def test_check_in_outside_the_window_is_refused(cast: Any, world: dict[str, Any], delta: timedelta) -> None:
    order = accepted(world)
    r = client(cast.caregiver).post(
        f"/api/v1/orders/{order.public_id}/check-in/",
        {"lat": HOME[0], "lng": HOME[1], "at": _iso(delta)},
        format="json",
    )
    assert r.status_code == 400 and "at" in r.json()["errors"]
    assert Order.objects.get(pk=order.pk).status == "accepted"


def test_service_refuses_a_future_time_whatever_the_caller(cast: Any, world: dict[str, Any]) -> None:
    from yiyang.core.errors import DomainError

    order = accepted(world)
    with pytest.raises(DomainError):
        order_check_in(
            order=order,
            actor=cast.caregiver,
            lat=HOME[0],
            lng=HOME[1],
            at=timezone.now() + timedelta(days=30),
        )


def test_orders_beyond_the_horizon_are_refused_and_old_ones_do_not_break_dispatch(
    cast: Any, world: dict[str, Any]
) -> None:
    admin = client(cast.county_admin_a)
    r = admin.post(
        "/api/v1/orders/",
        {
            "elder": str(world["elder"].public_id),
            "service_item": str(world["item"].public_id),
            "scheduled_start": "9999-12-31T23:00:00+14:00",
        },
        format="json",
    )
    assert r.status_code == 400 and "scheduled_start" in r.json()["errors"]
    # a far-future order stored before the rule existed no longer breaks candidates or bulk dispatch
    far = make_order(
        world["elder"], world["item"], scheduled_start=timezone.make_aware(datetime(9999, 12, 31, 12))
    )
    assert admin.get(f"/api/v1/orders/{far.public_id}/candidates/").status_code == 200
    assert admin.post("/api/v1/orders/auto-dispatch/", {}, format="json").status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "1999-12"])
def test_out_of_range_months_are_400_not_500(cast: Any, world: dict[str, Any], month: str) -> None:
    body = {"provider": str(world["org"].public_id), "month": month}
    assert client(cast.county_admin_a).post("/api/v1/settlements/", body, format="json").status_code == 400
    page = Client()
    page.force_login(cast.county_admin_a)
    assert page.post("/services/settlements/", body).status_code in {200, 302, 400}


def test_payment_list_neutralises_formulas_from_names(cast: Any, world: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    world["staff"].name = '=HYPERLINK("http://evil.example/?x","点我")'
    world["staff"].save(update_fields=["name"])
    serve(cast, accepted(world))
    admin = client(cast.county_admin_a)
    s = admin.post(
        "/api/v1/settlements/", {"provider": str(world["org"].public_id), "month": month_now()}, format="json"
    ).json()
    ws = load_workbook(io.BytesIO(admin.get(f"/api/v1/settlements/{s['id']}/export/").content)).worksheets[0]
    cells = [c for r in ws.iter_rows() for c in r]
    assert all(c.data_type != "f" for c in cells)
    assert any(str(c.value).startswith("'=HYPERLINK") for c in cells)


# --- photos -----------------------------------------------------------------------------------------------


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def _upload(name: str, data: bytes, content_type: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)


def test_photo_type_is_sniffed_and_stored_under_a_server_chosen_name(
    cast: Any, world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    order = accepted(world)
    order_check_in(order=order, actor=cast.caregiver, lat=HOME[0], lng=HOME[1])
    carer = client(cast.caregiver)
    url = f"/api/v1/orders/{order.public_id}/photo/"
    for name, data in [("evil.html", b"<script>alert(1)</script>"), ("x.svg", b'<svg onload="alert(1)"/>')]:
        r = carer.post(url, {"image": _upload(name, data, "image/png")}, format="multipart")
        assert r.status_code == 400, name
    assert not OrderPhoto.objects.exists()
    r = carer.post(url, {"image": _upload("evil.html", _png(), "text/html")}, format="multipart")
    assert r.status_code == 200
    photo = OrderPhoto.objects.get()
    stored = str(photo.image.name)
    assert stored.endswith(".png") and "evil" not in stored
    link = r.json()["photos"][0]
    assert link.startswith(f"/services/orders/{order.public_id}/photos/")

    seen = Client()
    seen.force_login(cast.county_admin_a)
    served = seen.get(link)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")  # type: ignore[attr-defined]
    other = Client()
    other.force_login(cast.county_admin_b)
    assert other.get(link).status_code == 404
    assert Client().get(link).status_code == 302  # anonymous: to the login page


@pytest.mark.django_db
def test_a_number_as_a_cancel_reason_is_refused(cast: Any, api_as: Any) -> None:
    from yiyang.orders.tests.factories import make_order, make_world

    world = make_world(cast)
    order = make_order(world["elder"], world["item"])
    r = api_as(cast.county_admin_a).post(
        f"/api/v1/orders/{order.public_id}/cancel/", {"reason": 0}, format="json"
    )
    assert r.status_code == 400 and "reason" in r.json()["errors"]
