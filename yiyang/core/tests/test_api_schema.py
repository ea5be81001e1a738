"""The OpenAPI document is valid, and schemathesis fuzzes every operation in it, authenticated as users
of two roles (a county admin of the cast, and a caregiver): no 5xx, no undocumented status, content type
or header, no response that breaks its schema. New endpoints are covered without new test code."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)


def _fails_only_its_check_digit(field: str, value: Any) -> bool:
    """``value`` has the shape the schema's pattern states, and only the check digit (or, for an ID
    number, the birth date inside it) is wrong: rules of GB 11643 / GB 32100 no JSON Schema can state."""
    import re

    from yiyang.core.apifields import RESIDENT_ID_PATTERN, USCC_PATTERN
    from yiyang.core.identifiers import IdentifierError, parse_resident_id, validate_uscc

    checks: dict[str, tuple[str, Any]] = {
        "id_number": (RESIDENT_ID_PATTERN, parse_resident_id),
        "uscc": (USCC_PATTERN, validate_uscc),
    }
    pattern, parse = checks[field]
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        return False
    try:
        parse(value)
    except IdentifierError as exc:
        return exc.code in {"invalid_checksum", "invalid_birth_date"}
    return False


def _outside_the_time_window(value: Any) -> bool:
    """A well-formed appointment time outside the window around now that orders accept (not in the past,
    not beyond the scheduling horizon, at most a year): a rule about "now" no JSON Schema can state."""
    from datetime import timedelta

    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    try:
        when = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return False
    if when is None:
        return False
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    now = timezone.now()
    return when < now - timedelta(minutes=5) or when > now + timedelta(days=366)


def _refused_only_by_rules_no_schema_states(body: dict[str, Any], refused: set[str]) -> bool:
    if not refused or not refused <= {"id_number", "uscc", "scheduled_start"}:
        return False
    return all(
        _outside_the_time_window(body.get(name))
        if name == "scheduled_start"
        else _fails_only_its_check_digit(name, body.get(name))
        for name in refused
    )


@schemathesis.check
def positive_data_acceptance_but_check_digits(ctx: Any, response: Any, case: Any) -> bool | None:
    """``positive_data_acceptance``, except where the only fields refused are identifiers of the right
    shape whose check digit is wrong, or an appointment time outside the window around now (the exclusions: the schema states shape and standard, the test's
    format strategies draw valid numbers, but the coverage phase also draws shapes from the pattern)."""
    if response.status_code == 400 and isinstance(case.body, dict):
        refused = set(response.json().get("errors", {}))
        if _refused_only_by_rules_no_schema_states(case.body, refused):
            return None
    return positive_data_acceptance(ctx, response, case)


# schemathesis's ``--checks all``, with positive data acceptance as above (the two stateful checks,
# use_after_free and ensure_resource_availability, pass unless the run records linked calls).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance_but_check_digits,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    ignored_auth,
    use_after_free,
    ensure_resource_availability,
]


def _resident_id(address: int, born: date, serial: int) -> str:
    from yiyang.core.identifiers import resident_id_check_char

    first17 = f"{address:06d}{born:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def _uscc(department: str, kind: int, region: int, body: str) -> str:
    from yiyang.core.identifiers import uscc_check_char

    first17 = f"{department}{kind}{region:06d}{body}"
    return first17 + uscc_check_char(first17)


def register_formats() -> None:
    """Values of the identifier formats the schema names (``yiyang.core.apifields``): a pattern states their
    shape, not their check digit, so valid data comes from these strategies (as a client would send)."""
    from yiyang.core.apifields import PHONE_FORMAT, PHONE_PATTERN, RESIDENT_ID_FORMAT, USCC_FORMAT

    schemathesis.openapi.format(
        RESIDENT_ID_FORMAT,
        st.builds(
            _resident_id,
            st.integers(110000, 659999),
            st.dates(date(1900, 1, 1), date(2000, 12, 31)),
            st.integers(0, 999),
        ),
    )
    schemathesis.openapi.format(
        USCC_FORMAT,
        st.builds(
            _uscc,
            st.sampled_from("123456789ANY"),
            st.integers(0, 9),
            st.integers(0, 999999),
            st.text("0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
        ),
    )
    schemathesis.openapi.format(PHONE_FORMAT, st.from_regex(PHONE_PATTERN, fullmatch=True))


register_formats()

# Calls that would revoke the token the other generated cases use (covered by the accounts tests).
SKIPPED = {("POST", "/api/v1/auth/logout/"), ("DELETE", "/api/v1/auth/token/")}


@pytest.mark.django_db
def test_schema_is_valid_openapi_3() -> None:
    from openapi_spec_validator import validate

    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert "/api/v1/auth/token/" in spec["paths"] and "/api/v1/regions/" in spec["paths"]


@pytest.mark.django_db
def test_swagger_ui_is_served_offline() -> None:
    page = Client().get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page


@pytest.fixture
def api_schema(db: Any) -> Any:
    """The schema served in-process; like Django's test client, requests must not close the test's
    database connection (``close_old_connections`` would, inside the test transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from config.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(cast: Any) -> list[str]:
    """A county admin (every register and dispatch operation) and a caregiver (the serving actions)."""
    from yiyang.accounts.services import token_issue

    return [token_issue(user=cast.county_admin_a)[1], token_issue(user=cast.caregiver)[1]]


schema = schemathesis.pytest.from_fixture("api_schema")

# The operations are fuzzed in four shards of about the same size, so the parallel workers of ``make test``
# (pytest-xdist) share them: as one test they ran one after another on one worker, 20+ minutes in CI.
SHARDS = {
    "assessments_orders": r"^/api/v1/(assessments|orders)/",
    "renovation_benefits": r"^/api/v1/(renovation|benefits)/",
    "hotline_devices_elders": r"^/api/v1/(incidents|work-orders|calls|hotline|alarms|devices|device-events|elders)/",
}
OTHERS = "|".join(SHARDS.values())
HYPOTHESIS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


def _call_all(case: Any, tokens: list[str]) -> None:
    if (case.method.upper(), case.path) in SKIPPED:
        return
    from django.db import transaction

    for token in tokens:
        with transaction.atomic():  # a savepoint per call, like one request per transaction in production
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


@schema.include(path_regex=SHARDS["assessments_orders"]).parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema_assessments_orders(case: Any, tokens: list[str]) -> None:
    _call_all(case, tokens)


@schema.include(path_regex=SHARDS["renovation_benefits"]).parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema_renovation_benefits(case: Any, tokens: list[str]) -> None:
    _call_all(case, tokens)


@schema.include(path_regex=SHARDS["hotline_devices_elders"]).parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema_hotline_devices_elders(case: Any, tokens: list[str]) -> None:
    _call_all(case, tokens)


@schema.exclude(path_regex=OTHERS).parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema_everything_else(case: Any, tokens: list[str]) -> None:
    _call_all(case, tokens)


def test_the_shards_cover_every_operation_once() -> None:
    """A new app's paths fall into the last shard unless a shard names them; none is fuzzed twice."""
    import re

    pats = [re.compile(p) for p in SHARDS.values()]
    for path in ("/api/v1/orders/", "/api/v1/renovation/programmes/", "/api/v1/devices/", "/api/v1/regions/"):
        assert sum(1 for p in pats if p.search(path)) <= 1
    assert re.search(OTHERS, "/api/v1/regions/") is None


def test_schema_generates_without_warnings(tmp_path: Any) -> None:
    """Enum name collisions and unresolvable fields fail here, not first at ``check --deploy`` in CI."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
