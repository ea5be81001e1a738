from rest_framework.routers import SimpleRouter

from yiyang.elders.api.views import ElderViewSet

router = SimpleRouter()
router.register("elders", ElderViewSet, basename="elder")
urlpatterns = router.urls
