from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from sikta.accounts import sso_views, views as account_views
from sikta.audit import views as audit_views
from sikta.bookings import views as booking_views
from sikta.caseload import views as caseload_views
from sikta.casework import views as case_views
from sikta.core.http import require_form_methods
from sikta.front import views as front_views
from sikta.groups import views as group_views
from sikta.participants import views as participant_views
from sikta.privacy import views as privacy_views
from sikta.referrals import views as referral_views
from sikta.reports import views as report_views
from sikta.surveys import views as survey_views
from sikta.worktraining import views as worktraining_views

admin.site.site_header = _("Sikta administration")
admin.site.site_title = _("Sikta administration")
admin.site.index_title = _("Organisation and staff")

urlpatterns = [
    path("", front_views.start, name="start"),
    path("organisation/", front_views.organisation, name="organisation"),
    path("deltagare/", participant_views.participant_list, name="participant_list"),
    path("deltagare/<int:pk>/", participant_views.participant_detail, name="participant_detail"),
    path(
        "deltagare/<int:pk>/ansvarig/",
        participant_views.participant_assign,
        name="participant_assign",
    ),
    path(
        "deltagare/<int:pk>/skyddad-identitet/",
        participant_views.participant_protection,
        name="participant_protection",
    ),
    path("deltagare/<int:pk>/kartlaggning/", case_views.case_mapping, name="case_mapping"),
    path("deltagare/<int:pk>/plan/", case_views.case_plan, name="case_plan"),
    path("deltagare/<int:pk>/plan/utskrift/", case_views.case_plan_print, name="case_plan_print"),
    path("deltagare/<int:pk>/plan/<int:goal>/", case_views.case_goal, name="case_goal"),
    path(
        "deltagare/<int:pk>/plan/<int:goal>/uppfoljning/",
        case_views.case_goal_follow_up,
        name="case_goal_follow_up",
    ),
    path("deltagare/<int:pk>/journal/", case_views.case_journal, name="case_journal"),
    path("deltagare/<int:pk>/bokningar/", booking_views.case_bookings, name="case_bookings"),
    path(
        "deltagare/<int:pk>/bokningar/<int:booking>/",
        booking_views.booking_edit,
        name="booking_edit",
    ),
    path(
        "deltagare/<int:pk>/bokningar/<int:booking>/stall-in/",
        booking_views.booking_cancel,
        name="booking_cancel",
    ),
    path(
        "deltagare/<int:pk>/bokningar/<int:booking>/utfall/",
        booking_views.booking_outcome,
        name="booking_outcome",
    ),
    path(
        "deltagare/<int:pk>/meddelanden/<int:message>/skicka-igen/",
        booking_views.message_retry,
        name="message_retry",
    ),
    path("deltagare/<int:pk>/paminnelser/", booking_views.case_contact, name="case_contact"),
    path("overlamning/", caseload_views.caseload_index, name="caseload_index"),
    path("overlamning/<int:staff>/", caseload_views.caseload_hand_over, name="caseload_hand_over"),
    path("kalender/", booking_views.calendar, name="calendar"),
    # The worklist "Att göra" (sikta.worklists): what is due, and its bulk survey reminder.
    path("att-gora/", include("sikta.worklists.urls")),
    path("kalender/adress/", booking_views.calendar_feed_renew, name="calendar_feed_renew"),
    path("kalender/adress/stang/", booking_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("kalender/flode/<str:token>.ics", booking_views.calendar_feed, name="calendar_feed"),
    path("deltagare/<int:pk>/samtycke/", participant_views.case_consent, name="case_consent"),
    path(
        "deltagare/<int:pk>/samtycke/aterkalla/",
        participant_views.case_consent_withdraw,
        name="case_consent_withdraw",
    ),
    path(
        "deltagare/<int:pk>/journal/<int:entry>/ratta/",
        case_views.case_journal_correct,
        name="case_journal_correct",
    ),
    path("deltagare/<int:pk>/utskrivning/", case_views.case_exit, name="case_exit"),
    path("deltagare/<int:pk>/utskrivning/paus/", case_views.case_pause, name="case_pause"),
    path("deltagare/<int:pk>/utskrivning/ateruppta/", case_views.case_resume, name="case_resume"),
    path("deltagare/<int:pk>/nytt-spar/", case_views.case_refer_on, name="case_refer_on"),
    path("deltagare/<int:pk>/enkat/", survey_views.case_surveys, name="case_surveys"),
    path(
        "deltagare/<int:pk>/enkat/<int:instrument>/<slug:timepoint>/papper/",
        survey_views.case_survey_paper,
        name="case_survey_paper",
    ),
    # The participant's personal survey link: no login, the token is the key.
    path("rapporter/", report_views.report_dashboard, name="report_dashboard"),
    path("rapporter/lagesrapport/", include("sikta.reports.lagesrapport_urls")),
    path("rapporter/finsam/", include("sikta.finsam.urls")),
    path("aktivitetsplan/", include("sikta.activities.urls")),
    path("importera/", include("sikta.imports.urls")),
    path("rapporter/finansiering/", report_views.financing_report, name="financing_report"),
    path("rapporter/utvardering/", report_views.evaluation_export, name="evaluation_export"),
    path("rapporter/enkat/", survey_views.survey_report, name="survey_report"),
    path("enkat/<str:token>/", survey_views.survey_answer, name="survey_answer"),
    path("enkat/<str:token>/spara/", survey_views.survey_save, name="survey_save"),
    path("deltagare/<int:pk>/slutdokumentation/", case_views.case_final, name="case_final"),
    path(
        "deltagare/<int:pk>/slutdokumentation/forhandsgranska/",
        case_views.case_final_preview,
        name="case_final_preview",
    ),
    path(
        "deltagare/<int:pk>/slutdokumentation/overlamnad/",
        case_views.case_final_handed,
        name="case_final_handed",
    ),
    path(
        "deltagare/<int:pk>/slutdokumentation/<int:document>/pdf/",
        case_views.case_final_pdf,
        name="case_final_pdf",
    ),
    path(
        "deltagare/<int:pk>/arbetstraning/",
        worktraining_views.case_placements,
        name="case_placements",
    ),
    path(
        "deltagare/<int:pk>/arbetstraning/<int:placement>/",
        worktraining_views.case_placement,
        name="case_placement",
    ),
    path(
        "deltagare/<int:pk>/arbetstraning/<int:placement>/uppfoljning/",
        worktraining_views.case_placement_follow_up,
        name="case_placement_follow_up",
    ),
    path("grupper/", group_views.group_list, name="group_list"),
    path("grupper/<int:pk>/", group_views.group_detail, name="group_detail"),
    path("grupper/<int:pk>/deltagare/", group_views.group_members_add, name="group_members_add"),
    path(
        "grupper/<int:pk>/tillfallen/<int:session>/",
        group_views.group_session,
        name="group_session",
    ),
    path("arbetsgivare/", worktraining_views.employer_list, name="employer_list"),
    path("arbetsgivare/ny/", worktraining_views.employer_create, name="employer_create"),
    path("arbetsgivare/<int:pk>/", worktraining_views.employer_detail, name="employer_detail"),
    path(
        "arbetsgivare/<int:pk>/kontaktperson/",
        worktraining_views.employer_contact_add,
        name="employer_contact_add",
    ),
    # The public referral form: linked from the association's web site, so keep the address.
    path("aktualisering/", referral_views.referral_start, name="referral_start"),
    path("aktualisering/tack/", referral_views.referral_thanks, name="referral_thanks"),
    path("aktualisering/<slug:slug>/", referral_views.referral_short, name="referral_short"),
    # Before the form's: "kontroll" is no track. The short form is the address used before
    # there were several insatser.
    path(
        "aktualisering/<slug:track>/kontroll/",
        referral_views.referral_check,
        name="referral_check_short",
    ),
    path(
        "aktualisering/<slug:insats>/<slug:track>/kontroll/",
        referral_views.referral_check,
        name="referral_check",
    ),
    path(
        "aktualisering/<slug:insats>/<slug:track>/",
        referral_views.referral_form,
        name="referral_form",
    ),
    path("aktualiseringar/", referral_views.referral_queue, name="referral_queue"),
    path("aktualiseringar/ny/", referral_views.referral_register, name="referral_register"),
    path("aktualiseringar/<int:pk>/", referral_views.referral_detail, name="referral_detail"),
    path("aktualiseringar/<int:pk>/antag/", referral_views.referral_accept, name="referral_accept"),
    path(
        "aktualiseringar/<int:pk>/<slug:action>/",
        referral_views.referral_change,
        name="referral_change",
    ),
    path("logg/", audit_views.audit_search, name="audit_search"),
    path("logg/granskning/", include("sikta.audit.review_urls")),
    path("integritet/", include("sikta.privacy.urls")),
    path("personuppgifter/", privacy_views.privacy_notice, name="privacy_notice_list"),
    path("personuppgifter/<slug:insats>/", privacy_views.privacy_notice, name="privacy_notice"),
    path("konto/logga-in/", sso_views.LoginView.as_view(), name="login"),
    # Logout ends Sikta's session, and the identity provider's where it can be asked to.
    path("konto/logga-ut/", sso_views.sign_out, name="logout"),
    path("konto/e-legitimation/", sso_views.sso_choose, name="sso_choose"),
    path("konto/e-legitimation/<slug:slug>/", sso_views.sso_start, name="sso_start"),
    path("konto/e-legitimation/<slug:slug>/klar/", sso_views.sso_callback, name="sso_callback"),
    # SAML: djangosaml2's endpoints, the login and the assertion consumer with Sikta's matching;
    # no GET logout (our logout is a POST above, which starts the single logout).
    path("saml2/login/", sso_views.SamlLogin.as_view(), name="saml2_login"),
    path("saml2/acs/", sso_views.SamlAssertionConsumer.as_view(), name="saml2_acs"),
    path("saml2/ls/", sso_views.SamlLogout.as_view(), name="saml2_ls"),
    path("saml2/ls/post/", sso_views.SamlLogoutPost.as_view(), name="saml2_ls_post"),
    path("saml2/metadata/", sso_views.SamlMetadata.as_view(), name="saml2_metadata"),
    path("konto/tvafaktor/", include("sikta.accounts.urls")),
    path("konto/insats/", account_views.choose_insats, name="choose_insats"),
    # Django's language switch (django.conf.urls.i18n), answering only GET, HEAD and POST.
    path("i18n/setlang/", require_form_methods(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
