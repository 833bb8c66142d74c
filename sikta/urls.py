from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from sikta.audit import views as audit_views
from sikta.front import views as front_views
from sikta.participants import views as participant_views

admin.site.site_header = _("Sikta administration")
admin.site.site_title = _("Sikta administration")
admin.site.index_title = _("Organisation and staff")

urlpatterns = [
    path("", front_views.start, name="start"),
    path("organisation/", front_views.organisation, name="organisation"),
    path("deltagare/", participant_views.participant_list, name="participant_list"),
    path("deltagare/<int:pk>/", participant_views.participant_detail, name="participant_detail"),
    path("logg/", audit_views.audit_search, name="audit_search"),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
