from django.urls import path

from yiyang.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEventListView.as_view(), name="events"),
    path("<uuid:event_id>/", views.AuditEventDetailView.as_view(), name="event"),
]
