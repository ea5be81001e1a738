"""Issue 10 (schemathesis: 13 wrongly typed requests accepted, 22 valid-looking ones refused by rules the
schema did not state): the API refuses what its schema refuses, and the schema states what it refuses."""

from __future__ import annotations

import random
import re
from typing import Any

import pytest

from yiyang.core.regioncodes import REGION_CODE_PATTERN, normalize_region_code
from yiyang.core.validators import LINE_PATTERN, TEXT_PATTERN, check_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/assessments/?mine=null",
        "/api/v1/audit/events/?until=",
        "/api/v1/regions/?level=AAA",
        "/api/v1/orders/?flagged=1",
        "/api/v1/complaints/?category=",
        "/api/v1/elders/?age_min=%C2%B2",
        "/api/v1/assessments/external-results/?elder=",
    ],
)
def test_a_query_parameter_outside_its_schema_is_400(cast: Any, api_as: Any, query: str) -> None:
    answer = api_as(cast.county_admin_a).get(query)
    assert answer.status_code == 400, answer.content[:200]
    assert set(answer.json()["errors"]) == {query.split("?")[1].split("=")[0]}


def test_wrongly_typed_bodies_are_refused(cast: Any, api_as: Any) -> None:
    api = api_as(cast.county_admin_a)
    bulk = api.post("/api/v1/orders/auto-dispatch/", {"orders": [False]}, format="json")
    assert bulk.status_code == 400  # was read as UUID 0
    note = api.post("/api/v1/orders/", {"elder": str(cast.county_a.pk), "note": 5}, format="json")
    assert note.status_code == 400 and note.json()["errors"]["note"] == ["应为文本"]


def test_a_body_naming_a_row_that_is_not_there_is_404_with_the_field(cast: Any, api_as: Any) -> None:
    answer = api_as(cast.county_admin_a).post(
        "/api/v1/settlements/",
        {"provider": "e3e70682-c209-1cac-a29f-6fbed82c07cd", "month": "2026-10"},
        format="json",
    )
    assert answer.status_code == 404 and list(answer.json()["errors"]) == ["provider"]


def test_the_region_code_pattern_is_exactly_what_the_parser_takes() -> None:
    rng = random.Random(10)
    pattern = re.compile(REGION_CODE_PATTERN)
    for _ in range(20000):
        code = "".join(rng.choice("0000001239") for _ in range(rng.choice([2, 3, 4, 6, 9, 10, 12])))
        try:
            normalize_region_code(code)
            valid = True
        except ValueError:
            valid = False
        assert valid == bool(pattern.match(code)), code


@pytest.mark.parametrize("pattern,multiline", [(TEXT_PATTERN, True), (LINE_PATTERN, False)])
def test_the_text_patterns_refuse_exactly_the_characters_the_validator_refuses(
    pattern: str, multiline: bool
) -> None:
    from django.core.exceptions import ValidationError

    regex = re.compile(pattern.replace("$", r"\Z"))
    for cp in [*range(0, 0x3000), 0xFEFF, 0x1F600, 0xF0000]:
        ch = chr(cp)
        try:
            check_text(f"a{ch}b", label="", max_length=10, multiline=multiline)
            ok = True
        except ValidationError:
            ok = False
        assert ok == bool(regex.match(f"a{ch}b")), hex(cp)
