from __future__ import annotations

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/rsvp/", views.meeting_rsvp, name="meeting_rsvp"),
    path("meetings/<int:pk>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("agreements/<int:pk>/acknowledge/", views.agreement_acknowledge, name="agreement_acknowledge"),
    path("calendar/new/", views.feed_regenerate, name="feed_regenerate"),
    path("calendar/off/", views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/challenges/", views.challenges, name="challenges"),
    path("<slug:slug>/agreements/", views.agreements, name="agreements"),
]
