"""The dry run: what each row of an uploaded list will become, or why it is refused.

The same check runs for the page that shows it and again, inside the import's transaction, for
the import itself: what is created is exactly what the dry run showed, or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import orgnr

from sikta.access.policy import Action, import_kommun_scope, may, may_see_identity
from sikta.core.dates import BEFORE_PROGRAMME, ENROL_DAYS_AHEAD, IN_THE_FUTURE
from sikta.core.phone import PhoneError, parse_phone
from sikta.imports.columns import EMPLOYERS, PARTICIPANTS, Column, columns_of
from sikta.imports.models import ImportBatch
from sikta.imports.parsing import CellError, parse_date, parse_personnummer
from sikta.organisation.models import Kommun, Outcome, StaffMember, Track
from sikta.participants.models import Participant
from sikta.worktraining.models import Employer


@dataclass
class Row:
    """One row of the list in the dry run: its cells as mapped, what will be created from it
    (`values`), and why not (`errors`, by field; the row is refused if there is any)."""

    n: int
    cells: dict[str, str]
    shown: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def accepted(self) -> bool:
        return not any(self.errors.values())

    @property
    def reasons(self) -> list[str]:
        return [reason for reasons in self.errors.values() for reason in reasons]

    def refuse(self, key: str, reason: str) -> None:
        self.errors[key].append(reason)


@dataclass
class DryRun:
    kind: str
    columns: list[Column]
    rows: list[Row]
    # Existing participants a refusal names by case number: shown, so audited as read.
    named: list[Participant] = field(default_factory=list)

    @property
    def accepted(self) -> list[Row]:
        return [row for row in self.rows if row.accepted]

    @property
    def refused(self) -> list[Row]:
        return [row for row in self.rows if not row.accepted]

    @property
    def refused_numbers(self) -> list[int]:
        return [row.n for row in self.refused]


def fold(text: str) -> str:
    """Text as names are matched: case-insensitive, single spaces, no commas."""
    return " ".join(text.replace(",", " ").casefold().split())


def dry_run(batch: ImportBatch, user: Any, *, today: dt.date | None = None) -> DryRun:
    if batch.kind == EMPLOYERS:
        return employers_dry_run(batch)
    return participants_dry_run(batch, user, today=today)


def _cells(batch: ImportBatch, row: dict[str, Any]) -> dict[str, str]:
    cells = row["cells"]
    return {
        key: (cells[index] if index is not None and index < len(cells) else "")
        for key, index in batch.mapping.items()
    }


def shown_columns(batch: ImportBatch) -> list[Column]:
    """The columns the dry run shows: those chosen, a name as one column."""
    chosen = {key for key, index in batch.mapping.items() if index is not None}
    columns = [c for c in columns_of(batch.kind) if c.key in chosen or c.required]
    if batch.kind == PARTICIPANTS:
        columns = [c for c in columns if c.key not in ("first_name", "last_name")]
        if not any(c.key == "name" for c in columns):
            name = next(c for c in columns_of(PARTICIPANTS) if c.key == "name")
            columns.insert(1, name)
    return columns


# --- participants -------------------------------------------------------------------------


class _Organisation:
    """The insats's organisation data, looked up by what a list may call it."""

    def __init__(self, batch: ImportBatch, user: Any) -> None:
        insats = batch.insats
        self.insats = insats
        self.kommuner: dict[str, Kommun] = {}
        for kommun in Kommun.objects.filter(insats=insats).select_related("lansdel"):
            self.kommuner[fold(kommun.name)] = kommun
            self.kommuner[kommun.kommunkod] = kommun
        self.allowed_kommuner = set(
            Kommun.objects.filter(import_kommun_scope(user)).values_list("pk", flat=True)
        )
        self.tracks_list = list(Track.objects.filter(insats=insats))
        self.tracks: dict[str, Track] = {}
        for track in self.tracks_list:
            for name in (track.slug, track.name, track.name_en, track.short_name):
                if name:
                    self.tracks[fold(name)] = track
            if track.short_name_en:
                self.tracks[fold(track.short_name_en)] = track
        self.outcomes: dict[str, Outcome] = {}
        for outcome in Outcome.objects.all():
            for name in (outcome.code, outcome.code.replace("_", " "), outcome.name):
                self.outcomes[fold(name)] = outcome
            if outcome.name_en:
                self.outcomes[fold(outcome.name_en)] = outcome
        self.staff_by_email: dict[str, list[StaffMember]] = defaultdict(list)
        self.staff_by_name: dict[str, list[StaffMember]] = defaultdict(list)
        for staff in StaffMember.objects.filter(insats=insats).select_related("role", "lansdel"):
            if staff.email:
                self.staff_by_email[staff.email.casefold()].append(staff)
            self.staff_by_name[fold(f"{staff.first_name} {staff.last_name}")].append(staff)
            self.staff_by_name[fold(f"{staff.last_name} {staff.first_name}")].append(staff)

    def kommun(self, text: str) -> Kommun | None:
        name = fold(text)
        found = self.kommuner.get(name)
        if found is None and name.endswith(" kommun"):
            # "Nyköpings kommun", "Trosa kommun"
            stem = name.removesuffix(" kommun")
            found = self.kommuner.get(stem) or self.kommuner.get(stem.removesuffix("s"))
        return found


