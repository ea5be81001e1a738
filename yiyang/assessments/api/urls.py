from rest_framework.routers import SimpleRouter

from yiyang.assessments.api.views import AssessmentAgencyViewSet, AssessmentViewSet, ExternalResultViewSet

router = SimpleRouter()
router.register("assessments/agencies", AssessmentAgencyViewSet, basename="assessment-agency")
router.register("assessments/external-results", ExternalResultViewSet, basename="assessment-external")
router.register("assessments", AssessmentViewSet, basename="assessment")
urlpatterns = router.urls
