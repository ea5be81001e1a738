from django.urls import path

from yiyang.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("today/", views.TodayView.as_view(), name="today"),
    path("record/<uuid:elder_id>/", views.RecordView.as_view(), name="record"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("reassign/", views.ReassignView.as_view(), name="reassign"),
    path("campaigns/", views.CampaignListView.as_view(), name="campaigns"),
    path("campaigns/<uuid:campaign_id>/", views.CampaignView.as_view(), name="campaign"),
    path("rules/", views.RulesView.as_view(), name="rules"),
]
