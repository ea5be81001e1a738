"""Issue 9's second defect, as a test: the API assigned another county's assessment agency."""

from __future__ import annotations

from typing import Any

from yiyang.assessments.models import Status
from yiyang.assessments.tests.factories import make_agency, make_assessment

URL = "/api/v1/assessments/"


def test_api_refuses_an_agency_of_another_county(api_as: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    theirs = make_agency(cast, cast.county_b)
    response = api_as(cast.county_admin_a).post(
        f"{URL}{a.public_id}/assign/",
        {"agency": str(theirs.public_id), "assessors": [str(p.public_id) for p in theirs.assessors.all()]},
        format="json",
    )
    assert response.status_code == 404
    a.refresh_from_db()
    assert a.status == Status.REQUESTED and a.agency_id is None


def test_api_refuses_assessors_whose_grants_do_not_cover_the_elder(api_as: Any, cast: Any) -> None:
    a = make_assessment(cast, cast.community_a1)
    mine = make_agency(cast, cast.county_a)
    from yiyang.assessments.tests.factories import make_assessor

    outsider = make_assessor(cast, "as_b_only", cast.county_b)
    outsider.display_name = "邗江评估员"
    outsider.save(update_fields=["display_name"])
    insider = mine.assessors.first()
    assert insider is not None
    mine.assessors.add(outsider)
    response = api_as(cast.county_admin_a).post(
        f"{URL}{a.public_id}/assign/",
        {
            "agency": str(mine.public_id),
            "assessors": [str(outsider.public_id), str(insider.public_id)],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "邗江评估员" in response.content.decode()
    assert "as_b_only" not in response.content.decode()  # people are named by name, not login
