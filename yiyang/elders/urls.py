from django.urls import path

from yiyang.elders import views

app_name = "elders"
urlpatterns = [
    path("", views.ElderListView.as_view(), name="list"),
    path("new/", views.ElderCreateView.as_view(), name="create"),
    path("validate-id/", views.ValidateIdView.as_view(), name="validate_id"),
    path("export.xlsx", views.ExportView.as_view(), name="export"),
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("import/history/", views.ImportHistoryView.as_view(), name="import_history"),
    path("import/<uuid:job_id>/", views.ImportJobView.as_view(), name="import_job"),
    path("import/<uuid:job_id>/report.xlsx", views.ImportReportView.as_view(), name="import_report"),
    path("<uuid:elder_id>/", views.ElderDetailView.as_view(), name="detail"),
    path("<uuid:elder_id>/tab/<slug:key>/", views.ElderTabView.as_view(), name="tab"),
    path("<uuid:elder_id>/edit/", views.ElderEditView.as_view(), name="edit"),
    path("<uuid:elder_id>/print/", views.ElderPrintView.as_view(), name="print"),
    path("<uuid:elder_id>/status/", views.ElderStatusView.as_view(), name="status"),
    path("<uuid:elder_id>/reveal/<slug:field_name>/", views.ElderRevealView.as_view(), name="reveal"),
]
