from django.urls import URLPattern, URLResolver, path

from thukkhon.childhood import views

app_name = "childhood"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("classrooms/<int:classroom_id>/", views.classroom, name="classroom"),
    path("classrooms/<int:classroom_id>/attendance/", views.attendance, name="attendance"),
    path(
        "classrooms/<int:classroom_id>/observations/new/", views.observation_create, name="observation-create"
    ),
    path("classrooms/<int:classroom_id>/projects/new/", views.project_create, name="project-create"),
    path("classrooms/<int:classroom_id>/screening/", views.screening_list, name="screening"),
    path("classrooms/<int:classroom_id>/ratings/", views.classroom_ratings, name="ratings"),
    path(
        "classrooms/<int:classroom_id>/children/<int:child_id>/ratings/",
        views.child_ratings,
        name="child-ratings",
    ),
    path("classrooms/<int:classroom_id>/children/", views.classroom_children, name="children"),
    path("observations/<int:observation_id>/", views.observation_detail, name="observation"),
    path("media/<int:media_id>/children/", views.media_children, name="media-children"),
    path("media/<int:media_id>/<str:variant>/", views.media_file, name="media"),
    path("projects/<int:project_id>/", views.project_detail, name="project"),
    path("projects/<int:project_id>/panel.pdf", views.project_panel, name="project-panel"),
    path("children/<int:child_id>/", views.child_portfolio, name="child"),
    path("children/<int:child_id>/portfolio.pdf", views.child_portfolio_pdf, name="child-pdf"),
    path("children/<int:child_id>/guardians/", views.child_guardians, name="guardians"),
    path("children/<int:child_id>/transition/", views.transition_write, name="transition"),
    path("transition/<int:summary_id>/share/", views.transition_share, name="transition-share"),
    path("transition/<int:summary_id>/summary.pdf", views.transition_pdf, name="transition-pdf"),
    path("family/children/<int:child_id>/", views.family_child, name="family-child"),
    path("family/children/<int:child_id>/consent/", views.family_consent, name="family-consent"),
    path("equity/", views.equity, name="equity"),
]
