from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.audit.models import AuditAction
from sikta.core.fields import PersonnummerFormField
from sikta.core.forms import LongText
from sikta.organisation.models import MemberParty


class AuditSearchForm(forms.Form):
    user = forms.CharField(label=_("User name"), required=False)
    personnummer = PersonnummerFormField(
        label=_("Participant's personal identity number"), required=False
    )
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AuditAction.choices]
    )
    date_from = forms.DateField(
        label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    protected = forms.BooleanField(
        label=_("Only records about people with protected identity"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date must not be before the start date."))
        return data


class LogReviewDrawForm(forms.Form):
    period_from = forms.DateField(
        label=_("From (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=_("To (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        max_value=500,
        initial=25,
        help_text=_("How many reads to draw at random."),
    )
    note = LongText(label=_("Note"), required=False, max_length=2000, rows=2)
    controller = forms.ModelChoiceField(
        queryset=MemberParty.objects.none(),
        required=False,
        label=_("Controller"),
        empty_label=_("Every controller in the programme"),
        help_text=_(
            "Each member party follows up the reads of the records it is the controller "
            "(personuppgiftsansvarig) of."
        ),
    )

    def __init__(self, *args: Any, insats: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["controller"]
        field.queryset = MemberParty.objects.filter(  # type: ignore[attr-defined]
            rules__insats=insats
        ).distinct()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The end date must not be before the start date."))
        return data


class LogReviewItemForm(forms.Form):
    justified = forms.TypedChoiceField(
        label=_("Was the read justified?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("justified") is False and not data.get("comment", "").strip():
            self.add_error("comment", _("Say why the read was not justified."))
        return data
