from django.urls import path

from thukkhon.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("reports/", views.reports, name="reports"),
    path("about/", views.credits, name="credits"),
    path("jobs/<int:job_id>/", views.job_status, name="job-status"),
]
