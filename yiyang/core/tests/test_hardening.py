"""Attack and bad-input tests for the kernel (issue 10): shared validators, the spreadsheet cell helper,
JSON depth and size, security headers and CSP, production secrets, docs behind login in production."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.core.parsers import json_depth_exceeds
from yiyang.core.secretpolicy import secret_problems
from yiyang.core.validators import (
    check_name,
    check_scheduled,
    check_service_time,
    check_text,
    parse_int,
    parse_month,
)
from yiyang.core.xlsx import safe_cell

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


# --- validators -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "a\x00b",
        "控制字符\x0b测试",
        "esc\x1b[31m",
        "\u200b\u200b",
        "\u202eevil\u202c王",
        "王\u2066五",
        "张\n三",
    ],
)
def test_names_refuse_control_bidi_and_invisible_characters(name):
    with pytest.raises(ValidationError):
        check_name(name)


def test_names_and_text_accept_ordinary_chinese_and_limit_length():
    assert check_name(" 王秀英 ") == "王秀英"
    assert check_name("阿卜杜拉·买买提") == "阿卜杜拉·买买提"
    assert check_text("第一行\n第二行", label="备注", max_length=100, multiline=True)
    with pytest.raises(ValidationError):
        check_name("王" * 51)
    with pytest.raises(ValidationError):
        check_name("   ")


@pytest.mark.parametrize("raw", ["²", "¹", "①", "١٢", "１２", "-1", "1e3", "", "201"])
def test_numbers_are_ascii_digits_in_range(raw):
    with pytest.raises(ValidationError):
        parse_int(raw, label="年龄", min_value=0, max_value=200)


def test_numbers_parse():
    assert parse_int(" 75 ", label="年龄", max_value=200) == 75


@pytest.mark.parametrize("raw", ["9999-12", "0000-01", "2026-13", "2026-1", "２０２６-01", "1999-12"])
def test_months_refuse_years_out_of_range_and_bad_forms(raw):
    with pytest.raises(ValidationError):
        parse_month(raw)


def test_service_times_have_a_window_around_now():
    now = timezone.now()
    assert check_service_time(now + timedelta(seconds=60), now=now)
    assert check_service_time(now - timedelta(days=2), now=now)
    for bad in (now + timedelta(minutes=95), now + timedelta(days=30), now - timedelta(days=40)):
        with pytest.raises(ValidationError):
            check_service_time(bad, now=now)


def test_scheduled_dates_stay_within_the_horizon():
    now = timezone.now()
    assert check_scheduled(now + timedelta(days=30), now=now)
    with pytest.raises(ValidationError):
        check_scheduled(now + timedelta(days=400), now=now)


# --- spreadsheet cells ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ['=HYPERLINK("http://evil.example/?x","点我")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_like_text_is_neutralised(value):
    cell = safe_cell(value)
    assert cell.startswith("'")


def test_cells_lose_characters_openpyxl_cannot_store_and_keep_numbers():
    assert safe_cell("控制字符\x0b测试\x00") == "控制字符测试"
    assert safe_cell(3) == 3 and safe_cell(None) is None and safe_cell("王秀英") == "王秀英"


# --- JSON bodies ------------------------------------------------------------------------------------------


def test_deeply_nested_json_is_400_not_500():
    body = "[" * 50_000 + "]" * 50_000
    r = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "parse_error"
    r = APIClient().post("/api/v1/auth/token/", "[" * 100 + "]" * 100, content_type="application/json")
    assert r.status_code == 400


def test_depth_check_is_iterative():
    deep: list = []
    cur = deep
    for _ in range(40):
        cur.append([])
        cur = cur[0]
    assert json_depth_exceeds(deep) and not json_depth_exceeds({"a": [1, {"b": 2}]})


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_oversized_json_is_413_not_500():
    body = '{"username": "' + "a" * 5000 + '"}'
    r = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")
    assert r.status_code == 413 and r.json()["code"] == "too_large"


# --- headers and CSP ------------------------------------------------------------------------------------


def test_every_page_carries_a_strict_csp_and_the_security_headers():
    r = Client().get("/accounts/login/")
    csp = r["Content-Security-Policy"]
    found = re.search(r"script-src ([^;]*)", csp)
    assert found is not None
    script_src = found.group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in r["Permissions-Policy"]
    assert r["X-Frame-Options"] == "DENY"


def test_no_template_has_inline_script_or_evaluated_htmx_attributes():
    offenders = []
    for path in (ROOT / "yiyang").rglob("templates/**/*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.name}: {tag}")
        if re.search(r"\son[a-z]+\s*=|hx-on|javascript:|hx-trigger=\"[^\"]*\[", text):
            offenders.append(f"{path.name}: inline handler or evaluated htmx attribute")
    assert offenders == []


def test_no_static_script_builds_markup_from_data_without_escaping():
    for path in (ROOT / "yiyang").rglob("static/js/*.js"):
        text = path.read_text()
        assert "innerHTML" not in text and "insertAdjacentHTML" not in text, path.name
        for formatter in re.findall(r"formatter: function[^}]*\}", text):
            assert "escapeHtml" in formatter, (path.name, formatter)


# --- production ---------------------------------------------------------------------------------------------

GOOD = "Zq3v8WcLr0pT6yHnA2sKd9FgBx4uJe7mPq1tRw5oYi8l"


@pytest.mark.parametrize(
    ("field_keys", "blind"),
    [
        (["k1:"], GOOD),
        (["k1:x"], GOOD),
        ([], GOOD),
        (["k1:" + GOOD], " "),
        (["k1:ci-field-key"], GOOD),
        (["k1:dev-only-field-key-not-for-production"], GOOD),
        (["k1:" + GOOD], "dev-only-blind-index-secret"),
    ],
)
def test_empty_short_or_default_secrets_are_refused(field_keys, blind):
    assert secret_problems(secret_key=GOOD + GOOD, field_keys=field_keys, blind_index_secret=blind)


def test_long_random_secrets_pass():
    assert (
        secret_problems(secret_key=GOOD + GOOD, field_keys=["k1:" + GOOD], blind_index_secret=GOOD[::-1])
        == []
    )


@override_settings(FIELD_ENCRYPTION_KEYS=["k1:"], BLIND_INDEX_SECRET=" ")
def test_check_deploy_fails_on_empty_keys():
    with pytest.raises(SystemCheckError, match="YIYANG_FIELD_KEYS"):
        call_command("check", deploy=True, tags=["security"])


@override_settings(PRODUCTION=True)
def test_api_docs_schema_and_style_guide_need_login_in_production(cast):
    anonymous = Client()
    for url in ("/api/docs/", "/styleguide/"):
        r = anonymous.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url
    assert APIClient().get("/api/schema/").status_code == 401
    signed_in = Client()
    signed_in.force_login(cast.county_admin_a)
    assert signed_in.get("/api/docs/").status_code == 200
    assert signed_in.get("/styleguide/").status_code == 200
    assert signed_in.get("/api/schema/").status_code == 200


def test_api_docs_page_has_no_inline_script():
    r = Client().get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert [t for t in re.findall(r"<script\b[^>]*>", html) if "src=" not in t] == []


def test_import_job_has_no_run_now_and_refuses_it(cast):
    client = Client()
    client.force_login(cast.county_admin_a)
    r = client.post("/jobs/elders.import/run/")
    assert r.status_code == 302
    # The jobs page is a system administrator's (issue 11): a county admin is refused it.
    assert client.get("/jobs/").status_code == 403
    admin = cast.city_admin
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client.force_login(admin)
    html = client.get("/jobs/").content.decode()
    assert "立即运行" not in html.split("导入老年人名册")[1].split("</tr>")[0]
    text = re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])  # what a person reads (links may name jobs)
    assert "elders.import" not in text and "yiyang." not in text


def test_every_api_view_parses_bodies_with_the_guarded_parsers() -> None:
    """Depth, size and NUL limits live in yiyang.core.parsers; a view that names DRF's own JSONParser or
    MultiPartParser (as each new app is tempted to) would answer a deep or huge body with a 500."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from yiyang.core.parsers import SafeFormParser, SafeJSONParser, SafeMultiPartParser

    guarded = (SafeJSONParser, SafeFormParser, SafeMultiPartParser)

    def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.callback

    unguarded = []
    for route, callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None or not route.startswith("api/v1/"):
            continue
        parsers = list(getattr(cls, "parser_classes", []))
        for name in (getattr(callback, "actions", None) or {}).values():
            handler = getattr(cls, name, None)
            parsers += list((getattr(handler, "kwargs", None) or {}).get("parser_classes", []))
        unguarded += [f"{route} {p.__name__}" for p in parsers if not issubclass(p, guarded)]
    assert not unguarded, unguarded
