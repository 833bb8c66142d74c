from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sikta.imports.columns import EMPLOYERS, PARTICIPANTS, columns_of
from sikta.imports.models import ImportBatch
from sikta.imports.parsing import column_letter, megabytes_limit, read_upload


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the list holds"),
        choices=[
            (PARTICIPANTS, _("Participants (one row a person)")),
            (EMPLOYERS, _("Employers offering work training (one row an employer)")),
        ],
        initial=PARTICIPANTS,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the list holds."),
            "invalid_choice": _("Choose what the list holds."),
        },
    )
    file = forms.FileField(
        label=_("The file"),
        error_messages={
            "required": _("Choose the file to import."),
            "empty": _("The file is empty."),
            "invalid": _("Choose the file to import."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Excel (.xlsx) or CSV (.csv), at most %(mb)s MB. The first row holds the column "
            "names; the first sheet is read."
        ) % {"mb": megabytes_limit()}
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self) -> Any:
        return read_upload(self.cleaned_data["file"])


NONE = ""


class MappingForm(forms.Form):
    """Which column of the file holds each field: a select per field, guessed at first."""

    def __init__(self, *args: Any, batch: ImportBatch, single_track: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.batch = batch
        self.single_track = single_track
        # The fields the import needs a column for (a name: first and last, or the whole).
        self.needed: set[str] = set()
        choices = [(NONE, _("— not in the file —"))] + [
            (str(i), f"{column_letter(i)}: {header}") for i, header in enumerate(batch.headers)
        ]
        for column in columns_of(batch.kind):
            required = column.required and not (column.key == "track" and single_track)
            index = batch.mapping.get(column.key)
            self.fields[column.key] = forms.ChoiceField(
                label=str(column.label),
                choices=choices,
                required=False,
                initial=NONE if index is None else str(index),
                help_text=str(column.help),
                error_messages={"invalid_choice": _("Choose one of the file's columns.")},
            )
            if required:
                self.needed.add(column.key)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = self.batch.kind
        for column in columns_of(kind):
            if (
                column.key in self.needed
                and not data.get(column.key)
                and column.key not in self.errors
            ):
                self.add_error(
                    column.key,
                    _("Choose the column that holds %(field)s.")
                    % {"field": str(column.label).lower()},
                )
        if kind == PARTICIPANTS and not data.get("name"):
            for key in ("first_name", "last_name"):
                if not data.get(key) and key not in self.errors:
                    self.add_error(
                        key,
                        _(
                            "Choose the column with the first name and the one with the last "
                            "name, or a column with the whole name."
                        ),
                    )
        used: dict[str, str] = {}
        for column in columns_of(kind):
            value = data.get(column.key)
            if not value:
                continue
            if value in used:
                self.add_error(
                    column.key,
                    _("Column %(letter)s is already chosen for “%(field)s”.")
                    % {"letter": column_letter(int(value)), "field": used[value]},
                )
            else:
                used[value] = str(column.label)
        return data

    def mapping(self) -> dict[str, int | None]:
        return {
            column.key: int(self.cleaned_data[column.key])
            if self.cleaned_data.get(column.key)
            else None
            for column in columns_of(self.batch.kind)
        }


class ConfirmForm(forms.Form):
    """The rows the user saw accepted in the dry run, as the import button sends them."""

    rows = forms.CharField(widget=forms.HiddenInput, max_length=20_000)

    def clean_rows(self) -> list[int]:
        text = self.cleaned_data["rows"]
        if not re.fullmatch(r"\d{1,7}(,\d{1,7})*", text):
            raise forms.ValidationError(_("Run the dry run again and import from there."))
        return [int(n) for n in text.split(",")]
