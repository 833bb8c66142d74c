"""Log review and the hash-chain check, under /logg/granskning/ (no namespace)."""

from django.urls import URLPattern, path

from sikta.audit import views

urlpatterns: list[URLPattern] = [
    path("", views.audit_review_list, name="audit_review_list"),
    path("<int:pk>/", views.audit_review_detail, name="audit_review_detail"),
    path("kedja/", views.audit_chain, name="audit_chain"),
]
