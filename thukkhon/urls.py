from django.contrib import admin
from django.urls import include, path

from thukkhon.api import api

urlpatterns = [
    path("", include("thukkhon.core.urls")),
    path("registry/", include("thukkhon.people.urls")),
    path("rides/", include("thukkhon.rides.urls")),
    path("fleet/", include("thukkhon.fleet.urls")),
    path("childhood/", include("thukkhon.childhood.urls")),
    path("funerals/", include("thukkhon.funerals.urls")),
    path("address/", include("thukkhon.core.address_urls")),
    path("line/", include("thukkhon.people.line_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
