from django.urls import path
from rest_framework.routers import SimpleRouter

from yiyang.devices.api.views import AlarmViewSet, DeviceEventWebhookView, DeviceViewSet

router = SimpleRouter()
router.register("devices", DeviceViewSet, basename="device")
router.register("alarms", AlarmViewSet, basename="alarm")
urlpatterns = [
    path("device-events/", DeviceEventWebhookView.as_view(), name="device-events"),
    *router.urls,
]
