from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.accounts.models import AuthToken, User
from yiyang.accounts.services import login_unlock, token_hash
from yiyang.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _token(username, password):
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )


def test_token_login_returns_token_that_authenticates(cast):
    response = _token("cast_county_a", cast.password)
    assert response.status_code == 200
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/auth/me/").json()
    assert me["username"] == "cast_county_a"
    assert me["roles"] == [
        {
            "role": "county_admin",
            "role_label": "县(区)民政管理员",
            "region_code": "321002",
            "region_name": "广陵区",
        }
    ]
    assert "elders.view" in me["permissions"]


def test_bad_credentials_are_401_in_the_envelope_without_revealing_the_account(cast):
    wrong_password = _token("cast_county_a", "nope")
    unknown_user = _token("no_such_user", "nope")
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        body = response.json()
        assert body["code"] == "invalid_credentials"
        assert body["message"] == "用户名或密码错误"
        assert set(body) >= {"code", "message", "errors"}


def test_missing_fields_are_400_naming_the_field(cast):
    response = APIClient().post("/api/v1/auth/token/", {"username": "x"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


@override_settings(LOGIN_MAX_FAILURES=3, LOGIN_LOCKOUT_MINUTES=15)
def test_account_locks_after_repeated_failures_even_for_the_right_password(cast):
    for _ in range(3):
        assert _token("cast_county_a", "wrong").status_code == 401
    locked = _token("cast_county_a", cast.password)
    assert locked.status_code == 401
    assert locked.json()["code"] == "account_locked"
    assert AuditEvent.objects.filter(
        event="auth.locked", object_id=str(cast.county_admin_a.public_id)
    ).exists()
    login_unlock(username="cast_county_a")
    assert _token("cast_county_a", cast.password).status_code == 200


def test_a_success_resets_the_failure_count(cast):
    _token("cast_county_a", "wrong")
    _token("cast_county_a", cast.password)
    assert User.objects.get(pk=cast.county_admin_a.pk).failed_logins == 0


def test_expired_token_is_refused(cast):
    token = _token("cast_county_a", cast.password).json()["token"]
    AuthToken.objects.filter(key_hash=token_hash(token)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_logout_revokes_the_token(cast):
    token = _token("cast_county_a", cast.password).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/auth/me/").status_code == 401


def test_login_page_is_chinese_and_logs_in(cast):
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    response = client.post("/accounts/login/", {"username": "cast_county_a", "password": cast.password})
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert "工作台" in home.content.decode() and "广陵区" in home.content.decode()


def test_login_page_shows_the_reason_on_failure(cast):
    page = Client().post("/accounts/login/", {"username": "cast_county_a", "password": "bad"})
    assert page.status_code == 401
    assert "用户名或密码错误" in page.content.decode()


def test_login_page_does_not_redirect_off_site(cast):
    response = Client().post(
        "/accounts/login/",
        {"username": "cast_county_a", "password": cast.password, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_passwords_are_hashed_with_argon2(cast):
    assert User.objects.get(pk=cast.county_admin_a.pk).password.startswith("argon2")


def test_anonymous_pages_redirect_to_login():
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
