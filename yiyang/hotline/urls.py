from django.urls import path

from yiyang.hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.ConsoleView.as_view(), name="console"),
    path("queue/", views.QueueView.as_view(), name="queue"),
    path("wall/", views.WallView.as_view(), name="wall"),
    path("calls/<uuid:call_id>/", views.CallView.as_view(), name="call"),
    path("incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("incidents/<uuid:incident_id>/", views.IncidentView.as_view(), name="incident"),
    path("sos/", views.SosView.as_view(), name="sos"),
    path("work-orders/", views.WorkOrderListView.as_view(), name="work_orders"),
    path("work-orders/<uuid:work_order_id>/", views.WorkOrderView.as_view(), name="work_order"),
    path("roster/", views.RosterView.as_view(), name="roster"),
    path("integrations/", views.IntegrationsView.as_view(), name="integrations"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("care-calls/", views.CareCallsView.as_view(), name="care_calls"),
    path("care-calls/<uuid:batch_id>/", views.CareBatchView.as_view(), name="care_batch"),
]
