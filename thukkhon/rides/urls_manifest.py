"""The driver's manifest, included at /rides/manifest/ in the "rides" namespace."""

from django.urls import URLPattern, path

from thukkhon.rides import views_manifest as views

urlpatterns: list[URLPattern] = [
    path("", views.manifest_today, name="manifest"),
    path("run/<int:run_id>/", views.manifest_run, name="manifest-run"),
    path("stop/<int:stop_id>/<slug:action>/", views.manifest_tap, name="manifest-tap"),
]
