from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.casework.models import FinalDocument, Goal, JournalEntry
from sikta.core.dates import happened, planned
from sikta.core.forms import ModelMultipleChoiceField
from sikta.organisation.models import GoalArea, IncomeSource, Outcome

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Write the date as 2026-03-01.")}


class MappingForm(forms.Form):
    """One text area per heading of the track's kartläggning template."""

    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, template: list[dict[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.template = template
        for item in template:
            self.fields[f"a_{item['key']}"] = forms.CharField(
                label=item["label"],
                help_text=item.get("help", ""),
                required=False,
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not any(data.get(f"a_{item['key']}", "").strip() for item in self.template):
            raise forms.ValidationError(_("Write something under at least one heading."))
        return data

    def answers(self) -> dict[str, str]:
        return {item["key"]: self.cleaned_data[f"a_{item['key']}"] for item in self.template}

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"a_{item['key']}"] for item in self.template]


class GoalForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Goal
        fields = ["text", "area", "own_words", "target_date", "status"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "own_words": forms.Textarea(attrs={"rows": 2}),
            "target_date": DATE_WIDGET,
        }
        error_messages = {
            "text": {"required": _("Write the goal.")},
            "area": {"required": _("Choose the area of the goal.")},
            "target_date": DATE_ERRORS,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = GoalArea.objects.all()
        self.fields["area"].empty_label = _("Choose an area")

    def clean_target_date(self) -> Any:
        target = self.cleaned_data["target_date"]
        # A goal kept as it was may keep a target date that has since passed.
        if target is not None and target != self.instance.target_date:
            planned(
                target,
                past_message=_("The goal cannot have a date that has already passed."),
                within_programme=True,
                after_programme_message=_(
                    "The goal cannot have a date after the programme ends (%(date)s)."
                ),
            )
        return target


def not_in_the_future(date: Any) -> None:
    if date > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


class FollowUpForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        error_messages=DATE_ERRORS,
        validators=[happened],
    )
    note = forms.CharField(
        label=_("How is it going?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write the follow-up.")},
    )


class JournalForm(forms.ModelForm):
    class Meta:
        model = JournalEntry
        fields = ["date", "kind", "duration_minutes", "note"]
        widgets = {"date": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 4})}
        error_messages = {
            "date": {"required": _("Give the date."), **DATE_ERRORS},
            "kind": {"required": _("Choose the kind of contact.")},
            "note": {"required": _("Write what happened.")},
            "duration_minutes": {"invalid": _("Write the duration in whole minutes.")},
        }

    def clean_date(self) -> Any:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A journal entry is about something that has happened."))
        if date.year < 2000:
            raise forms.ValidationError(_("Check the year."))
        happened(date)
        return date

    def clean_duration_minutes(self) -> Any:
        minutes = self.cleaned_data["duration_minutes"]
        if minutes is not None and not 0 < minutes <= 600:
            raise forms.ValidationError(_("A duration is between 1 and 600 minutes."))
        return minutes


class PauseForm(forms.Form):
    start_date = forms.DateField(
        label=_("Paused from"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        error_messages={"required": _("Give the date."), **DATE_ERRORS},
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: inpatient care, a move, parental leave. Only what is needed."),
        error_messages={"required": _("Write why the time is paused.")},
    )

    def __init__(self, *args: Any, enrolled_on: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enrolled_on = enrolled_on

    def clean_start_date(self) -> Any:
        start = self.cleaned_data["start_date"]
        happened(
            start,
            since=self.enrolled_on,
            since_message=_("The pause cannot begin before the enrolment date (%(date)s)."),
            future_message=_("A pause begins today or earlier: the time is paused now."),
        )
        return start


class ResumeForm(forms.Form):
    end_date = forms.DateField(
        label=_("Resumed on"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        error_messages={"required": _("Give the date."), **DATE_ERRORS},
    )

    def __init__(self, *args: Any, paused_from: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.paused_from = paused_from

    def clean_end_date(self) -> Any:
        end = self.cleaned_data["end_date"]
        if self.paused_from and end < self.paused_from:
            raise forms.ValidationError(_("The time cannot resume before the pause began."))
        happened(end)
        return end


class ExitForm(forms.Form):
    end_date = forms.DateField(
        label=_("End date"),
        widget=DATE_WIDGET,
        initial=timezone.localdate,
        error_messages={"required": _("Give the end date."), **DATE_ERRORS},
    )
    outcome = forms.ModelChoiceField(
        label=_("Outcome"),
        queryset=Outcome.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=_("Where the participant goes on to, or why the time ended otherwise."),
        error_messages={"required": _("Choose the outcome.")},
    )
    occupation_after = forms.CharField(
        label=_("Occupation after"),
        max_length=300,
        required=False,
        help_text=_("For example: work training at a café, studies at komvux."),
    )
    income_after = ModelMultipleChoiceField(
        label=_("Income after"),
        queryset=IncomeSource.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    care_contacts = forms.CharField(
        label=_("Contacts with complementary care providers"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, start_date: Any, paused_from: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_date = start_date
        self.paused_from = paused_from

    def clean_end_date(self) -> Any:
        end = self.cleaned_data["end_date"]
        if self.paused_from is not None and end < self.paused_from:
            # The open pause ends with the exit: it cannot end before it began.
            raise forms.ValidationError(
                _("The end date cannot be before the pause began (%(start)s).")
                % {"start": self.paused_from.isoformat()}
            )
        if end < self.start_date:
            raise forms.ValidationError(
                _("The end date cannot be before the start date (%(start)s).")
                % {"start": self.start_date.isoformat()}
            )
        if end > timezone.localdate():
            raise forms.ValidationError(_("The end date cannot be in the future."))
        return end


class FinalDocumentForm(forms.ModelForm):
    class Meta:
        model = FinalDocument
        fields = ["summary", "achieved", "recommendations"]
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in fields}
        help_texts = {
            "summary": _("What the participant took part in, and how the time went."),
            "achieved": _("The goals of the plan that were reached, and what else changed."),
            "recommendations": _("For the participant and the referring handläggare."),
        }
        error_messages = {
            "summary": {"required": _("Describe the time in the programme.")},
            "achieved": {"required": _("Describe what was reached.")},
            "recommendations": {"required": _("Write the recommendations for the next step.")},
        }


class HandedForm(forms.ModelForm):
    class Meta:
        model = FinalDocument
        fields = ["handed_to_participant_on", "handed_to_referrer_on"]
        widgets = {
            "handed_to_participant_on": DATE_WIDGET,
            "handed_to_referrer_on": DATE_WIDGET,
        }
        error_messages = {
            "handed_to_participant_on": DATE_ERRORS,
            "handed_to_referrer_on": DATE_ERRORS,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        signed = timezone.localdate(self.instance.signed_at) if self.instance.signed_at else None
        for name in ("handed_to_participant_on", "handed_to_referrer_on"):
            if data.get(name) is None or name in self.errors:
                continue
            try:
                happened(
                    data[name],
                    since=signed,
                    since_message=_(
                        "The document cannot be handed on before it was signed (%(date)s)."
                    ),
                )
            except forms.ValidationError as error:
                self.add_error(name, error)
        return data
