from datetime import date

from yiyang.assessments.models import Assessment, AssessmentAgency, ExternalAssessmentResult
from yiyang.assessments.services import external_result_record
from yiyang.assessments.tests.factories import make_agency, make_assessment, make_elder
from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page
from yiyang.regions.scope import SYSTEM


def _assessment(cast, region):
    return make_assessment(cast, region)


def _completed(cast, region):
    return make_assessment(cast, region, status="completed")


def _agency(cast, region):
    county = cast.county_a if region.code.startswith("321002") else cast.county_b
    return make_agency(cast, county)


def _external(cast, region):
    return external_result_record(
        elder=make_elder(cast, region),
        source="医保局长期护理失能评估",
        standard="ltc2021",
        level=2,
        label="",
        assessed_on=date(2026, 1, 5),
        actor=SYSTEM,
    )


def _create_assessment(cast, region):
    return {"elder": str(make_elder(cast, region).public_id), "reason": "first"}


def _create_external(cast, region):
    return {
        "elder": str(make_elder(cast, region).public_id),
        "source": "残联",
        "standard": "gbt42195",
        "level": 3,
        "assessed_on": "2026-01-05",
    }


register_api(
    ApiScopeCase(
        basename="assessment",
        make=_assessment,
        create=_create_assessment,
        count=lambda: Assessment.objects.count(),
    )
)
register_api(
    ApiScopeCase(basename="assessment-agency", make=_agency, count=lambda: AssessmentAgency.objects.count())
)
register_api(
    ApiScopeCase(
        basename="assessment-external",
        make=_external,
        create=_create_external,
        count=lambda: ExternalAssessmentResult.objects.count(),
    )
)

register_page(
    PageScopeCase(name="assessments:detail", make=_assessment, url=lambda a: f"/assessments/{a.public_id}/")
)
register_page(
    PageScopeCase(
        name="assessments:form", make=_assessment, url=lambda a: f"/assessments/{a.public_id}/form/"
    )
)
register_page(
    PageScopeCase(
        name="assessments:summary", make=_completed, url=lambda a: f"/assessments/{a.public_id}/summary/"
    )
)
register_page(
    PageScopeCase(
        name="assessments:report", make=_completed, url=lambda a: f"/assessments/{a.public_id}/report.pdf"
    )
)
register_page(
    PageScopeCase(
        name="assessments:history",
        make=lambda cast, r: make_elder(cast, r),
        url=lambda e: f"/assessments/elder/{e.public_id}/",
    )
)


# --- Write paths (issue 9 item 2) -------------------------------------------------------------------------

from yiyang.assessments import services  # noqa: E402
from yiyang.assessments.tests.factories import answers_for  # noqa: E402
from yiyang.core.testing import (  # noqa: E402
    ActionCase,
    FilterCase,
    PagePostCase,
    register_action,
    register_filter,
    register_page_post,
)

# The assessor assigned by ``make_assessment`` (the first of county A's agency): performing needs to be
# one of the assessment's own assessors.
ASSESSOR = "assessor:as1a"


def _at(status):
    return lambda cast, region: make_assessment(cast, region, status=status)


def _signed(cast, region):
    a = make_assessment(cast, region, status="in_progress")
    people = list(a.assessors.all())
    for p in people:
        services.assessment_sign(assessment=a, role="assessor", actor=p)
    services.assessment_sign(assessment=a, role="informant", name="李家属", actor=people[0])
    return a


def _second_completed(cast, region):
    first = make_assessment(cast, region, status="completed")
    return make_assessment(cast, region, status="completed", elder=first.elder)


def _assign_body(county_of):
    def body(cast, a):
        agency = make_agency(cast, county_of(cast))
        return {
            "agency": str(agency.public_id),
            "assessors": [str(u.public_id) for u in agency.assessors.all()],
        }

    return body


register_action(
    ActionCase(
        route="assessment-assign",
        make=_assessment,
        body=_assign_body(lambda c: c.county_a),
        # The reproduced defect (issue 9): county A's admin assigns county B's agency and assessors.
        foreign=_assign_body(lambda c: c.county_b),
    )
)
register_action(
    ActionCase(
        route="assessment-answers",
        make=_at("assigned"),
        body=lambda c, a: {"answers": answers_for(a.standard)},
        own=(ASSESSOR, 200),
    )
)
register_action(
    ActionCase(
        route="assessment-record",
        make=_at("in_progress"),
        body=lambda c, a: {"risk_events": {"fall": 1}, "informant_name": "李家属"},
        own=(ASSESSOR, 200),
    )
)
register_action(
    ActionCase(
        route="assessment-sign",
        make=_at("in_progress"),
        body=lambda c, a: {"role": "informant", "name": "李家属"},
        own=(ASSESSOR, 200),
    )
)
register_action(ActionCase(route="assessment-submit", make=_signed, own=(ASSESSOR, 200)))
register_action(ActionCase(route="assessment-complete", make=_at("submitted"), own=(ASSESSOR, 200)))
register_action(ActionCase(route="assessment-reopen", make=_at("submitted"), own=(ASSESSOR, 200)))
register_action(
    ActionCase(route="assessment-cancel", make=_assessment, body=lambda c, a: {"reason": "老人住院"})
)
register_action(ActionCase(route="assessment-diff", method="get", make=_second_completed))
register_action(
    ActionCase(
        route="assessment-score",
        make=_assessment,
        detail=False,
        body=lambda c, a: {"standard": "gbt42195", "answers": answers_for("gbt42195")},
        outsider_status=200,  # a calculator: no object, nothing stored
    )
)
register_action(
    ActionCase(
        route="assessment-recognized",
        method="get",
        make=_completed,
        detail=False,
        body=lambda c, a: {"elder": str(a.elder.public_id), "programme": "subsidy.care"},
        own=None,
        note="whether a programme recognises a level is assessments/tests' business; here only who may ask",
    )
)

for _basename, _param, _value in [
    ("assessment", "elder", lambda c, a: str(a.elder.public_id)),
    ("assessment", "status", lambda c, a: a.status),
    ("assessment", "mine", lambda c, a: "true"),
    ("assessment-external", "elder", lambda c, e: str(e.elder.public_id)),
]:
    register_filter(FilterCase(basename=_basename, param=_param, value=_value))


for _post in [
    PagePostCase(
        name="assessments:request",
        make=lambda c, r: make_elder(c, r),
        url=lambda e: "/assessments/request/",
        data=lambda c, e: {"elder": str(e.public_id), "reason": "first"},
        outsider_status=404,
    ),
    PagePostCase(
        name="assessments:external",
        make=lambda c, r: make_elder(c, r),
        url=lambda e: "/assessments/external/",
        data=lambda c, e: {
            "elder": str(e.public_id),
            "source": "残联",
            "standard": "gbt42195",
            "level": "2",
            "assessed_on": "2026-01-05",
        },
    ),
    PagePostCase(
        name="assessments:detail",
        make=_assessment,
        url=lambda a: f"/assessments/{a.public_id}/",
        data=lambda c, a: {"op": "cancel", "reason": "老人住院"},
    ),
    PagePostCase(
        name="assessments:form",
        make=_at("assigned"),
        url=lambda a: f"/assessments/{a.public_id}/form/",
        data=lambda c, a: dict(
            [
                ("op", "answer"),
                ("code", next(iter(answers_for(a.standard)))),
                ("value", str(next(iter(answers_for(a.standard).values())))),
            ]
        ),
        own=(ASSESSOR, (200, 302)),
    ),
]:
    register_page_post(_post)
