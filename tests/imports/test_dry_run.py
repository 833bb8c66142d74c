"""The dry run: per row, what will be created or why the row is refused — each reason the
issue names (bad personnummer, unknown kommun, caseworker not found, duplicate by personnummer,
likely duplicate by name and birth date) and the others a list brings."""

from __future__ import annotations

import pytest

from sikta.core.personnummer import luhn_digit
from sikta.imports.selectors import Row, dry_run
from sikta.organisation.models import Lansdel
from sikta.participants.models import Participant
from tests.conftest import Personas
from tests.factories import ParticipantFactory, StaffMemberFactory
from tests.imports.conftest import MakeBatch
from tests.imports.support import EMPLOYER_HEADERS, dashed, person, pnr

pytestmark = pytest.mark.django_db


def only_row(batch, user) -> Row:
    run = dry_run(batch, user)
    assert len(run.rows) == 1
    return run.rows[0]


def reasons(row: Row, key: str) -> str:
    return " | ".join(row.errors.get(key, []))


def test_a_good_row_will_be_created(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([person(1)])
    row = only_row(batch, personas.samordnare_sodra.user)
    assert row.accepted, row.reasons
    values = row.values
    assert str(values["personnummer"]) == dashed(pnr(1))
    assert (values["first_name"], values["last_name"]) == ("Importerad1", "Importsson")
    assert values["kommun"].name == "Trosa"
    assert values["track"].slug == "coachning"
    assert values["caseworker"] == personas.coach_sodra
    assert values["start_date"].isoformat() == "2025-03-01"
    assert values["end_date"] is None


def test_caseworker_by_email_or_by_last_name_first(
    personas: Personas, make_batch: MakeBatch
) -> None:
    personas.coach_sodra.email = "coach.sodra@example.com"
    personas.coach_sodra.save()
    batch = make_batch(
        [
            person(1, caseworker="Coach.Sodra@example.com"),
            person(2, caseworker="Personal, coach_sodra"),
            person(3, caseworker="  COACH_SODRA   personal "),
        ]
    )
    run = dry_run(batch, personas.samordnare_sodra.user)
    assert [row.values.get("caseworker") for row in run.rows] == [personas.coach_sodra] * 3


def test_names_case_insensitively_and_a_kommun_as_written(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch(
        [
            person(1, kommun="trosa kommun", track="COACHNING"),
            person(2, kommun="Nyköpings kommun"),
            person(3, kommun="0488"),  # Trosa's kommunkod
        ]
    )
    run = dry_run(batch, personas.samordnare_sodra.user)
    assert [row.values["kommun"].name for row in run.rows] == ["Trosa", "Nyköping", "Trosa"]
    assert all(row.accepted for row in run.rows), [row.reasons for row in run.rows]


def test_one_name_column(personas: Personas, make_batch: MakeBatch) -> None:
    headers = ["Personnummer", "Namn", "Kommun", "Spår", "Inskriven", "Koordinator"]
    batch = make_batch(
        [
            [
                dashed(pnr(1)),
                "Anna Maria Lind",
                "Trosa",
                "Coachning",
                "2025-03-01",
                "coach_sodra Personal",
            ],
            [
                dashed(pnr(2)),
                "Berg, Per",
                "Trosa",
                "Coachning",
                "2025-03-01",
                "coach_sodra Personal",
            ],
            [dashed(pnr(3)), "Cher", "Trosa", "Coachning", "2025-03-01", "coach_sodra Personal"],
        ],
        headers=headers,
    )
    run = dry_run(batch, personas.samordnare_sodra.user)
    names = [(row.values["first_name"], row.values["last_name"]) for row in run.rows]
    assert names == [("Anna Maria", "Lind"), ("Per", "Berg"), ("", "Cher")]
    assert "Förnamnet saknas" in reasons(run.rows[2], "name")


def test_bad_personnummer(personas: Personas, make_batch: MakeBatch) -> None:
    good = pnr(1)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    batch = make_batch([[dashed(bad), *person(1)[1:]]])
    row = only_row(batch, personas.samordnare_sodra.user)
    assert not row.accepted
    assert "kontrollsiffran" in reasons(row, "personnummer").lower()


def test_missing_personnummer_and_names(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch([["", "", "", "Trosa", "Coachning", "2025-03-01", "coach_sodra Personal"]])
    row = only_row(batch, personas.samordnare_sodra.user)
    assert "Personnumret saknas" in reasons(row, "personnummer")
    assert "Förnamnet saknas" in reasons(row, "name")
    assert "Efternamnet saknas" in reasons(row, "name")


def test_unknown_kommun(personas: Personas, make_batch: MakeBatch) -> None:
    row = only_row(make_batch([person(1, kommun="Stockholm")]), personas.samordnare_sodra.user)
    assert "Kommunen ”Stockholm” hör inte till insatsen" in reasons(row, "kommun")


def test_a_samordnare_imports_into_their_own_lansdel_only(
    personas: Personas, make_batch: MakeBatch
) -> None:
    row = only_row(
        make_batch([person(1, kommun="Eskilstuna", caseworker="koordinator_norra Personal")]),
        personas.samordnare_sodra.user,
    )
    assert not row.accepted
    assert "Eskilstuna hör till Norra länsdelen" in reasons(row, "kommun")


def test_the_insatsledare_imports_into_every_lansdel(
    personas: Personas, make_batch: MakeBatch
) -> None:
    batch = make_batch(
        [
            person(
                1,
                kommun="Eskilstuna",
                track="Koordinering",
                caseworker="koordinator_norra Personal",
            ),
            person(2, kommun="Trosa"),
        ],
        staff=personas.insatsledare,
    )
    run = dry_run(batch, personas.insatsledare.user)
    assert [row.accepted for row in run.rows] == [True, True], [r.reasons for r in run.rows]


def test_unknown_track(personas: Personas, make_batch: MakeBatch) -> None:
    row = only_row(make_batch([person(1, track="Yoga")]), personas.samordnare_sodra.user)
    assert "Spåret ”Yoga” hör inte till insatsen (Koordinering, Coachning)" in reasons(row, "track")


def test_caseworker_not_found(personas: Personas, make_batch: MakeBatch) -> None:
    row = only_row(make_batch([person(1, caseworker="Ingen Alls")]), personas.samordnare_sodra.user)
    assert "Ingen i insatsens personal heter ”Ingen Alls”" in reasons(row, "caseworker")


def test_caseworker_missing_for_an_active_participant(
    personas: Personas, make_batch: MakeBatch
) -> None:
    row = only_row(make_batch([person(1, caseworker="")]), personas.samordnare_sodra.user)
    assert "Coach eller koordinator saknas" in reasons(row, "caseworker")


def test_caseworker_of_the_wrong_role_or_lansdel_or_gone(
    personas: Personas, make_batch: MakeBatch
) -> None:
    sodra = Lansdel.objects.get(slug="sodra")
    StaffMemberFactory(role_code="koordinator", lansdel=sodra, first_name="Kim", last_name="Koord")
    StaffMemberFactory(
        role_code="coach", lansdel=sodra, first_name="Gun", last_name="Gången", is_active=False
    )
    batch = make_batch(
        [
            person(1, caseworker="Kim Koord"),  # a koordinator for coachning
            person(2, caseworker="Gun Gången"),  # no longer active
        ]
    )
    wrong_role, gone = dry_run(batch, personas.samordnare_sodra.user).rows
    assert "Kim Koord är" in reasons(wrong_role, "caseworker")
    assert "men Coachning har en coach" in reasons(wrong_role, "caseworker")
    assert "Gun Gången arbetar inte längre i insatsen" in reasons(gone, "caseworker")
    # The insatsledare imports a Södra person with a Norra coach.
    norra = Lansdel.objects.get(slug="norra")
    StaffMemberFactory(role_code="coach", lansdel=norra, first_name="Nils", last_name="Norr")
    batch = make_batch([person(3, caseworker="Nils Norr")], staff=personas.insatsledare)
    row = only_row(batch, personas.insatsledare.user)
    assert "Nils Norr arbetar i Norra länsdelen, inte där Trosa ligger" in reasons(
        row, "caseworker"
    )


def test_two_caseworkers_with_the_same_name(personas: Personas, make_batch: MakeBatch) -> None:
    sodra = Lansdel.objects.get(slug="sodra")
    for _n in range(2):
        StaffMemberFactory(role_code="coach", lansdel=sodra, first_name="Lisa", last_name="Lika")
    row = only_row(make_batch([person(1, caseworker="Lisa Lika")]), personas.samordnare_sodra.user)
    assert "Flera i personalen heter ”Lisa Lika”: skriv e-postadressen" in reasons(
        row, "caseworker"
    )


def test_duplicate_of_an_existing_participant_names_the_case(
    personas: Personas, make_batch: MakeBatch
) -> None:
    alice = personas.alice_sodra
    batch = make_batch([[str(alice.personnummer), "Alice", "Zackrisson", *person(1)[3:]]])
    run = dry_run(batch, personas.samordnare_sodra.user)
    assert f"Redan deltagare i insatsen: ärende #{alice.pk}" in reasons(run.rows[0], "personnummer")
    assert run.named == [alice]


def test_duplicate_in_a_case_one_does_not_see_names_no_case(
    personas: Personas, make_batch: MakeBatch
) -> None:
    """A samordnare of Norra imports a person who is already a Södra participant."""
    alice = personas.alice_sodra
    batch = make_batch(
        [
            [
                str(alice.personnummer),
                "Alice",
                "Zackrisson",
                "Eskilstuna",
                "Koordinering",
                "2025-03-01",
                "koordinator_norra Personal",
            ]
        ],
        staff=personas.samordnare_norra,
    )
    run = dry_run(batch, personas.samordnare_norra.user)
    text = reasons(run.rows[0], "personnummer")
    assert "Redan deltagare i insatsen (i ett ärende som du inte ser)" in text
    assert f"#{alice.pk}" not in text
    assert run.named == []


def test_a_protected_participant_is_not_named(personas: Personas, make_batch: MakeBatch) -> None:
    """The coach sees the case, but a protected person's number is not tied to the case number
    for anyone but those who may see who it is: here the insatsledare may not."""
    alice = personas.alice_sodra
    Participant.objects.filter(pk=alice.pk).update(protected_identity=True)
    batch = make_batch(
        [[str(alice.personnummer), "Alice", "Zackrisson", *person(1)[3:]]],
        staff=personas.insatsledare,
    )
    text = reasons(only_row(batch, personas.insatsledare.user), "personnummer")
    assert "du inte ser" in text and f"#{alice.pk}" not in text


def test_likely_duplicate_by_name_and_birth_date(personas: Personas, make_batch: MakeBatch) -> None:
    alice = personas.alice_sodra
    digits = alice.personnummer.digits
    # The same birth date, another serial number: another valid personnummer.
    serial = f"{(int(digits[8:11]) + 7) % 1000:03d}"
    nine = digits[2:8] + serial
    other = f"{digits[:8]}-{serial}{luhn_digit(nine)}"
    batch = make_batch([[other, "alice", "ZACKRISSON", *person(1)[3:]]])
    row = only_row(batch, personas.samordnare_sodra.user)
    assert not row.accepted
    assert f"Troligen samma person som ärende #{alice.pk}" in reasons(row, "name")


def test_duplicates_within_the_list(personas: Personas, make_batch: MakeBatch) -> None:
    first = person(1, first="Eva", last="Ek")
    again = person(1, first="Eva", last="Ek")
    digits = pnr(1)
    serial = f"{(int(digits[8:11]) + 2) % 1000:03d}"
    same_birth = f"{digits[:8]}-{serial}{luhn_digit(digits[2:8] + serial)}"
    namesake = [same_birth, "Eva", "Ek", *first[3:]]
    run = dry_run(make_batch([first, again, namesake]), personas.samordnare_sodra.user)
    assert run.rows[0].accepted
    assert "Samma personnummer som rad 2" in reasons(run.rows[1], "personnummer")
    assert "Troligen samma person som rad 2" in reasons(run.rows[2], "name")


@pytest.mark.parametrize(
    ("start", "end", "outcome", "key", "says"),
    [
        ("", None, None, "start_date", "Startdatumet saknas"),
        ("den första mars", None, None, "start_date", "är inget datum"),
        ("2020-01-01", None, None, "start_date", "före insatsens start"),
        ("2099-01-01", None, None, "start_date", "mer än 30 dagar framåt"),
        ("2025-03-01", "2025-02-01", "Arbete", "end_date", "Slutdatumet är före startdatumet"),
        ("2025-03-01", "2099-02-01", "Arbete", "end_date", "får inte ligga i framtiden"),
        ("2025-03-01", "2025-09-01", None, "outcome", "behöver också ett utfall"),
        ("2025-03-01", "2025-09-01", "Semester", "outcome", "Utfallet ”Semester” finns inte"),
        ("2025-03-01", None, "Arbete", "end_date", "Ett utfall behöver också ett slutdatum"),
    ],
)
def test_dates_and_outcomes(
    personas: Personas,
    make_batch: MakeBatch,
    start: str,
    end: str | None,
    outcome: str | None,
    key: str,
    says: str,
) -> None:
    row = only_row(
        make_batch([person(1, start=start, end=end, outcome=outcome)]),
        personas.samordnare_sodra.user,
    )
    assert says in reasons(row, key), row.reasons


def test_someone_who_has_left(personas: Personas, make_batch: MakeBatch) -> None:
    batch = make_batch(
        [
            person(1, end="2025-09-30", outcome="studier"),
            person(2, end="2025-09-30", outcome="Vård eller behandling", caseworker=""),
        ]
    )
    run = dry_run(batch, personas.samordnare_sodra.user)
    assert all(row.accepted for row in run.rows), [row.reasons for row in run.rows]
    assert [row.values["outcome"].code for row in run.rows] == ["studier", "vard"]
    assert run.rows[1].values.get("caseworker") is None


def test_phone_and_email(personas: Personas, make_batch: MakeBatch) -> None:
    headers = [
        "Personnummer",
        "Förnamn",
        "Efternamn",
        "Kommun",
        "Spår",
        "Startdatum",
        "Coach",
        "Telefon",
        "E-post",
    ]
    base = person(1)[:7]
    batch = make_batch(
        [
            [*base, "070-174 06 50", "ok@example.com"],
            [*person(2)[:7], "12", "inte-en-adress"],
        ],
        headers=headers,
    )
    good, bad = dry_run(batch, personas.samordnare_sodra.user).rows
    assert good.accepted and good.values["phone"] == "+46701740650"
    assert reasons(bad, "phone")
    assert "”inte-en-adress” är ingen e-postadress" in reasons(bad, "email")


def test_a_single_track_insats_needs_no_track_column(steg: dict, make_batch: MakeBatch) -> None:
    headers = ["Personnummer", "Förnamn", "Efternamn", "Kommun", "Startdatum", "Coach"]
    batch = make_batch(
        [[dashed(pnr(1)), "Stina", "Steg", "Flen", "2025-03-01", "coach_steg Personal"]],
        staff=steg["samordnare"],
        headers=headers,
    )
    row = only_row(batch, steg["samordnare"].user)
    assert row.accepted, row.reasons
    assert row.values["track"] == steg["track"]


def test_another_insats_is_not_seen(personas: Personas, steg: dict, make_batch: MakeBatch) -> None:
    """A Steg för steg samordnare: Trosa is not one of their kommuner, Sikta's coach not theirs,
    and a Sikta participant is not a duplicate in Steg för steg (one participation each)."""
    alice = personas.alice_sodra
    batch = make_batch(
        [
            person(1, kommun="Trosa", track="Steg"),
            [
                str(alice.personnummer),
                "Alice",
                "Zackrisson",
                "Flen",
                "Steg",
                "2025-03-01",
                "coach_sodra Personal",
            ],
            [
                str(alice.personnummer),
                "Alice",
                "Zackrisson",
                "Flen",
                "Steg",
                "2025-03-01",
                "coach_steg Personal",
            ],
        ],
        staff=steg["samordnare"],
    )
    trosa, sikta_coach, fine = dry_run(batch, steg["samordnare"].user).rows
    assert "Kommunen ”Trosa” hör inte till insatsen" in reasons(trosa, "kommun")
    assert "Ingen i insatsens personal heter" in reasons(sikta_coach, "caseworker")
    assert fine.accepted is False  # the same personnummer as the row above
    assert "Samma personnummer som rad 3" in reasons(fine, "personnummer")
    assert ParticipantFactory._meta.model.objects.filter(insats=steg["insats"]).count() == 0


# --- employers ---------------------------------------------------------------------------


def test_employers(personas: Personas, make_batch: MakeBatch) -> None:
    from sikta.worktraining.models import Employer

    Employer.objects.create(name="Kafé Kanel", organisation_number="556036-0793", sector="privat")
    batch = make_batch(
        [
            [
                "Verkstan AB",
                "5560741844",
                "Privat",
                "Storgatan 1",
                "Ola Olsson",
                "",
                "ola@example.com",
                "",
            ],
            ["Kafé Kanel", "556036-0793", "privat", "", "", "", "", ""],
            ["Ny förening", "802481-1658", "Förening", "", "", "", "", ""],
            ["Fel", "123", "okänd", "", "", "", "nej", ""],
            ["Verkstan igen", "556074-1844", "offentlig", "", "", "", "", ""],
        ],
        kind="arbetsgivare",
        headers=EMPLOYER_HEADERS,
    )
    run = dry_run(batch, personas.samordnare_sodra.user)
    good, existing, club, wrong, again = run.rows
    assert good.accepted, good.reasons
    assert good.values["organisation_number"] == "556074-1844"
    assert good.values["sector"] == "privat"
    assert "Finns redan i arbetsgivarregistret: Kafé Kanel" in reasons(
        existing, "organisation_number"
    )
    assert club.accepted and club.values["sector"] == "ideell"
    assert "inget giltigt organisationsnummer" in reasons(wrong, "organisation_number")
    assert "”okänd” är ingen sektor" in reasons(wrong, "sector")
    assert "Kontaktpersonens namn saknas" in reasons(wrong, "contact_name")
    assert "Samma organisationsnummer som rad 2" in reasons(again, "organisation_number")
