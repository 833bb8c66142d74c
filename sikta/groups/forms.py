from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.casework.forms import DATE_ERRORS, DATE_WIDGET
from sikta.core.dates import held_or_booked
from sikta.core.forms import ModelMultipleChoiceField
from sikta.groups.models import Group, Session
from sikta.organisation.models import Insats, Lansdel, StaffMember
from sikta.participants.identity import display_name
from sikta.participants.models import Participant


class GroupForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name", "description", "lansdel", "leaders"]
        field_classes = {"leaders": ModelMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "leaders": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "name": {"required": _("Give the group a name.")},
            "leaders": {"required": _("Choose at least one leader.")},
        }

    def __init__(self, *args: Any, insats: Insats | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Leaders and areas of the insats the group belongs to.
        self.fields["leaders"].queryset = StaffMember.objects.filter(
            is_active=True, insats=insats
        ).select_related("role")
        self.fields["lansdel"].queryset = Lansdel.objects.filter(insats=insats)
        self.fields["lansdel"].empty_label = _("The whole county")


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["date", "duration_minutes", "topic"]
        widgets = {"date": DATE_WIDGET}
        error_messages = {"date": {"required": _("Give the date."), **DATE_ERRORS}}

    def clean_date(self) -> Any:
        """A session held since the programme began, or planned at most a year ahead."""
        day = self.cleaned_data["date"]
        held_or_booked(day)
        return day


class MembersForm(forms.Form):
    participants = ModelMultipleChoiceField(
        label=_("Add participants"),
        queryset=Participant.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick the participants to add.")},
    )

    def __init__(
        self,
        *args: Any,
        candidates: Any,
        shown: list[Participant] | None = None,
        more: bool = False,
        search: str = "",
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        """Any of `candidates` may be sent; the boxes to tick are those of `shown` (all of
        `candidates` without it), `more` telling that there are others, found by a search."""
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        field.queryset = candidates
        # Each name as the policy lets this user see it (a protected identity masked).
        field.label_from_instance = lambda p: display_name(user, p)
        self.more = more
        self.search = search
        self.shown = shown
        if shown is not None:
            field.widget.choices = [(p.pk, display_name(user, p)) for p in shown]
            field.help_text = self._help()

    def _help(self) -> str:
        """What is offered when not all are: the first found, or the latest enrolled."""
        if not self.more:
            return ""
        if self.search:
            text = _("The first %(n)s found are shown: search more narrowly to find others.")
        else:
            text = _("The %(n)s most recently enrolled are shown: search to find the others.")
        return text % {"n": len(self.shown or ())}


class AttendanceForm(forms.Form):
    """One checkbox per member: present or not."""

    def __init__(
        self,
        *args: Any,
        members: list[Participant],
        present: set[int],
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"p{member.pk}"] = forms.BooleanField(
                label=display_name(user, member), required=False, initial=member.pk in present
            )

    def present_ids(self) -> set[int]:
        return {m.pk for m in self.members if self.cleaned_data[f"p{m.pk}"]}

    def rows(self) -> list[forms.BoundField]:
        return [self[f"p{m.pk}"] for m in self.members]
