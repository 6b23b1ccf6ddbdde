from django.urls import URLPattern, path

from thukkhon.fleet import views

app_name = "fleet"
urlpatterns: list[URLPattern] = [
    path("", views.vehicle_list, name="vehicle-list"),
    path("vehicles/new/", views.vehicle_edit, name="vehicle-create"),
    path("vehicles/<int:vehicle_id>/edit/", views.vehicle_edit, name="vehicle-edit"),
    path("drivers/", views.driver_list, name="driver-list"),
    path("drivers/new/", views.driver_edit, name="driver-create"),
    path("drivers/<int:driver_id>/edit/", views.driver_edit, name="driver-edit"),
    path("shifts/", views.shift_list, name="shift-list"),
    path("shifts/<int:shift_id>/delete/", views.shift_delete, name="shift-delete"),
    path("out-of-service/", views.out_of_service_list, name="out-of-service"),
]
