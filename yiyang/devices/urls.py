from django.urls import path

from yiyang.devices import views

app_name = "devices"
urlpatterns = [
    path("alarms/", views.AlarmQueueView.as_view(), name="alarms"),
    path("alarms/<uuid:alarm_id>/", views.AlarmView.as_view(), name="alarm"),
    path("", views.DeviceListView.as_view(), name="devices"),
    path("<uuid:device_id>/", views.DeviceView.as_view(), name="device"),
    path(
        "<uuid:device_id>/installations/<int:installation_id>/photo/",
        views.installation_photo,
        name="installation_photo",
    ),
    path("map/", views.MapView.as_view(), name="map"),
    path("map/live/", views.MapLiveView.as_view(), name="map_live"),
    path("map/data/", views.MapDataView.as_view(), name="map_data"),
    path("away/", views.AwayView.as_view(), name="away"),
]
