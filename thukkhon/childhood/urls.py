from django.urls import URLPattern, URLResolver

app_name = "childhood"
urlpatterns: list[URLPattern | URLResolver] = []
