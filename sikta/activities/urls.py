from django.urls import path

from sikta.activities import views

urlpatterns = [
    path("", views.activity_plan, name="activity_plan"),
    path("ny/", views.activity_create, name="activity_create"),
    path("<int:pk>/", views.activity_detail, name="activity_detail"),
    path("<int:pk>/andra/", views.activity_edit, name="activity_edit"),
    path("<int:pk>/genomford/", views.activity_held, name="activity_held"),
    path("<int:pk>/anteckningar/", views.activity_minutes_upload, name="activity_minutes_upload"),
    path("<int:pk>/anteckningar/<int:minutes>/", views.activity_minutes, name="activity_minutes"),
    path(
        "<int:pk>/anteckningar/<int:minutes>/ta-bort/",
        views.activity_minutes_delete,
        name="activity_minutes_delete",
    ),
]
