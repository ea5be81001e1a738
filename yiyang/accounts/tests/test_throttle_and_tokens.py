"""Issue 10: logins are throttled per account name and per client address, a locked account answers
like an unknown one, simultaneous wrong passwords count exactly; API tokens are per login, hashed at
rest, with an idle and an absolute lifetime, renewed on use and revocable one by one."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.accounts.models import AuthToken
from yiyang.accounts.services import token_hash

pytestmark = pytest.mark.django_db


def _token(username: str, password: str, ip: str = "10.0.0.1") -> Any:
    return APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json", REMOTE_ADDR=ip
    )


def _as(key: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return c


@override_settings(LOGIN_MAX_FAILURES=2)
def test_a_locked_account_and_an_unknown_name_answer_alike(cast: Any) -> None:
    for name in ("cast_county_a", "no_such_person"):
        for _ in range(2):
            assert _token(name, "wrong").json()["code"] == "invalid_credentials"
    real, unknown = _token("cast_county_a", "wrong"), _token("no_such_person", "wrong")
    assert real.status_code == unknown.status_code == 401
    assert real.json() == unknown.json()
    assert real.json()["code"] == "account_locked"


@override_settings(LOGIN_MAX_FAILURES=100, LOGIN_MAX_FAILURES_PER_IP=3)
def test_failures_from_one_address_are_throttled_across_names_and_on_the_page(cast: Any) -> None:
    for i in range(3):
        assert _token(f"victim{i}", "wrong", ip="10.9.9.9").status_code == 401
    throttled = _token("cast_county_a", cast.password, ip="10.9.9.9")
    assert throttled.status_code == 429 and "频繁" in throttled.json()["message"]
    page = Client(REMOTE_ADDR="10.9.9.9").post("/accounts/login/", {"username": "x", "password": "y"})
    assert page.status_code == 429 and "频繁" in page.content.decode()
    # another address is not affected, and a success does not count against an address
    assert _token("cast_county_a", cast.password, ip="10.9.9.10").status_code == 200


@override_settings(LOGIN_MAX_FAILURES=2)
def test_page_and_api_share_the_account_count(cast: Any) -> None:
    browser = Client()
    for _ in range(2):
        assert (
            browser.post("/accounts/login/", {"username": "cast_county_a", "password": "bad"}).status_code
            == 401
        )
    assert _token("cast_county_a", cast.password).json()["code"] == "account_locked"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions")
def test_twelve_simultaneous_wrong_passwords_evaluate_exactly_five(transactional_db: Any, cast: Any) -> None:
    barrier = threading.Barrier(12)
    codes: list[str] = []

    def worker(n: int) -> None:
        from django.db import connections

        try:
            barrier.wait()
            codes.append(_token("cast_county_a", "wrong", ip=f"10.1.0.{n}").json()["code"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes.count("invalid_credentials") == 5 and codes.count("account_locked") == 7


def test_every_login_gets_its_own_token_stored_only_as_a_hash(cast: Any) -> None:
    first = _token("cast_county_a", cast.password).json()["token"]
    second = _token("cast_county_a", cast.password).json()["token"]
    assert first != second
    rows = AuthToken.objects.filter(user=cast.county_admin_a)
    assert rows.count() == 2
    assert {r.key_hash for r in rows} == {token_hash(first), token_hash(second)}
    assert not AuthToken.objects.filter(key_hash__in=[first, second]).exists()
    assert _as(first).get("/api/v1/auth/me/").status_code == 200
    assert _as(second).get("/api/v1/auth/me/").status_code == 200


def test_logout_revokes_only_that_login(cast: Any) -> None:
    phone = _token("cast_county_a", cast.password).json()["token"]
    laptop = _token("cast_county_a", cast.password).json()["token"]
    assert _as(phone).post("/api/v1/auth/logout/").status_code == 204
    assert _as(phone).get("/api/v1/auth/me/").status_code == 401
    assert _as(laptop).get("/api/v1/auth/me/").status_code == 200
    assert _as(laptop).delete("/api/v1/auth/token/").status_code == 204
    assert _as(laptop).get("/api/v1/auth/me/").status_code == 401


def test_idle_lifetime_is_renewed_on_use_and_the_absolute_one_is_not(cast: Any) -> None:
    key = _token("cast_county_a", cast.password).json()["token"]
    row = AuthToken.objects.get(key_hash=token_hash(key))
    # used 11 h after issue: still alive, and the use renews the idle life
    AuthToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(hours=11))
    assert _as(key).get("/api/v1/auth/me/").status_code == 200
    row.refresh_from_db()
    assert row.last_used_at > timezone.now() - timedelta(minutes=1)
    # 13 h without use: refused
    AuthToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now() - timedelta(hours=13))
    assert _as(key).get("/api/v1/auth/me/").status_code == 401
    # used a minute ago but past its absolute life: refused
    AuthToken.objects.filter(pk=row.pk).update(
        last_used_at=timezone.now(), expires_at=timezone.now() - timedelta(minutes=1)
    )
    expired = _as(key).get("/api/v1/auth/me/")
    assert expired.status_code == 401 and "过期" in expired.json()["message"]


def test_the_user_lists_their_logins_and_ends_one(cast: Any) -> None:
    mine = _token("cast_county_a", cast.password).json()["token"]
    other = _token("cast_county_a", cast.password).json()["token"]
    someone_else = _token("cast_county_b", cast.password).json()["token"]
    listed = _as(mine).get("/api/v1/auth/tokens/").json()
    assert len(listed) == 2 and sum(t["current"] for t in listed) == 1
    other_id = next(t["id"] for t in listed if not t["current"])
    theirs = _as(someone_else).get("/api/v1/auth/tokens/").json()[0]["id"]
    assert _as(mine).delete(f"/api/v1/auth/tokens/{theirs}/").status_code == 404
    assert _as(mine).delete(f"/api/v1/auth/tokens/{other_id}/").status_code == 204
    assert _as(other).get("/api/v1/auth/me/").status_code == 401
    assert _as(someone_else).get("/api/v1/auth/me/").status_code == 200
