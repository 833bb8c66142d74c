"""The referral form (public and for the samordnare) and the forms that move a referral on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.core.dates import ENROL_DAYS_AHEAD, date_window, today
from sikta.core.fields import PersonnummerFormField
from sikta.core.forms import LongText, ModelMultipleChoiceField
from sikta.organisation.models import (
    DeclineReason,
    IncomeSource,
    Kommun,
    ReferrerOrganisation,
    Track,
)
from sikta.participants.forms import AssignForm
from sikta.referrals.eligibility import FORM_FIELDS, Facts, evaluate
from sikta.referrals.models import Referral

OUTSIDE_COUNTY = "utanfor"


class ReferrerStepForm(forms.Form):
    """Coachning asks who refers before anything else: only some organisations may."""

    fran = forms.ModelChoiceField(
        label=_("Where do you work?"),
        queryset=ReferrerOrganisation.objects.all(),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose where you work.")},
    )


class ReferralForm(forms.Form):
    """What a track needs to know about a referral.

    Who refers is asked differently per track: coachning needs a handläggare's full contact
    details; to koordinering anyone may refer, and a way to reach them is enough. The criteria
    the form can check itself (age, kommun, who refers) are checked before it is sent.
    """

    organisation = forms.ModelChoiceField(
        label=_("Referred from"),
        queryset=ReferrerOrganisation.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose who is referring.")},
    )
    referrer_unit = forms.CharField(
        label=_("Organisation and unit"),
        max_length=200,
        required=False,
        help_text=_("For example: Socialtjänsten, Nyköpings kommun."),
    )
    referrer_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={"required": _("Write your name.")},
    )
    referrer_email = forms.EmailField(
        label=_("Your e-mail"),
        required=False,
        help_text=_("The decision is sent here. It says nothing about the person's health."),
    )
    referrer_phone = forms.CharField(label=_("Your phone"), max_length=30, required=False)

    personnummer = PersonnummerFormField(
        label=_("Personal identity number"),
        help_text=_("12 or 10 digits, e.g. 19990101-2383. A co-ordination number also works."),
        error_messages={"required": _("Write the person's personal identity number.")},
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, error_messages={"required": _("Write a first name.")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, error_messages={"required": _("Write a last name.")}
    )
    phone = forms.CharField(
        label=_("The person's phone"),
        max_length=30,
        required=False,
        help_text=_("The coordinator calls to book a first meeting."),
    )
    email = forms.EmailField(label=_("The person's e-mail"), required=False)
    kommun = forms.ChoiceField(
        label=_("Municipality where the person is registered"),
        error_messages={"required": _("Choose the municipality where the person is registered.")},
    )
    income_sources = ModelMultipleChoiceField(
        label=_("What does the person live on now?"),
        queryset=IncomeSource.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick all that apply."),
        error_messages={"required": _("Tick at least one income source.")},
    )
    af_status = forms.ChoiceField(
        label=_("Is the person registered at Arbetsförmedlingen?"),
        choices=Referral.AfStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether the person is registered.")},
    )
    sick_leave = forms.ChoiceField(
        label=_("Is the person on sick leave?"),
        choices=Referral.SickLeave.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer whether the person is on sick leave.")},
    )
    support_needed = LongText(
        label=_("What support does the person need?"),
        rows=6,
        max_length=5000,
        help_text=_(
            "In a few sentences: the situation, what has been tried, and what the person wants. "
            "Write only what is needed."
        ),
        error_messages={"required": _("Describe briefly what support the person needs.")},
    )
    consent = forms.BooleanField(
        label=_("The person has consented"),
        error_messages={"required": _("Without the person's consent the referral cannot be sent.")},
    )
    # A field people never see; programs that fill in every field fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, track: Track, public: bool = True, today: dt.date | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.track = track
        self.public = public
        self.today = today or timezone.localdate()
        self.kommuner = {
            str(k.pk): k for k in Kommun.objects.filter(insats=track.insats).order_by("name")
        }
        self.fields["kommun"].choices = [
            ("", _("Choose a municipality")),
            *((pk, k.name) for pk, k in self.kommuner.items()),
            (OUTSIDE_COUNTY, _("Another municipality, outside the county")),
        ]
        self.fields["consent"].help_text = track.insats.consent_text
        allowed = track.referrers.all()
        if public and allowed.exists():
            # The step before let only allowed organisations through; the choice stays theirs.
            self.fields["organisation"].queryset = allowed
        if self.needs_handlaggare:
            for name in ("referrer_unit", "referrer_email", "referrer_phone"):
                self.fields[name].required = True
            self.fields["referrer_unit"].error_messages["required"] = _(
                "Write your organisation and unit."
            )
            self.fields["referrer_email"].error_messages["required"] = _("Write your e-mail.")
            self.fields["referrer_phone"].error_messages["required"] = _("Write your phone number.")
            self.fields["referrer_name"].label = _("Your name (handläggare)")
        else:
            self.fields["referrer_unit"].label = _("Your relation to the person, or your unit")
            self.fields["referrer_unit"].help_text = _(
                "For example: mother, nurse at the health centre, KAA in Flen."
            )
        if not public:
            self.fields["consent"].label = _("The person has consented (asked on the phone)")
            del self.fields["website"]

    @property
    def needs_handlaggare(self) -> bool:
        return self.track.referrers.exists()

    def clean_kommun(self) -> Kommun | None:
        value = self.cleaned_data["kommun"]
        if value == OUTSIDE_COUNTY:
            return None  # the residence criterion explains why that will not do
        try:
            return self.kommuner[value]
        except KeyError:
            raise forms.ValidationError(_("Choose a municipality from the list.")) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        referrer_contacts = (data.get("referrer_email"), data.get("referrer_phone"))
        if not self.needs_handlaggare and not any(referrer_contacts):
            self.add_error(
                "referrer_phone",
                _("Give a phone number or an e-mail address, so the coordinator can reach you."),
            )
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("Give the person's phone number or e-mail address."))
        self.evaluation = evaluate(self.track, self.facts(), kinds=FORM_FIELDS)
        for field, reasons in self.evaluation.failures_by_field().items():
            for reason in reasons:
                if field not in self.errors:
                    self.add_error(field, reason)
        if "kommun" in data and data["kommun"] is None and "kommun" not in self.errors:
            # Outside the county, and the track has no residence criterion to say why.
            self.add_error("kommun", _("Choose a municipality from the list."))
        return data

    def facts(self) -> Facts:
        data = getattr(self, "cleaned_data", {})
        personnummer = data.get("personnummer")
        outside = self.data.get(self.add_prefix("kommun")) == OUTSIDE_COUNTY
        return Facts(
            referral_date=self.today,
            birth_date=personnummer.birth_date if personnummer else None,
            kommun=data.get("kommun"),
            lives_in_programme_area=False if outside else None,
            referrer=data.get("organisation"),
        )

    def referral_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["referrer_organisation"] = data.pop("organisation")
        return data


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            # The field has usually made it local (and naive) already.
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class InviteForm(forms.Form):
    meeting_at = forms.DateTimeField(
        label=_("Meeting date and time"),
        widget=DateTimeInput,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": _("Give the date and time of the meeting."),
            "invalid": _("Write the date and time as 2026-03-01 13:30."),
        },
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, current: dt.datetime | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current  # the meeting the person is already invited to, if any

    def clean_meeting_at(self) -> dt.datetime:
        """A meeting within a year of today: a year such as 0001 or 9999 is a typing mistake
        (and year 1, moved into UTC for the database, was a server error). A meeting set or
        moved is ahead; the one already booked may be kept though its time has passed."""
        meeting = self.cleaned_data["meeting_at"]
        if abs((meeting.date() - timezone.localdate()).days) > 366:
            raise forms.ValidationError(_("Give a meeting date within a year from today."))
        if meeting != self.current:
            date_window(
                meeting,
                earliest=timezone.now(),
                too_early=_("The meeting time has already passed: choose a time ahead."),
            )
        return meeting


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DeclineForm(forms.Form):
    decline_reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=DeclineReason.objects.all(),
        empty_label=_("Choose a reason"),
        help_text=_("The referrer is told this reason by e-mail."),
        error_messages={"required": _("Choose the reason the referrer will be told.")},
    )
    note = forms.CharField(
        label=_("Note (stays in Sikta)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class AcceptForm(AssignForm):
    start_date = forms.DateField(
        label=_("Enrolment date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the enrolment date."),
            "invalid": _("Write the date as 2026-03-01."),
        },
    )
    consent_confirmed = forms.BooleanField(
        label=_("The person has confirmed their consent to me"),
        error_messages={"required": _("Confirm the person's consent before enrolling them.")},
    )
    finsam_consent = forms.BooleanField(
        label=_("The person also consents to being registered in Uppföljning Finsam"),
        help_text=_(
            "The national follow-up service of the coordination associations. Without this "
            "consent the person is only counted there anonymously, by gender and start year."
        ),
        required=False,
    )
    protected_identity = forms.BooleanField(
        label=_("The person has protected identity (skyddade personuppgifter)"),
        help_text=_(
            "Then only the responsible coach or care coordinator and the samordnare see the "
            "person's name, personal identity number and contact details."
        ),
        required=False,
    )

    def __init__(self, *args: Any, referral: Referral | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["caseworker"].label = _("Responsible coach or care coordinator")
        self.fields["start_date"].initial = timezone.localdate()

    def clean_start_date(self) -> dt.date:
        """Not before the referral came in, and at most 30 days ahead."""
        start = self.cleaned_data["start_date"]
        received = timezone.localdate(self.referral.received_at) if self.referral else None
        date_window(
            start,
            earliest=received,
            latest=today() + dt.timedelta(days=ENROL_DAYS_AHEAD),
            too_early=_(
                "The enrolment date cannot be before the referral was received (%(date)s)."
            ),
            too_late=_("The enrolment date cannot be more than 30 days ahead."),
        )
        return start
