from django.urls import path
from rest_framework.routers import SimpleRouter

from yiyang.renovation.api.views import (
    ApplicationViewSet,
    CatalogView,
    EligibilityView,
    GrantView,
    ProgrammeViewSet,
)

router = SimpleRouter()
router.register("renovation/programmes", ProgrammeViewSet, basename="renovation-programme")
router.register("renovation/applications", ApplicationViewSet, basename="renovation-application")
urlpatterns = [
    path("renovation/catalog/", CatalogView.as_view(), name="renovation-catalog"),
    path("renovation/eligibility/", EligibilityView.as_view(), name="renovation-eligibility"),
    path("renovation/grants/", GrantView.as_view(), name="renovation-grants"),
    *router.urls,
]
