from django.urls import path

from yiyang.core import policy_views, views

app_name = "core"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("jobs/", views.jobs_view, name="jobs"),
    path("jobs/<str:name>/run/", views.job_run_now, name="job-run"),
    path("outbox/dead/", views.outbox_dead_view, name="outbox-dead"),
    path("outbox/<uuid:message_id>/redeliver/", views.outbox_redeliver_view, name="outbox-redeliver"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("settings/policy/", policy_views.policy_page, name="policy"),
    path("styleguide/", views.styleguide, name="styleguide"),
    path("elder-mode/", views.elder_mode_switch, name="elder-mode"),
]
