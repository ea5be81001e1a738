"""The OpenAPI document is valid, and schemathesis fuzzes every operation in it, authenticated as users
of two roles (a county admin of the cast, and a caregiver): no 5xx, no undocumented status, content type
or header, no response that breaks its schema. New endpoints are covered without new test code."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance
CHECKS = [negative_data_rejection, positive_data_acceptance,
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
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


schema = schemathesis.pytest.from_fixture("api_schema").include(path_regex="renovation")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, tokens: list[str]) -> None:
    if (case.method.upper(), case.path) in SKIPPED:
        return
    from django.db import transaction

    for token in tokens:
        with transaction.atomic():  # a savepoint per call, like one request per transaction in production
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_schema_generates_without_warnings(tmp_path: Any) -> None:
    """Enum name collisions and unresolvable fields fail here, not first at ``check --deploy`` in CI."""
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
