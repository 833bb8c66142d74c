from django.urls import path

from sikta.accounts import views

urlpatterns = [
    path("", views.two_factor_verify, name="two_factor_verify"),
    path("ny/", views.two_factor_enrol, name="two_factor_enrol"),
]
