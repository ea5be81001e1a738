from django.urls import include, path

from yiyang.core.apidocs import SchemaView, api_docs
from yiyang.core.views import healthz

api_v1 = [
    path("", include("yiyang.accounts.api.urls")),
    path("", include("yiyang.regions.api.urls")),
    path("", include("yiyang.audit.api.urls")),
    path("", include("yiyang.elders.api.urls")),
    path("", include("yiyang.assessments.api.urls")),
    path("", include("yiyang.providers.api.urls")),
    path("", include("yiyang.orders.api.urls")),
    path("", include("yiyang.benefits.api.urls")),
    path("", include("yiyang.hotline.api.urls")),
    path("", include("yiyang.renovation.api.urls")),
    path("", include("yiyang.devices.api.urls")),
    path("", include("yiyang.planning.api.urls")),
    path("", include("yiyang.visits.api.urls")),
    path("", include("yiyang.analytics.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", api_docs, name="swagger-ui"),
    path("accounts/", include("yiyang.accounts.urls")),
    path("regions/", include("yiyang.regions.urls")),
    path("audit/", include("yiyang.audit.urls")),
    path("elders/", include("yiyang.elders.urls")),
    path("assessments/", include("yiyang.assessments.urls")),
    path("services/", include("yiyang.providers.urls")),
    path("services/", include("yiyang.orders.urls")),
    path("benefits/", include("yiyang.benefits.urls")),
    path("hotline/", include("yiyang.hotline.urls")),
    path("renovation/", include("yiyang.renovation.urls")),
    path("devices/", include("yiyang.devices.urls")),
    path("planning/", include("yiyang.planning.urls")),
    path("visits/", include("yiyang.visits.urls")),
    path("analytics/", include("yiyang.analytics.urls")),
    path("", include("yiyang.core.urls")),
]

handler403 = "yiyang.core.errorpages.forbidden"
handler404 = "yiyang.core.errorpages.not_found"
handler500 = "yiyang.core.errorpages.server_error"
