from rest_framework.routers import SimpleRouter

from yiyang.providers.api.views import OrganisationViewSet, PriceOverrideViewSet, ServiceItemViewSet

router = SimpleRouter()
router.register("providers", OrganisationViewSet, basename="provider")
router.register("service-items", ServiceItemViewSet, basename="service-item")
router.register("price-overrides", PriceOverrideViewSet, basename="price-override")
urlpatterns = router.urls
