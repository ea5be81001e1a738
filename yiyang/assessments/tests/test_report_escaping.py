"""Every field of the PDF report is text, never ReportLab markup (issue 10, L4): a ``<`` in an informant's
or signer's name once made the report fail for good."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from yiyang.assessments.models import Assessment, AssessmentSignature
from yiyang.assessments.report import render_pdf
from yiyang.assessments.tests.factories import make_assessment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["<b>unclosed", '<img src="http://127.0.0.1:8100/healthz"/>', "A & B <i>", "控制\x0b字符"]
)
def test_markup_in_names_is_printed_not_parsed(cast: Any, name: str) -> None:
    a = make_assessment(cast, cast.community_a1, status="completed")
    Assessment.objects.filter(pk=a.pk).update(informant_name=name[:50], informant_relation="<u>")
    AssessmentSignature.objects.create(assessment=a, role="informant", name=name[:50])
    a.refresh_from_db()
    assert render_pdf(a).startswith(b"%PDF")
    client = Client()
    client.force_login(cast.county_admin_a)
    response = client.get(f"/assessments/{a.public_id}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_informant_name_with_control_characters_is_refused_by_the_api(cast: Any, api_as: Any) -> None:
    from yiyang.assessments.api.serializers import SignSerializer

    s = SignSerializer(data={"role": "informant", "name": "\u202e王五"})
    assert not s.is_valid() and "name" in s.errors
