from django.urls import URLPattern, path

from thukkhon.people import line_views

urlpatterns: list[URLPattern] = [
    path("webhook", line_views.line_webhook, name="line-webhook"),
]
