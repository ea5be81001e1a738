"""The demo: a roster covering now, the 12345 key merged into var/demo_integrations.json (other sections
kept) and working against the inbound endpoint, an open emergency; re-running changes nothing."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.test import APIClient

from yiyang.hotline.models import Call, Incident, Shift, WorkOrder
from yiyang.hotline.selectors import shifts_now

pytestmark = pytest.mark.django_db


def test_demo_seeds_the_centre_and_reruns(tmp_path: Any) -> None:
    (tmp_path / "demo_integrations.json").write_text(
        json.dumps({"iot": {"token": "keep-me"}}), encoding="utf-8"
    )
    with override_settings(VAR_DIR=tmp_path):
        call_command("seed_demo", "--seed", "1", "--elders", "30", stdout=io.StringIO())
        first = json.loads((tmp_path / "demo_integrations.json").read_text(encoding="utf-8"))
        counts = (
            Shift.objects.count(),
            Call.objects.count(),
            Incident.objects.count(),
            WorkOrder.objects.count(),
        )
        call_command("seed_demo", "--seed", "1", "--elders", "30", stdout=io.StringIO())
        again = json.loads((tmp_path / "demo_integrations.json").read_text(encoding="utf-8"))
    assert first["iot"] == {"token": "keep-me"} and first == again
    assert counts == (
        Shift.objects.count(),
        Call.objects.count(),
        Incident.objects.count(),
        WorkOrder.objects.count(),
    )
    from yiyang.accounts.models import User

    operator = User.objects.get(username="operator")
    assert any(s.user == operator for s in shifts_now(user=operator))
    assert Incident.objects.exclude(status="closed").count() == 1
    key = first["hotline_12345"]["api_key"]
    body = {
        "external_id": "T-1",
        "title": "测试",
        "content": "测试内容",
        "caller_phone": "",
        "region_code": Incident.objects.get().region_code,
        "deadline": None,
    }
    r = APIClient().post(
        "/api/v1/hotline/12345/work-orders/", body, format="json", HTTP_AUTHORIZATION=f"Api-Key {key}"
    )
    assert r.status_code == 201, r.json()
