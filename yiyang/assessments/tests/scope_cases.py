from datetime import date

from yiyang.assessments.models import Assessment, AssessmentAgency, ExternalAssessmentResult
from yiyang.assessments.services import external_result_record
from yiyang.assessments.tests.factories import make_agency, make_assessment, make_elder
from yiyang.core.testing import ApiScopeCase, PageScopeCase, register_api, register_page


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
        actor=None,
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
