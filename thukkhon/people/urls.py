from django.urls import URLPattern, URLResolver, include, path

app_name = "people"
urlpatterns: list[URLPattern | URLResolver] = [
    path("import/", include("thukkhon.people.import_urls")),
]