def _split_name(text: str) -> tuple[str, str]:
    """First and last name from one cell: "Efternamn, Förnamn" or "Förnamn … Efternamn"."""
    if "," in text:
        last, _comma, first = text.partition(",")
        return " ".join(first.split()), " ".join(last.split())
    words = text.split()
    if len(words) < 2:
        return "", " ".join(words)
    return " ".join(words[:-1]), words[-1]


def participants_dry_run(batch: ImportBatch, user: Any, *, today: dt.date | None = None) -> DryRun:
    today = today or timezone.localdate()
    org = _Organisation(batch, user)
    rows = [Row(n=row["n"], cells=_cells(batch, row)) for row in batch.rows]
    for row in rows:
        _check_participant(row, org, today)
    named = _duplicates(rows, org, user)
    return DryRun(kind=PARTICIPANTS, columns=shown_columns(batch), rows=rows, named=named)


def _check_participant(row: Row, org: _Organisation, today: dt.date) -> None:
    cells, values, shown = row.cells, row.values, row.shown
    shown.update(cells)

    text = cells.get("personnummer", "")
    if not text:
        row.refuse("personnummer", _("The personal identity number is missing."))
    else:
        try:
            values["personnummer"] = parse_personnummer(text, today=today)
            shown["personnummer"] = str(values["personnummer"])
        except CellError as error:
            row.refuse("personnummer", error.message)

    first, last = cells.get("first_name", ""), cells.get("last_name", "")
    if not first and not last and cells.get("name"):
        first, last = _split_name(cells["name"])
    shown["name"] = f"{first} {last}".strip() or cells.get("name", "")
    if not first:
        row.refuse("name", _("The first name is missing."))
    if not last:
        row.refuse("name", _("The last name is missing."))
    if len(first) > 100 or len(last) > 100:
        row.refuse("name", _("A name may have at most 100 characters."))
    values["first_name"], values["last_name"] = first, last

    kommun = None
    text = cells.get("kommun", "")
    if not text:
        row.refuse("kommun", _("The municipality is missing."))
    else:
        kommun = org.kommun(text)
        if kommun is None:
            row.refuse(
                "kommun",
                _("The municipality “%(name)s” is not one of the programme's.") % {"name": text},
            )
        elif kommun.pk not in org.allowed_kommuner:
            row.refuse(
                "kommun",
                _("%(kommun)s belongs to %(lansdel)s: you import into your own county area only.")
                % {
                    "kommun": kommun.name,
                    "lansdel": kommun.lansdel.label if kommun.lansdel else org.insats.name,
                },
            )
            kommun = None
        else:
            values["kommun"] = kommun
            shown["kommun"] = kommun.name

    track = None
    text = cells.get("track", "")
    if not text and len(org.tracks_list) == 1:
        track = org.tracks_list[0]
    elif not text:
        row.refuse("track", _("The track is missing."))
    else:
        track = org.tracks.get(fold(text))
        if track is None:
            row.refuse(
                "track",
                _("The track “%(name)s” is not one of the programme's (%(tracks)s).")
                % {"name": text, "tracks": ", ".join(t.short_name for t in org.tracks_list)},
            )
    if track is not None:
        values["track"] = track
        shown["track"] = track.short_name

    start = _date(row, "start_date", _("The start date is missing."))
    if start is not None:
        if start < org.insats.start_date:
            row.refuse("start_date", BEFORE_PROGRAMME % {"date": org.insats.start_date})
        elif start > today + dt.timedelta(days=ENROL_DAYS_AHEAD):
            row.refuse(
                "start_date",
                _("The start date cannot be more than %(days)s days ahead.")
                % {"days": ENROL_DAYS_AHEAD},
            )
        else:
            values["start_date"] = start

    end = _date(row, "end_date", "")
    outcome_text = cells.get("outcome", "")
    outcome = None
    if outcome_text:
        outcome = org.outcomes.get(fold(outcome_text))
        if outcome is None:
            row.refuse(
                "outcome",
                _("The outcome “%(name)s” is not one of the programme's outcomes.")
                % {"name": outcome_text},
            )
        else:
            shown["outcome"] = outcome.name
    if end is not None:
        if end > today:
            row.refuse("end_date", str(IN_THE_FUTURE))
        elif start is not None and end < start:
            row.refuse("end_date", _("The end date is before the start date."))
        if not outcome_text:
            row.refuse("outcome", _("Someone who has left needs an outcome too."))
    elif outcome_text and not cells.get("end_date"):
        row.refuse("end_date", _("An outcome needs an end date too."))
    values["end_date"], values["outcome"] = end, outcome

    _check_caseworker(row, org, track, kommun, left=end is not None)

    phone = cells.get("phone", "")
    if phone:
        try:
            values["phone"] = parse_phone(phone)
        except PhoneError as error:
            row.refuse("phone", error.message)
    email = cells.get("email", "")
    if email:
        try:
            validate_email(email)
            values["email"] = email
        except ValidationError:
            row.refuse("email", _("“%(value)s” is not an e-mail address.") % {"value": email})


