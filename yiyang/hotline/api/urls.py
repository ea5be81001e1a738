from django.urls import path
from rest_framework.routers import SimpleRouter

from yiyang.hotline.api.views import CallViewSet, Inbound12345View, IncidentViewSet, WorkOrderViewSet

router = SimpleRouter()
router.register("calls", CallViewSet, basename="call")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
urlpatterns = [
    path("hotline/12345/work-orders/", Inbound12345View.as_view(), name="hotline-12345-work-orders"),
    *router.urls,
]
