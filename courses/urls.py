from __future__ import annotations

from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("<int:pk>/", views.course_detail, name="course_detail"),
    path("<int:pk>/record/", views.completion_save, name="completion_save"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("records/<int:pk>/edit/", views.completion_edit, name="completion_edit"),
    path("records/<int:pk>/remove/", views.completion_delete, name="completion_delete"),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/<int:user_id>/", views.transcript, name="person_transcript"),
    path("transcript/<int:user_id>/print/", views.transcript_print, name="transcript_print"),
    path("transcript/<int:user_id>/csv/", views.transcript_csv, name="transcript_csv"),
    path("readings/", views.readings, name="readings"),
    path("guides/", views.quick_guides, name="quick_guides"),
    path("guides/<int:pk>/", views.quick_guide_detail, name="quick_guide_detail"),
]
