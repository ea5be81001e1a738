from django.urls import path

from yiyang.renovation import views

app_name = "renovation"
urlpatterns = [
    path("", views.ApplicationListView.as_view(), name="list"),
    path("apply/", views.ApplyView.as_view(), name="apply"),
    path("applications/<uuid:application_id>/", views.ApplicationDetailView.as_view(), name="detail"),
    path("applications/<uuid:application_id>/archive/", views.ArchiveView.as_view(), name="archive"),
    path(
        "applications/<uuid:application_id>/archive.pdf", views.ArchivePdfView.as_view(), name="archive_pdf"
    ),
    path("applications/<uuid:application_id>/photos/<str:name>", views.photo_view, name="photo"),
    path("programmes/", views.ProgrammeListView.as_view(), name="programmes"),
    path("programmes/<uuid:programme_id>/", views.ProgrammeDetailView.as_view(), name="programme"),
    path("progress/", views.ProgressView.as_view(), name="progress"),
    path("progress/export/", views.ProgressExportView.as_view(), name="progress_export"),
]
