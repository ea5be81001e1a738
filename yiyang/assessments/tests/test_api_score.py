"""The score endpoint contract of issue 5: every standard, the response shape, 400 naming the item code
and its allowed values, 401/403."""

from __future__ import annotations

from typing import Any

import pytest

from yiyang.assessments.scoring import describe
from yiyang.assessments.tests.factories import answers_for, make_assessor

URL = "/api/v1/assessments/score/"
FIELDS = {
    "standard",
    "version",
    "total",
    "subtotals",
    "grades",
    "preliminary_level",
    "final_level",
    "label",
    "label_code",
    "rules_applied",
}


@pytest.fixture
def assessor(cast: Any) -> Any:
    return make_assessor(cast, "score_assessor")


def _post(api_as: Any, user: Any, body: Any) -> Any:
    return api_as(user).post(URL, body, format="json")


@pytest.mark.parametrize("standard", ["gbt42195", "mzt039", "ltc2021", "tekun6"])
def test_every_standard_scores_full_marks_with_the_documented_shape(
    api_as: Any, assessor: Any, standard: str
) -> None:
    response = _post(api_as, assessor, {"standard": standard, "answers": answers_for(standard)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == FIELDS
    assert body["standard"] == standard
    assert body["final_level"] == 0
    assert (body["grades"] is None) == (standard != "mzt039")
    if standard == "mzt039":
        assert set(body["grades"]) == {"adl", "mental", "sensory", "social"}


def test_gbt42195_full_marks_total_90_and_subtotals(api_as: Any, assessor: Any) -> None:
    body = _post(api_as, assessor, {"standard": "gbt42195", "answers": answers_for("gbt42195")}).json()
    assert body["total"] == 90
    assert body["subtotals"] == {"B1": 32, "B2": 15, "B3": 28, "B4": 15}
    assert body["label"] == "能力完好"
    assert body["rules_applied"] == []


def test_gbt42195_coma_flag_forces_level_4_and_names_the_rule(api_as: Any, assessor: Any) -> None:
    body = _post(
        api_as,
        assessor,
        {"standard": "gbt42195", "answers": answers_for("gbt42195"), "flags": {"coma": True}},
    ).json()
    assert body["preliminary_level"] == 0
    assert body["final_level"] == 4
    assert "coma" in body["rules_applied"]


def test_gbt42195_dementia_and_risk_events_cumulative_switch(api_as: Any, assessor: Any) -> None:
    answers = answers_for("gbt42195")
    answers["B1.1"] = 3  # total 89 → preliminary 1
    flags = {"dementia": True, "risk_events_30d": 2}
    on = _post(api_as, assessor, {"standard": "gbt42195", "answers": answers, "flags": flags}).json()
    off = _post(
        api_as,
        assessor,
        {"standard": "gbt42195", "answers": answers, "flags": flags, "options": {"cumulative": False}},
    ).json()
    assert (on["preliminary_level"], on["final_level"]) == (1, 3)
    assert off["final_level"] == 2
    assert {"diagnosis", "risk_events"} <= set(on["rules_applied"])


def test_tekun6_levels(api_as: Any, assessor: Any) -> None:
    answers = {k: 0 for k in ["eat", "dress", "bed", "toilet", "walk", "bathe"]}
    assert _post(api_as, assessor, {"standard": "tekun6", "answers": answers}).json()["final_level"] == 2
    answers.update(eat=1, dress=1, bed=1, toilet=1)
    assert _post(api_as, assessor, {"standard": "tekun6", "answers": answers}).json()["final_level"] == 1


def test_missing_item_is_400_naming_the_code_and_allowed_values(api_as: Any, assessor: Any) -> None:
    answers = answers_for("gbt42195")
    del answers["B3.4"]
    response = _post(api_as, assessor, {"standard": "gbt42195", "answers": answers})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "B3.4" in body["errors"]
    allowed = describe("gbt42195")["groups"][2]["items"][3]["allowed"]
    assert all(str(a) in body["errors"]["B3.4"][0] for a in allowed)


def test_out_of_range_value_is_400_naming_the_allowed_values(api_as: Any, assessor: Any) -> None:
    answers = answers_for("mzt039")
    answers["B1.1"] = 7
    body = _post(api_as, assessor, {"standard": "mzt039", "answers": answers}).json()
    assert "B1.1" in body["errors"]
    message = body["errors"]["B1.1"][0]
    assert "0" in message and "5" in message and "10" in message


def test_unknown_code_is_400_keyed_by_that_code(api_as: Any, assessor: Any) -> None:
    answers = {**answers_for("ltc2021"), "C9.9": 1}
    body = _post(api_as, assessor, {"standard": "ltc2021", "answers": answers}).json()
    assert "C9.9" in body["errors"]


def test_unknown_or_missing_standard_is_400_on_standard(api_as: Any, assessor: Any) -> None:
    unknown = _post(api_as, assessor, {"standard": "abc", "answers": {}})
    assert unknown.status_code == 400
    assert "gbt42195" in unknown.json()["errors"]["standard"][0]
    missing = _post(api_as, assessor, {"answers": {}})
    assert missing.status_code == 400 and "standard" in missing.json()["errors"]


def test_bad_flag_type_is_400_on_the_flag(api_as: Any, assessor: Any) -> None:
    body = _post(
        api_as,
        assessor,
        {"standard": "gbt42195", "answers": answers_for("gbt42195"), "flags": {"coma": "yes"}},
    ).json()
    assert "flags.coma" in body["errors"]


def test_non_object_body_is_400(api_as: Any, assessor: Any) -> None:
    assert _post(api_as, assessor, [1, 2]).status_code == 400


def test_county_and_city_roles_may_score(api_as: Any, cast: Any) -> None:
    from yiyang.accounts.services import user_create

    city = user_create(
        username="score_city",
        password=cast.password,
        display_name="市",
        grants=[("city_admin", cast.city.code)],
    )
    for user in (cast.county_admin_a, city):
        assert (
            _post(api_as, user, {"standard": "tekun6", "answers": answers_for("tekun6")}).status_code == 200
        )


def test_other_roles_get_403_and_anonymous_401(api_as: Any, api: Any, cast: Any) -> None:
    body = {"standard": "tekun6", "answers": answers_for("tekun6")}
    for user in (cast.street_worker_a1, cast.caregiver, cast.family, cast.nobody):
        response = _post(api_as, user, body)
        assert response.status_code == 403, user.username
        assert response.json()["code"] == "permission_denied"
    assert api.post(URL, body, format="json").status_code == 401


def test_schema_documents_item_codes_and_flags(api_as: Any, cast: Any) -> None:
    response = api_as(cast.county_admin_a).get("/api/schema/?format=json")
    text = response.content.decode()
    for needle in ["B1.1", "B4.5", "C3.3", "bathe", "risk_events_30d", "mental_disorder", "cumulative"]:
        assert needle in text
