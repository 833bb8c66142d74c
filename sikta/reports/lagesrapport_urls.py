from django.urls import URLPattern, path

from sikta.reports import lagesrapport_views as views

urlpatterns: list[URLPattern] = [
    path("", views.status_report_list, name="status_report_list"),
    path("ny/", views.status_report_create, name="status_report_create"),
    path("<int:pk>/", views.status_report_detail, name="status_report_detail"),
    path("<int:pk>/pdf/", views.status_report_pdf, name="status_report_pdf"),
]
