from django.urls import path

from yiyang.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionBrowseView.as_view(), name="browse"),
    path("<str:code>/", views.RegionChildrenView.as_view(), name="region"),
]
