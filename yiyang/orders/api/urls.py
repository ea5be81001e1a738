from rest_framework.routers import SimpleRouter

from yiyang.orders.api.views import ComplaintViewSet, OrderViewSet, SettlementViewSet

router = SimpleRouter()
router.register("orders", OrderViewSet, basename="order")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("settlements", SettlementViewSet, basename="settlement")
urlpatterns = router.urls
