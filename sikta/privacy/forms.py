from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.core.fields import PersonnummerFormField
from sikta.organisation.models import MemberParty


class ExtractForm(forms.Form):
    personnummer = PersonnummerFormField(
        label=_("Personal identity number"),
        help_text=_("12 digits, e.g. 19900101-1234; a co-ordination number works too."),
    )
    controller = forms.ModelChoiceField(
        queryset=MemberParty.objects.none(),
        required=False,
        label=_("Controller"),
        empty_label=_("Every controller in the programme"),
        help_text=_(
            "The member party the person asked: the extract holds what it is the controller "
            "(personuppgiftsansvarig) of."
        ),
    )

    def __init__(self, *args: Any, insats: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["controller"]
        field.queryset = MemberParty.objects.filter(  # type: ignore[attr-defined]
            rules__insats=insats
        ).distinct()