def _date(row: Row, key: str, missing: str) -> dt.date | None:
    text = row.cells.get(key, "")
    if not text:
        if missing:
            row.refuse(key, missing)
        return None
    try:
        value = parse_date(text)
    except CellError as error:
        row.refuse(key, error.message)
        return None
    row.shown[key] = value.isoformat()
    return value


def _check_caseworker(
    row: Row, org: _Organisation, track: Track | None, kommun: Kommun | None, *, left: bool
) -> None:
    text = row.cells.get("caseworker", "")
    if not text:
        if not left:
            row.refuse("caseworker", _("The coach or koordinator is missing."))
        return
    if "@" in text:
        matches = org.staff_by_email.get(text.strip().casefold(), [])
    else:
        matches = org.staff_by_name.get(fold(text), [])
    if not matches:
        row.refuse(
            "caseworker",
            _(
                "No staff member of the programme is called “%(name)s”: write the name as it "
                "is in Sikta, or the e-mail address."
            )
            % {"name": text},
        )
        return
    active = [staff for staff in matches if staff.is_active]
    if not active:
        row.refuse(
            "caseworker",
            _("%(name)s no longer works in the programme.") % {"name": matches[0].full_name},
        )
        return
    if track is None or kommun is None:
        return  # refused for its track or kommun already; nothing more to say here
    fit = [
        staff
        for staff in active
        if staff.role.code == track.caseworker_role and staff.lansdel_id == kommun.lansdel_id
    ]
    if len(fit) > 1:
        row.refuse(
            "caseworker",
            _("Several staff members are called “%(name)s”: write the e-mail address instead.")
            % {"name": text},
        )
    elif not fit:
        staff = active[0]
        if staff.role.code != track.caseworker_role:
            reason = _("%(name)s is %(role)s, but %(track)s is worked by a %(needed)s.") % {
                "name": staff.full_name,
                "role": staff.role.label.lower(),
                "track": track.short_name,
                "needed": track.get_caseworker_role_display().lower(),
            }
        else:
            reason = _("%(name)s works in %(area)s, not where %(kommun)s is.") % {
                "name": staff.full_name,
                "area": staff.lansdel.label if staff.lansdel else org.insats.name,
                "kommun": kommun.name,
            }
        row.refuse("caseworker", reason)
    else:
        row.values["caseworker"] = fit[0]
        row.shown["caseworker"] = fit[0].full_name


