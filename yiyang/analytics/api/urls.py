from django.urls import path

from yiyang.analytics.api.views import KpiListView

urlpatterns = [path("kpis/", KpiListView.as_view(), name="kpi-list")]
