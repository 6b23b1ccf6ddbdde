from django.urls import URLPattern, URLResolver, include, path

from thukkhon.rides import views_settings

app_name = "rides"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("thukkhon.rides.urls_booking")),
    path("plans/", include("thukkhon.rides.urls_planning")),
    path("manifest/", include("thukkhon.rides.urls_manifest")),
    path("reports/", include("thukkhon.rides.urls_reports")),
    path("accounts/", include("thukkhon.rides.urls_accounts")),
    path("settings/", views_settings.ride_settings, name="settings"),
]
