from django.urls import path

from yiyang.planning import views

app_name = "planning"
urlpatterns = [
    path("map/", views.MapHomeView.as_view(), name="map"),
    path("map/<str:code>/", views.MapView.as_view(), name="map_region"),
    path("coverage/", views.CoverageHomeView.as_view(), name="coverage_home"),
    path("coverage/<str:code>/", views.CoverageView.as_view(), name="coverage"),
    path("siting/", views.SitingHomeView.as_view(), name="siting_home"),
    path("siting/<str:code>/", views.SitingView.as_view(), name="siting"),
    path("siting/<str:code>/export/", views.SitingExportView.as_view(), name="siting_export"),
]