def _case(user: Any, participant: Participant) -> str:
    """The case number of an existing participant, if the user may see who it is."""
    if may(user, Action.VIEW_PARTICIPANT, participant) and may_see_identity(user, participant):
        return f"#{participant.pk}"
    return ""


def _duplicates(rows: list[Row], org: _Organisation, user: Any) -> list[Participant]:
    """Refuse the rows of people already in the insats (by personnummer), the likely ones (the
    same name and date of birth with another number), and repeats within the list. Returns the
    existing participants named by case number."""
    numbers = {row.values["personnummer"].digits for row in rows if "personnummer" in row.values}
    existing = {
        p.personnummer.digits: p
        for p in Participant.objects.filter(
            insats=org.insats, personnummer__in=sorted(numbers)
        ).select_related("kommun__lansdel")
    }
    last_names = {row.values["last_name"].casefold() for row in rows if row.values["last_name"]}
    namesakes: dict[tuple[str, str, dt.date], list[Participant]] = defaultdict(list)
    if last_names:
        for p in (
            Participant.objects.annotate(last_folded=Lower("last_name"))
            .filter(Q(insats=org.insats) & Q(last_folded__in=sorted(last_names)))
            .select_related("kommun__lansdel")
        ):
            key = (fold(p.first_name), fold(p.last_name), p.personnummer.birth_date)
            namesakes[key].append(p)
    named: dict[int, Participant] = {}
    seen_numbers: dict[str, int] = {}
    seen_names: dict[tuple[str, str, dt.date], tuple[int, str]] = {}
    for row in rows:
        number = row.values.get("personnummer")
        if number is None:
            continue
        same = existing.get(number.digits)
        if same is not None:
            case = _case(user, same)
            if case:
                named[same.pk] = same
                reason = _("Already a participant of the programme: case %(case)s.") % {
                    "case": case
                }
            else:
                reason = _("Already a participant of the programme (in a case you do not see).")
            row.refuse("personnummer", reason)
            continue
        if number.digits in seen_numbers:
            row.refuse(
                "personnummer",
                _("The same personal identity number as row %(row)s.")
                % {"row": seen_numbers[number.digits]},
            )
            continue
        seen_numbers[number.digits] = row.n
        if not (row.values["first_name"] and row.values["last_name"]):
            continue
        key = (fold(row.values["first_name"]), fold(row.values["last_name"]), number.birth_date)
        likely = [p for p in namesakes.get(key, []) if p.personnummer.digits != number.digits]
        if likely:
            case = _case(user, likely[0])
            if case:
                named[likely[0].pk] = likely[0]
                reason = _(
                    "Probably the same person as case %(case)s: the same name and date of "
                    "birth, another personal identity number. Check the number."
                ) % {"case": case}
            else:
                reason = _(
                    "Probably the same person as a participant you do not see: the same name "
                    "and date of birth, another personal identity number. Check the number."
                )
            row.refuse("name", reason)
        elif key in seen_names and seen_names[key][1] != number.digits:
            row.refuse(
                "name",
                _(
                    "Probably the same person as row %(row)s: the same name and date of birth, "
                    "another personal identity number."
                )
                % {"row": seen_names[key][0]},
            )
        else:
            seen_names.setdefault(key, (row.n, number.digits))
    return list(named.values())


