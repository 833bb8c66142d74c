from django.urls import path

from sikta.worklists import views

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("enkatpaminnelser/", views.worklist_survey_reminders, name="worklist_survey_reminders"),
]
