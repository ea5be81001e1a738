from django.urls import path

from yiyang.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.TaskListView.as_view(), name="tasks"),
    path("request/", views.RequestView.as_view(), name="request"),
    path("external/", views.ExternalView.as_view(), name="external"),
    path("score/", views.PlaygroundView.as_view(), name="playground"),
    path("elder/<uuid:elder_id>/", views.HistoryView.as_view(), name="history"),
    path("<uuid:assessment_id>/", views.DetailView.as_view(), name="detail"),
    path("<uuid:assessment_id>/form/", views.FormView.as_view(), name="form"),
    path("<uuid:assessment_id>/summary/", views.SummaryView.as_view(), name="summary"),
    path("<uuid:assessment_id>/report.pdf", views.ReportView.as_view(), name="report"),
]