# --- employers ----------------------------------------------------------------------------

SECTORS = {
    Employer.Sector.PRIVATE: (
        "privat",
        "private",
        "privat sektor",
        "näringsliv",
        "företag",
        "ab",
        "aktiebolag",
        "enskild firma",
    ),
    Employer.Sector.PUBLIC: (
        "offentlig",
        "public",
        "offentlig sektor",
        "kommun",
        "kommunal",
        "region",
        "statlig",
        "myndighet",
    ),
    Employer.Sector.NON_PROFIT: (
        "ideell",
        "non profit",
        "non-profit",
        "ideell förening",
        "förening",
        "idéburen",
        "stiftelse",
        "ideell sektor",
    ),
}
_SECTOR_OF = {fold(name): sector for sector, names in SECTORS.items() for name in names}


def employers_dry_run(batch: ImportBatch) -> DryRun:
    rows = [Row(n=row["n"], cells=_cells(batch, row)) for row in batch.rows]
    for row in rows:
        _check_employer(row)
    numbers = {row.values["organisation_number"] for row in rows if row.accepted}
    existing = {
        e.organisation_number: e
        for e in Employer.objects.filter(organisation_number__in=sorted(numbers))
    }
    seen: dict[str, int] = {}
    for row in rows:
        number = row.values.get("organisation_number")
        if number is None:
            continue
        if number in existing:
            row.refuse(
                "organisation_number",
                _("Already in the employer register: %(name)s.") % {"name": existing[number].name},
            )
        elif number in seen:
            row.refuse(
                "organisation_number",
                _("The same organisation number as row %(row)s.") % {"row": seen[number]},
            )
        else:
            seen[number] = row.n
    return DryRun(kind=EMPLOYERS, columns=shown_columns(batch), rows=rows)


def _check_employer(row: Row) -> None:
    cells, values = row.cells, row.values
    row.shown.update(cells)
    name = cells.get("name", "")
    if not name:
        row.refuse("name", _("The employer's name is missing."))
    elif len(name) > 200:
        row.refuse("name", _("The name may have at most 200 characters."))
    values["name"] = name

    number = cells.get("organisation_number", "")
    if not number:
        row.refuse("organisation_number", _("The organisation number is missing."))
    else:
        try:
            values["organisation_number"] = orgnr.format(orgnr.validate(number))
            row.shown["organisation_number"] = values["organisation_number"]
        except StdnumError:
            row.refuse(
                "organisation_number",
                _("“%(value)s” is not a valid organisation number: check the ten digits.")
                % {"value": number},
            )

    sector_text = cells.get("sector", "")
    sector = _SECTOR_OF.get(fold(sector_text)) if sector_text else None
    if not sector_text:
        row.refuse("sector", _("The sector is missing (privat, offentlig or ideell)."))
    elif sector is None:
        row.refuse(
            "sector",
            _("“%(value)s” is not a sector: write privat, offentlig or ideell.")
            % {"value": sector_text},
        )
    else:
        values["sector"] = sector
        row.shown["sector"] = str(Employer.Sector(sector).label)

    for key, limit in (("address", 300), ("contact_name", 200), ("contact_title", 200)):
        if len(cells.get(key, "")) > limit:
            row.refuse(key, _("At most %(limit)s characters.") % {"limit": limit})
        values[key] = cells.get(key, "")
    values["notes"] = cells.get("notes", "")
    phone, email = cells.get("contact_phone", ""), cells.get("contact_email", "")
    if len(phone) > 30:
        row.refuse("contact_phone", _("At most %(limit)s characters.") % {"limit": 30})
    values["contact_phone"] = phone
    if email:
        try:
            validate_email(email)
        except ValidationError:
            row.refuse(
                "contact_email", _("“%(value)s” is not an e-mail address.") % {"value": email}
            )
    values["contact_email"] = email
    if (phone or email or values["contact_title"]) and not values["contact_name"]:
        row.refuse("contact_name", _("The contact person's name is missing."))
