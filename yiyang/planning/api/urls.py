from django.urls import path

from yiyang.planning.api.views import CoverageView

urlpatterns = [path("coverage/", CoverageView.as_view(), name="coverage")]
