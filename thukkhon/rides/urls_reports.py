"""Reports, included at /rides/reports/ in the "rides" namespace."""

from django.urls import URLPattern, path

from thukkhon.rides import views_reports as views

urlpatterns: list[URLPattern] = [
    path("", views.report_page, name="reports"),
    path("xlsx/", views.report_xlsx, name="reports-xlsx"),
    path("pdf/", views.report_pdf, name="reports-pdf"),
]
