from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/start/", views.plan_start, name="plan_start"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/propose/", views.plan_propose, name="plan_propose"),
    path("plans/<int:pk>/items/add/", views.item_add, name="item_add"),
    path("items/<int:pk>/", views.item_edit, name="item_edit"),
    path("mentees/", views.mentee_list, name="mentee_list"),
    path("mentees/add/", views.mentee_add, name="mentee_add"),
    path("mentees/<int:pk>/", views.mentee_detail, name="mentee_detail"),
    path("mentees/<int:pk>/edit/", views.mentee_edit, name="mentee_edit"),
    path("meetings/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", views.meeting_edit, name="meeting_edit"),
    path("goals/add/", views.goal_add, name="goal_add"),
    path("goals/<int:pk>/", views.goal_edit, name="goal_edit"),
    path("programs/<slug:slug>/compliance/", views.compliance, name="compliance"),
    path("programs/<slug:slug>/compliance.csv", views.compliance_csv, name="compliance_csv"),
    path("programs/<slug:slug>/people/<int:user_id>/", views.person, name="person"),
    path("programs/<slug:slug>/people/<int:user_id>/remind/", views.person_remind, name="person_remind"),
]
