"""A visit finding starts a home aging-renovation application (代为申请) through renovation's own service:
under the most local programme in force, by its eligibility rules; a refusal names the field and leaves
no visit behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from yiyang.renovation.choices import Applicant
from yiyang.renovation.models import Application
from yiyang.renovation.tests.factories import make_programme, make_target_elder
from yiyang.visits.models import FollowUp, Visit


def _body(elder: Any, **follow_up: Any) -> dict[str, Any]:
    return {
        "elder": str(elder.public_id),
        "method": "in_person",
        "visited_at": timezone.now().isoformat(),
        "seen": True,
        "findings": {"hazards": ["stairs"]},
        "follow_ups": [{"kind": "renovation", **follow_up}],
    }


def _api(user: Any) -> APIClient:
    c = APIClient()
    c.force_authenticate(user=user)
    return c


@pytest.mark.django_db
def test_api_visit_starts_an_application_under_the_county_programme(cast: Any) -> None:
    make_programme()  # the city's
    county = make_programme(region_code=cast.county_a.code)
    elder = make_target_elder(cast.community_a1)
    response = _api(cast.community_worker_a1).post(
        "/api/v1/visits/", _body(elder, housing_right=True, in_demolition_plan=False), format="json"
    )
    assert response.status_code == 201, response.json()
    application = Application.objects.get(elder=elder)
    assert application.programme == county
    assert application.applicant == Applicant.COMMUNITY_WORKER
    assert application.applicant_name == cast.community_worker_a1.display_name
    follow_up = response.json()["follow_ups"][0]
    assert follow_up["kind"] == "renovation" and follow_up["kind_label"] == "适老化改造申请"
    assert follow_up["target"] == str(application.public_id) and follow_up["label"] == application.number


@pytest.mark.django_db
def test_refusals_name_the_field_and_leave_no_visit(cast: Any) -> None:
    elder = make_target_elder(cast.community_a1)
    api = _api(cast.community_worker_a1)
    missing = api.post("/api/v1/visits/", _body(elder, housing_right=True), format="json")
    assert missing.status_code == 400
    assert "follow_ups[0].in_demolition_plan" in missing.json()["errors"]
    no_programme = api.post(
        "/api/v1/visits/", _body(elder, housing_right=True, in_demolition_plan=False), format="json"
    )
    assert no_programme.status_code == 400
    assert "暂无实施中的适老化改造项目" in no_programme.json()["errors"]["follow_ups[0].kind"][0]
    make_programme()
    ineligible = api.post(
        "/api/v1/visits/", _body(elder, housing_right=True, in_demolition_plan=True), format="json"
    )
    assert ineligible.status_code == 400
    assert ineligible.json()["errors"]["follow_ups[0]"][0].startswith("适老化改造申请未受理：")
    assert not Visit.objects.exists() and not Application.objects.exists() and not FollowUp.objects.exists()


@pytest.mark.django_db
def test_record_page_offers_it_to_a_community_worker_and_starts_it(cast: Any) -> None:
    make_programme()
    elder = make_target_elder(cast.community_a1)
    client = Client()
    client.force_login(cast.community_worker_a1)
    page = client.get(f"/visits/record/{elder.public_id}/").content.decode()
    assert 'data-testid="fu-renovation"' in page and "代为申请居家适老化改造" in page
    response = client.post(
        f"/visits/record/{elder.public_id}/",
        {
            "op": "visit",
            "method": "in_person",
            "seen": "yes",
            "hazards": ["stairs"],
            "fu_renovation": "1",
            "reno_housing_right": "yes",
            "reno_demolition": "no",
        },
    )
    assert response.status_code == 302
    assert Application.objects.filter(elder=elder).count() == 1
    assert FollowUp.objects.get().kind == "renovation"
    # a volunteer (no renovation.apply) is not offered it
    from yiyang.visits.tests.factories import volunteer

    other = Client()
    other.force_login(volunteer(cast))
    assert (
        'data-testid="fu-renovation"' not in other.get(f"/visits/record/{elder.public_id}/").content.decode()
    )
