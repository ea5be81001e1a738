from django.urls import path
from rest_framework.routers import SimpleRouter

from yiyang.benefits.api.views import ElderBenefitsView, EnrolmentViewSet, PaymentRunViewSet, ProgrammeViewSet

router = SimpleRouter()
router.register("benefits/programmes", ProgrammeViewSet, basename="benefit-programme")
router.register("benefits/enrolments", EnrolmentViewSet, basename="benefit-enrolment")
router.register("benefits/payment-runs", PaymentRunViewSet, basename="benefit-run")
urlpatterns = [
    *router.urls,
    path("elders/<uuid:id>/benefits/", ElderBenefitsView.as_view(), name="elder-benefits"),
]
