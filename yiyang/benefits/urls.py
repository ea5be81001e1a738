from django.urls import path

from yiyang.benefits import views

app_name = "benefits"
urlpatterns = [
    path("runs/", views.RunListView.as_view(), name="runs"),
    path("runs/<uuid:run_id>/", views.RunDetailView.as_view(), name="run"),
    path("runs/<uuid:run_id>/bank.<str:fmt>", views.BankFileView.as_view(), name="bank_file"),
    path("confirmations/", views.ConfirmationListView.as_view(), name="confirmations"),
    path("deaths/", views.DeathImportListView.as_view(), name="deaths"),
    path("deaths/<uuid:batch_id>/", views.DeathImportDetailView.as_view(), name="death"),
]
