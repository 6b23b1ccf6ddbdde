from django.urls import URLPattern, path

from thukkhon.rides import views_booking as views

urlpatterns: list[URLPattern] = [
    path("", views.request_list, name="request-list"),
    path("community/", views.community_rides, name="community-rides"),
    path("new/", views.pick_resident, name="pick-resident"),
    path("new/<int:resident_id>/", views.request_create, name="request-create"),
    path("<int:ride_id>/", views.request_detail, name="request-detail"),
    path("<int:ride_id>/edit/", views.request_edit, name="request-edit"),
    path("<int:ride_id>/cancel/", views.request_cancel, name="request-cancel"),
    path("<int:ride_id>/decide/", views.request_decide, name="request-decide"),
    path("<int:ride_id>/status/", views.request_status, name="request-status"),
    path("<int:ride_id>/call/", views.request_call, name="request-call"),
    path("series/<int:series_id>/cancel/", views.series_cancel, name="series-cancel"),
]
