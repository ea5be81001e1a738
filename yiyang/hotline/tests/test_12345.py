"""The 12345 transfer: API keys (401 without a live one), idempotency by external_id, the region check,
and the callbacks to a real local HTTP server standing in for the city hotline (retries, dead letter,
resend)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.core.models import OutboxMessage
from yiyang.core.outbox import deliver_due, outbox_redeliver
from yiyang.hotline import services
from yiyang.hotline.models import WorkOrder
from yiyang.hotline.tests.factories import make_integration, phone_elder
from yiyang.hotline.tests.fake_http import fake_server

pytestmark = pytest.mark.django_db
URL = "/api/v1/hotline/12345/work-orders/"


def _body(cast: Any, external_id: str = "12345-2026-0001", region: Any = None) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "title": "独居老人家中无人应答",
        "content": "邻居反映老人两天未出门，请社区上门查看",
        "caller_phone": "13811112222",
        "region_code": (region or cast.community_a1).code,
        "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
    }


def _post(key: str, body: dict[str, Any]) -> Any:
    return APIClient().post(URL, body, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_same_external_id_is_stored_once(cast: Any) -> None:
    _, key = make_integration(cast.community_a1)
    first = _post(key, _body(cast))
    assert first.status_code == 201, first.json()
    assert first.json()["status"] == "accepted"
    again = _post(key, _body(cast))
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert WorkOrder.objects.count() == 1
    detail = APIClient()
    detail.force_authenticate(cast.county_admin_a)
    got = detail.get(f"/api/v1/work-orders/{first.json()['id']}/").json()
    assert got["external_id"] == "12345-2026-0001" and got["status"] == "accepted" and got["timeline"]
    assert got["caller_phone"] == "138****2222"


def test_missing_wrong_or_revoked_key_is_401(cast: Any) -> None:
    integration, key = make_integration(cast.community_a1)
    assert APIClient().post(URL, _body(cast), format="json").status_code == 401
    assert _post("yy12345_wrong", _body(cast)).status_code == 401
    services.integration_revoke(actor=cast.city_admin, integration=integration)
    r = _post(key, _body(cast))
    assert r.status_code == 401 and not WorkOrder.objects.exists()
    # A user's own token is not an integration key either.
    user = APIClient()
    user.force_authenticate(cast.county_admin_a)
    assert user.post(URL, _body(cast), format="json").status_code in (401, 403)


def test_region_outside_the_city_is_400_naming_region_code(cast: Any) -> None:
    _, key = make_integration(cast.community_a1)
    body = _body(cast)
    body["region_code"] = "320102001001"  # Nanjing, not this city
    r = _post(key, body)
    assert r.status_code == 400 and "region_code" in r.json()["errors"]
    body["region_code"] = "32100"
    assert _post(key, body).status_code == 400
    assert not WorkOrder.objects.exists()


def test_caller_is_matched_to_the_elder(cast: Any) -> None:
    elder = phone_elder(cast.community_a1, "13811112222")
    _, key = make_integration(cast.community_a1)
    _post(key, _body(cast))
    assert WorkOrder.objects.get().elder == elder


def test_acceptance_and_result_are_posted_back(cast: Any) -> None:
    with fake_server() as hotline:
        integration, key = make_integration(cast.community_a1, callback_url="")
        integration.callback_url = hotline.url
        integration.save()
        wid = _post(key, _body(cast)).json()["id"]
        deliver_due()
        wo = WorkOrder.objects.get(public_id=wid)
        services.work_order_assign(
            work_order=wo, actor=cast.county_admin_a, handler_kind="community", handler_name="文昌社区"
        )
        services.work_order_resolve(work_order=wo, actor=cast.county_admin_a, result="社区已上门，老人平安")
        deliver_due()
        events = [m["event"] for m in hotline.received]
        assert events == ["accepted", "progress", "result"]
        assert hotline.received[-1]["external_id"] == "12345-2026-0001"
        assert hotline.received[-1]["result"] == "社区已上门，老人平安"
        assert all(h.get("Idempotency-Key") for h in hotline.headers)
        # Every callback is signed: HMAC-SHA256 of the raw body with the integration's callback secret,
        # checked here the way the 12345 side would, from the secret shown once at creation.
        secret = services.callback_secret(integration).encode()
        for raw, headers in zip(hotline.bodies, hotline.headers, strict=True):
            expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
            assert hmac.compare_digest(headers["X-Yiyang-Signature"], expected)
        other = hmac.new(b"wrong-secret", hotline.bodies[0], hashlib.sha256).hexdigest()
        assert hotline.headers[0]["X-Yiyang-Signature"] != "sha256=" + other


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_failed_post_is_retried_then_listed_for_resending(cast: Any) -> None:
    with fake_server() as hotline:
        hotline.status = 503
        _, key = make_integration(cast.community_a1, callback_url=hotline.url)
        _post(key, _body(cast))
        message = OutboxMessage.objects.get(channel="hotline_12345")
        later = timezone.now()
        for _ in range(3):
            deliver_due(now=later)
            later += timedelta(days=1)
        message.refresh_from_db()
        assert len(hotline.received) == 3  # tried three times
        assert message.status == "dead" and "HTTPError" in message.last_error
        hotline.status = 200
        outbox_redeliver(message=message, actor=cast.city_admin)
        deliver_due()
        message.refresh_from_db()
        assert message.status == "sent" and len(hotline.received) == 4
