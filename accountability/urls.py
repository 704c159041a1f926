from django.urls import path

from . import mentee_views, views

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
    path("mentees/<int:pk>/invite/", mentee_views.mentee_invite, name="mentee_invite"),
    path("feedback/", mentee_views.my_feedback, name="my_feedback"),
    # The mentee's own pages.
    path("my-mentoring/", mentee_views.mentee_home, name="mentee_home"),
    path("my-mentoring/invitations/<int:pk>/accept/", mentee_views.mentee_invitation_accept,
         name="mentee_invitation_accept"),
    path("my-mentoring/invitations/<int:pk>/decline/", mentee_views.mentee_invitation_decline,
         name="mentee_invitation_decline"),
    path("my-mentoring/<int:pk>/goals/add/", mentee_views.mentee_own_goal_add, name="mentee_own_goal_add"),
    path("my-mentoring/goals/<int:pk>/", mentee_views.mentee_goal_progress, name="mentee_goal_progress"),
    path("my-mentoring/feedback/<int:pk>/", mentee_views.mentee_feedback, name="mentee_feedback"),
    path("meetings/add/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:pk>/", views.meeting_edit, name="meeting_edit"),
    path("goals/add/", views.goal_add, name="goal_add"),
    path("goals/<int:pk>/", views.goal_edit, name="goal_edit"),
    path("programs/<slug:slug>/compliance/", views.compliance, name="compliance"),
    path("programs/<slug:slug>/compliance.csv", views.compliance_csv, name="compliance_csv"),
    path("programs/<slug:slug>/people/<int:user_id>/", views.person, name="person"),
    path("programs/<slug:slug>/people/<int:user_id>/remind/", views.person_remind, name="person_remind"),
]
