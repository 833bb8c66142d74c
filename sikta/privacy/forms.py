from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.core.fields import PersonnummerFormField


class ExtractForm(forms.Form):
    personnummer = PersonnummerFormField(
        label=_("Personal identity number"),
        help_text=_("12 digits, e.g. 19900101-1234; a co-ordination number works too."),
    )
