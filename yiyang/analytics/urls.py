from django.urls import path

from yiyang.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("wall/", views.WallView.as_view(), name="wall"),
    path("rows/<slug:code>/", views.RowsView.as_view(), name="rows"),
    path("report.pdf", views.ReportPdfView.as_view(), name="report_pdf"),
    path("report.xlsx", views.ReportXlsxView.as_view(), name="report_xlsx"),
    path("entries/", views.EntryView.as_view(), name="entries"),
    path("evidence/<uuid:file_id>/", views.EvidenceView.as_view(), name="evidence"),
    path("targets/", views.TargetsView.as_view(), name="targets"),
]
