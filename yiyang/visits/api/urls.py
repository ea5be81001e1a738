from django.urls import path
from rest_framework.routers import SimpleRouter

from yiyang.visits.api.views import CoverageView, RiskView, VisitPlanViewSet, VisitViewSet

router = SimpleRouter()
router.register("visits", VisitViewSet, basename="visit")
router.register("visit-plans", VisitPlanViewSet, basename="visit-plan")
urlpatterns = [
    path("elders/<uuid:id>/risk/", RiskView.as_view(), name="elder-risk"),
    path("visits/coverage/", CoverageView.as_view(), name="visit-coverage"),
    *router.urls,
]
