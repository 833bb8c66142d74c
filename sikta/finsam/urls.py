from django.urls import path

from sikta.finsam import views

urlpatterns = [
    path("", views.finsam_list, name="finsam_list"),
    path("export/", views.finsam_export, name="finsam_export"),
    path("antal/", views.finsam_counts, name="finsam_counts"),
    path("<int:pk>/registrera/", views.finsam_mark, name="finsam_mark"),
    path("<int:pk>/angra/", views.finsam_unmark, name="finsam_unmark"),
    path("<int:pk>/utbildning/", views.finsam_education, name="finsam_education"),
]
