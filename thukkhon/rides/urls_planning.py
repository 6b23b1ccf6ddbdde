"""Daily plans, included at /rides/plans/ in the "rides" namespace."""

from django.urls import URLPattern, path

from thukkhon.rides import views_planning as views

urlpatterns: list[URLPattern] = [
    path("", views.plan_index, name="plan-index"),
    path("<str:day>/", views.plan_day, name="plan-day"),
    path("<str:day>/run/", views.plan_run, name="plan-run"),
    path("<str:day>/progress/", views.plan_progress, name="plan-progress"),
    path("<str:day>/move/", views.plan_move, name="plan-move"),
    path("<str:day>/unplan/", views.plan_unplan, name="plan-unplan"),
    path("<str:day>/lock/", views.plan_lock, name="plan-lock"),
    path("<str:day>/publish/", views.plan_publish, name="plan-publish"),
    path("<str:day>/requests/<int:request_id>/options/", views.plan_options, name="plan-options"),
]
