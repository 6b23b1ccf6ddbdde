"""Import and export of the registry, under /registry/import/ (namespace "people")."""

from django.urls import URLPattern, path

from thukkhon.people import import_views as views

urlpatterns: list[URLPattern] = [
    path("", views.upload, name="import-upload"),
    path("template.xlsx", views.template_download, name="import-template"),
    path("template.csv", views.template_csv_download, name="import-template-csv"),
    path("export.xlsx", views.export, name="export-residents"),
    path("<int:job_id>/", views.preview, name="import-preview"),
    path("<int:job_id>/progress/", views.progress, name="import-progress"),
    path("<int:job_id>/apply/", views.apply, name="import-apply"),
    path("<int:job_id>/result/", views.result, name="import-result"),
]
