from django.urls import URLPattern, path

from thukkhon.rides import account_views

urlpatterns: list[URLPattern] = [
    path("residents/<int:resident_id>/", account_views.resident_account, name="resident-account"),
]
