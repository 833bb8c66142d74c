"""The template file ("Ladda ner en mall"): an Excel workbook with the expected columns, made
on the fly with openpyxl, and a sheet of the values the columns take in the user's insats."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from sikta.access.policy import import_kommun_scope, staff_of
from sikta.access.roles import CASEWORKER_ROLES
from sikta.imports.columns import PARTICIPANTS, TEMPLATE_HEADERS, columns_of
from sikta.organisation.models import Kommun, Outcome, StaffMember, Track
from sikta.worktraining.models import Employer

TEXT = "@"
DATE = "yyyy-mm-dd"
ROWS = 500  # rows formatted in advance (personnummer as text, so Excel keeps every digit)


def template_workbook(kind: str, user: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = _("Participants") if kind == PARTICIPANTS else _("Employers")
    headers = TEMPLATE_HEADERS[kind]
    columns = columns_of(kind)
    keys = [c.key for c in columns if c.key in headers]
    sheet.append([headers[key] for key in keys])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, key in enumerate(keys, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(headers[key]) + 4)
        number_format = DATE if key in ("start_date", "end_date") else TEXT
        for row in range(2, ROWS + 2):
            sheet.cell(row=row, column=index).number_format = number_format

    guide = book.create_sheet(_("How to fill it in"))
    guide.append([_("Column"), _("What to write"), _("Required")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in columns:
        if column.key not in headers:
            continue
        guide.append(
            [
                headers[column.key],
                str(column.help or column.label),
                _("yes") if column.required else "",
            ]
        )
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 70

    values = book.create_sheet(_("Values"))
    for index, (title, items) in enumerate(_values(kind, user), start=1):
        values.cell(row=1, column=index, value=title).font = Font(bold=True)
        values.column_dimensions[get_column_letter(index)].width = 30
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=index, value=item)

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _values(kind: str, user: Any) -> list[tuple[str, list[str]]]:
    """What the columns with organisation data take, in the user's insats and area."""
    if kind != PARTICIPANTS:
        return [("Sektor", [str(label).lower() for label in Employer.Sector.labels])]
    staff = staff_of(user)
    if staff is None or staff.insats_id is None:
        return []
    insats_id = staff.insats_id
    kommuner = Kommun.objects.filter(import_kommun_scope(user))
    caseworkers = StaffMember.objects.filter(
        insats_id=insats_id, is_active=True, role__code__in=CASEWORKER_ROLES
    )
    if staff.lansdel_id is not None:
        caseworkers = caseworkers.filter(lansdel_id=staff.lansdel_id)
    return [
        ("Kommun", [k.name for k in kommuner.order_by("name")]),
        ("Spår", [t.short_name for t in Track.objects.filter(insats_id=insats_id)]),
        ("Utfall", [o.name for o in Outcome.objects.all()]),
        (
            "Coach/koordinator",
            [s.full_name for s in caseworkers.order_by("last_name", "first_name")],
        ),
    ]
