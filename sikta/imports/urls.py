from django.urls import path

from sikta.imports import views

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("mall/<slug:kind>/", views.import_template, name="import_template"),
    path("<int:pk>/kolumner/", views.import_mapping, name="import_mapping"),
    path("<int:pk>/provkorning/", views.import_preview, name="import_preview"),
    path("<int:pk>/importera/", views.import_commit, name="import_commit"),
    path("<int:pk>/klar/", views.import_done, name="import_done"),
    path("<int:pk>/avbryt/", views.import_cancel, name="import_cancel"),
]
