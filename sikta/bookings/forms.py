from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.bookings.models import Booking
from sikta.core.dates import PLAN_YEARS, add_years, happened
from sikta.core.phone import PhoneField
from sikta.organisation.models import StaffMember
from sikta.participants.models import Consent

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": "300"}, format="%H:%M")
LENGTHS = [(m, _("%(minutes)s minutes") % {"minutes": m}) for m in (15, 30, 45, 60, 90, 120)]


class BookingForm(forms.Form):
    """A meeting with the participant: when, how long, where, what kind, with whom."""

    date = forms.DateField(
        label=_("Date"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Give the date."),
            "invalid": _("Write the date as 2026-03-01."),
        },
    )
    time = forms.TimeField(
        label=_("Time of day"),
        widget=TIME_WIDGET,
        error_messages={"required": _("Give the time."), "invalid": _("Write the time as 09:30.")},
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Length"), choices=LENGTHS, coerce=int, initial=60
    )
    kind = forms.ChoiceField(
        label=_("Kind of meeting"),
        choices=Booking.Kind.choices,
        initial=Booking.Kind.MEETING,
        error_messages={"required": _("Choose the kind of meeting.")},
    )
    mode = forms.ChoiceField(
        label=_("Where"),
        choices=Booking.Mode.choices,
        initial=Booking.Mode.PLACE,
        widget=forms.RadioSelect,
    )
    place = forms.CharField(
        label=_("Place"),
        help_text=_(
            "The address, as the participant should read it in the reminder, e.g. "
            "Storgatan 1, Eskilstuna."
        ),
        max_length=200,
        required=False,
    )
    staff = forms.ModelChoiceField(
        label=_("With"), queryset=StaffMember.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, staff_choices: list[StaffMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = self.fields["staff"]
        assert isinstance(staff, forms.ModelChoiceField)
        staff.queryset = StaffMember.objects.filter(pk__in=[s.pk for s in staff_choices])
        self.only = staff_choices[0] if len(staff_choices) == 1 else None
        if self.only is not None:  # nothing to choose: the one there is
            self.fields["staff"].widget = forms.HiddenInput()
            self.fields["staff"].required = False
        self.fields["staff"].initial = staff_choices[0].pk if staff_choices else None
        self.fields["staff"].error_messages["required"] = _("Choose whom the meeting is with.")

    @classmethod
    def initial_of(cls, booking: Booking) -> dict[str, Any]:
        local = timezone.localtime(booking.starts_at)
        return {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": booking.duration_minutes,
            "kind": booking.kind,
            "mode": booking.mode,
            "place": booking.place,
            "staff": booking.staff_id,
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("staff") and self.only is not None:
            data["staff"] = self.only
        day, time = data.get("date"), data.get("time")
        if day is not None and time is not None:
            starts_at = timezone.make_aware(dt.datetime.combine(day, time))
            if starts_at < timezone.now():
                self.add_error("date", _("The time has already passed."))
            elif day > add_years(timezone.localdate(), PLAN_YEARS):
                self.add_error("date", _("The date cannot be more than two years ahead."))
            data["starts_at"] = starts_at
        if data.get("mode") == Booking.Mode.PLACE and not data.get("place", "").strip():
            self.add_error("place", _("Write where you meet."))
        if data.get("mode") != Booking.Mode.PLACE:
            data["place"] = data.get("place", "").strip()
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (for the case; the participant is told only that it is cancelled)"),
        max_length=300,
        required=False,
    )


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("How did it go?"),
        choices=[
            (Booking.Status.HELD, _("The meeting was held")),
            (Booking.Status.NO_SHOW, _("Did not come")),
            (Booking.Status.CANCELLED, _("Cancelled on the day")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it went.")},
    )


class ContactChoiceForm(forms.Form):
    """How the participant wants to be reminded, as they said it, with the number or address."""

    by_sms = forms.BooleanField(label=_("By text message"), required=False)
    phone = PhoneField(label=_("Mobile number"), mobile=True, required=False)
    by_email = forms.BooleanField(label=_("By e-mail"), required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        error_messages={"invalid": _("Write the address as name@example.se.")},
    )
    name_insats = forms.BooleanField(
        label=_("The programme's name may be in the messages"),
        help_text=_("Otherwise a reminder says only who the meeting is with, when and where."),
        required=False,
    )
    given_on = forms.DateField(
        label=_("Chosen on"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Give the date."),
            "invalid": _("Write the date as 2026-03-01."),
        },
    )
    how = forms.ChoiceField(
        label=_("How"),
        choices=Consent.How.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the participant said it.")},
    )

    def clean_given_on(self) -> dt.date:
        given_on = self.cleaned_data["given_on"]
        happened(given_on)
        return given_on

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("by_sms") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Text messages need the participant's mobile number."))
        if data.get("by_email") and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("E-mail reminders need the participant's address."))
        return data
