from __future__ import annotations

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("history/", views.history, name="history"),
    path("start/<slug:program_slug>/<int:instrument_id>/", views.start, name="start"),
    path("responses/<int:pk>/", views.take, name="take"),
    path("responses/<int:pk>/results/", views.results, name="results"),
]
