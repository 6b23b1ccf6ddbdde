from django.urls import URLPattern, URLResolver, include, path

from thukkhon.people import line_views, views

app_name = "people"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.resident_list, name="resident-list"),
    path("residents/new/", views.resident_create, name="resident-create"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident-detail"),
    path("residents/<int:resident_id>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:resident_id>/needs/", views.vulnerability_edit, name="vulnerability-edit"),
    path("residents/<int:resident_id>/line-code/", line_views.line_code_create, name="line-code-create"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/options/", views.household_options, name="household-options"),
    path("households/<int:household_id>/", views.household_detail, name="household-detail"),
    path("households/<int:household_id>/edit/", views.household_edit, name="household-edit"),
    path("communities/", views.community_list, name="community-list"),
    path("communities/<int:community_id>/", views.community_detail, name="community-detail"),
    path("import/", include("thukkhon.people.import_urls")),
]
