from rest_framework.routers import SimpleRouter

from yiyang.providers.api.views import OrganisationViewSet, ServiceItemViewSet

router = SimpleRouter()
router.register("providers", OrganisationViewSet, basename="provider")
router.register("service-items", ServiceItemViewSet, basename="service-item")
urlpatterns = router.urls
