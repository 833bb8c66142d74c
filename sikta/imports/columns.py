"""What each kind of list holds: its columns, the names Swedish lists give them, and the guess
of which column of a file is which (the user changes it in the mapping step)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PARTICIPANTS = "deltagare"
EMPLOYERS = "arbetsgivare"


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    # Header names that mean this column, written as normalise() leaves them.
    synonyms: tuple[str, ...]
    required: bool = False
    help: Promise | str = ""


PARTICIPANT_COLUMNS = (
    Column(
        "personnummer",
        _("Personal identity number"),
        (
            "personnummer",
            "personnr",
            "pnr",
            "person nr",
            "personnummer samordningsnummer",
            "samordningsnummer",
            "personnummer 12 siffror",
        ),
        required=True,
        help=_("10 or 12 digits, e.g. 19900101-1234."),
    ),
    Column("first_name", _("First name"), ("förnamn", "fornamn", "tilltalsnamn")),
    Column("last_name", _("Last name"), ("efternamn",)),
    Column(
        "name",
        _("Name (first and last in one column)"),
        ("namn", "deltagare", "deltagarens namn", "för och efternamn", "fullständigt namn"),
        help=_("Used when the list has no separate first and last name."),
    ),
    Column(
        "kommun",
        _("Municipality"),
        ("kommun", "hemkommun", "bostadskommun", "folkbokföringskommun", "kommunkod"),
        required=True,
    ),
    Column(
        "track",
        _("Track"),
        ("spår", "spar", "insatsform", "inriktning", "insats"),
        required=True,
        help=_("Not needed when the programme has only one track."),
    ),
    Column(
        "start_date",
        _("Start date"),
        (
            "startdatum",
            "start",
            "inskriven",
            "inskrivning",
            "inskrivningsdatum",
            "inskriven datum",
            "påbörjad",
            "datum för inskrivning",
        ),
        required=True,
    ),
    Column(
        "caseworker",
        _("Coach or koordinator"),
        (
            "coach",
            "koordinator",
            "handledare",
            "ansvarig",
            "ansvarig coach",
            "ansvarig koordinator",
            "coach koordinator",
            "kontaktperson",
        ),
        required=True,
        help=_(
            "The name or e-mail address of an active staff member; may be empty for "
            "those who have left."
        ),
    ),
    Column(
        "end_date",
        _("End date (for those who have left)"),
        ("slutdatum", "avslutad", "avslutsdatum", "utskriven", "utskrivningsdatum", "slut"),
    ),
    Column(
        "outcome",
        _("Outcome (for those who have left)"),
        ("utfall", "avslutsorsak", "avslutningsorsak", "orsak", "vidare till", "resultat"),
    ),
    Column("phone", _("Phone"), ("telefon", "telefonnummer", "mobil", "mobilnummer", "tel")),
    Column("email", _("E-mail"), ("e post", "epost", "e postadress", "mejl", "mail", "email")),
)

EMPLOYER_COLUMNS = (
    Column(
        "name",
        _("Employer"),
        ("arbetsgivare", "namn", "företag", "företagsnamn", "arbetsplats", "organisation"),
        required=True,
    ),
    Column(
        "organisation_number",
        _("Organisation number"),
        ("organisationsnummer", "org nr", "orgnr", "organisationsnr", "org nummer"),
        required=True,
        help=_("Ten digits, e.g. 556036-0793."),
    ),
    Column(
        "sector",
        _("Sector"),
        ("sektor", "typ", "arbetsgivartyp", "typ av arbetsgivare"),
        required=True,
        help=_("Privat, offentlig or ideell."),
    ),
    Column("address", _("Street address"), ("adress", "besöksadress", "gatuadress", "postadress")),
    Column("contact_name", _("Contact person"), ("kontaktperson", "kontakt", "handledare")),
    Column("contact_title", _("Contact's role"), ("roll", "befattning", "titel")),
    Column("contact_phone", _("Contact's phone"), ("telefon", "telefonnummer", "mobil", "tel")),
    Column("contact_email", _("Contact's e-mail"), ("e post", "epost", "mejl", "mail", "email")),
    Column("notes", _("Notes"), ("anteckningar", "kommentar", "kommentarer", "övrigt")),
)

COLUMNS = {PARTICIPANTS: PARTICIPANT_COLUMNS, EMPLOYERS: EMPLOYER_COLUMNS}


def columns_of(kind: str) -> tuple[Column, ...]:
    return COLUMNS[kind]


def normalise(header: str) -> str:
    """A header as the synonyms are written: lower case, no punctuation, single spaces."""
    text = re.sub(r"[^\w]+", " ", header.lower().replace("_", " "))
    return " ".join(text.split())


def guess_mapping(kind: str, headers: list[str]) -> dict[str, int | None]:
    """Which column (index) holds each field, guessed from the header row's names; each column
    is used once. A name in one column is not guessed when there are first and last names."""
    names = [normalise(h) for h in headers]
    taken: set[int] = set()
    mapping: dict[str, int | None] = {}
    for column in columns_of(kind):
        found = None
        for synonym in column.synonyms:
            found = next(
                (i for i, name in enumerate(names) if name == synonym and i not in taken), None
            )
            if found is not None:
                break
        mapping[column.key] = found
        if found is not None:
            taken.add(found)
    if kind == PARTICIPANTS and mapping.get("first_name") is not None:
        mapping["name"] = None
    return mapping


# The headers of the template file ("Ladda ner en mall"): the names Swedish lists use, which the
# guess recognises. Not translated: they are what the file says, in any language of the page.
TEMPLATE_HEADERS = {
    PARTICIPANTS: {
        "personnummer": "Personnummer",
        "first_name": "Förnamn",
        "last_name": "Efternamn",
        "kommun": "Kommun",
        "track": "Spår",
        "start_date": "Startdatum",
        "caseworker": "Coach/koordinator",
        "end_date": "Slutdatum",
        "outcome": "Utfall",
        "phone": "Telefon",
        "email": "E-post",
    },
    EMPLOYERS: {
        "name": "Arbetsgivare",
        "organisation_number": "Organisationsnummer",
        "sector": "Sektor",
        "address": "Adress",
        "contact_name": "Kontaktperson",
        "contact_title": "Roll",
        "contact_phone": "Telefon",
        "contact_email": "E-post",
        "notes": "Anteckningar",
    },
}
