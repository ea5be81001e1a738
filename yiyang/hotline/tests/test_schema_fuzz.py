"""Schemathesis on the hotline's operations with every check, negative and positive data included: a
body the schema forbids is refused (4xx), a body it allows is accepted or refused only for a documented
reason (401/403/404/409), never a 5xx or an undocumented status."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from yiyang.core.tests.test_api_schema import api_schema  # noqa: F401 (the fixture)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


@pytest.fixture
def hotline_tokens(cast: Any) -> list[str]:
    from yiyang.accounts.services import token_issue

    return [token_issue(user=cast.county_admin_a)[1]]


schema = schemathesis.pytest.from_fixture("api_schema").include(
    path_regex=r"^/api/v1/(calls|incidents|work-orders|hotline)/"
)


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_hotline_api_with_every_check(case: Any, hotline_tokens: list[str]) -> None:
    from django.db import transaction

    for token in hotline_tokens:
        with transaction.atomic():
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
