from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.caseload.services import Move
from sikta.participants.models import Participant
from sikta.participants.selectors import Caseworker, chosen_staff

SAME = "samma"  # to the one chosen for all
KEEP = "behall"  # not moved


class HandOverForm(forms.Form):
    """Whom the caseload goes to: one receiver for all, changed or left out per participant,
    and why."""

    to = forms.ChoiceField(
        label=_("Who takes over"),
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("Why"),
        help_text=_(
            "Kept in each participant's assignment history, e.g. 'Kim Berg has left; "
            "her participants go to Ali Nord'."
        ),
        max_length=300,
        widget=forms.TextInput,
        error_messages={"required": _("Say why the participants are handed over.")},
    )

    def __init__(
        self,
        *args: Any,
        participants: list[Participant],
        receivers: list[Caseworker],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.receivers = {str(c.staff.pk): c.staff for c in receivers}
        names = [(pk, staff.full_name) for pk, staff in self.receivers.items()]
        to = self.fields["to"]
        assert isinstance(to, forms.ChoiceField)
        to.choices = names
        for participant in participants:
            self.fields[self.row(participant)] = forms.ChoiceField(
                label=_("New contact person"),
                choices=[(SAME, _("The one chosen above")), (KEEP, _("Do not move")), *names],
                initial=SAME,
                required=False,
            )

    @staticmethod
    def row(participant: Participant) -> str:
        return f"p{participant.pk}"

    @staticmethod
    def chosen(data: Any) -> set[int]:
        """The receivers named in the form sent (for all, or on a row): still offered when
        they are no longer among the least loaded. Anything but a staff number is left out
        (the form's own check refuses it)."""
        rows = [k for k in data if k.startswith("p") and k[1:].isdigit()]
        return chosen_staff(data, "to", *rows)

    def rows(self) -> list[tuple[Participant, forms.BoundField]]:
        return [(p, self[self.row(p)]) for p in self.participants]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        to = self.receivers.get(data.get("to") or "")
        moves = []
        for participant in self.participants:
            choice = data.get(self.row(participant)) or SAME
            if choice == KEEP:
                continue
            if choice == SAME:
                if to is None:
                    self.add_error(
                        "to", _("Choose who takes over, or a new contact person on each row.")
                    )
                    return data
                moves.append(Move(participant, to))
            else:
                moves.append(Move(participant, self.receivers[choice]))
        if not moves and not self.errors:
            self.add_error(None, _("Nobody is moved: choose at least one participant to move."))
        data["moves"] = moves
        return data
