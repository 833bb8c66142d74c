from django.urls import URLPattern, path

from sikta.privacy import views

urlpatterns: list[URLPattern] = [
    path("registerutdrag/", views.register_extract, name="register_extract"),
]
