"""Cascading address selects: public, cacheable ``<option>`` lists (see ``address_views``)."""

from django.urls import URLPattern, path

from thukkhon.core import address_views

app_name = "address"

urlpatterns: list[URLPattern] = [
    path("changwats/", address_views.changwat_options, name="changwats"),
    path("amphoes/", address_views.amphoe_options, name="amphoes"),
    path("tambons/", address_views.tambon_options, name="tambons"),
    path("postcodes/", address_views.postcode_options, name="postcodes"),
]
