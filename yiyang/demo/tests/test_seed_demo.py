import io
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from yiyang.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_one_login_per_role_and_rerun_keeps_them(tmp_path):
    with override_settings(VAR_DIR=tmp_path):
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
        accounts = json.loads((tmp_path / "demo_accounts.json").read_text(encoding="utf-8"))
        call_command("seed_demo", "--seed", "1", "--elders", "20", stdout=io.StringIO())
        again = json.loads((tmp_path / "demo_accounts.json").read_text(encoding="utf-8"))
    assert accounts == again
    assert {a["role"] for a in accounts} == set(Role.values)
    for a in accounts:
        assert set(a) >= {"username", "password", "role", "region_code"}
        assert len(a["region_code"]) in (6, 12)
    counties = {a["region_code"] for a in accounts if a["role"] == "county_admin"}
    assert counties == {"321002", "321003"}
    from rest_framework.test import APIClient

    for a in accounts:
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": a["username"], "password": a["password"]}
        )
        assert response.status_code == 200, a["username"]
