"""Fictional demo data: staff with logins, and participants spread over länsdelar and tracks.

Everything is generated from a seed, so the same seed and reference date give the same data.
The names are common Swedish names put together at random; no real person from the source
documents is used. Phone numbers are from the series PTS reserves for fiction (070-17406xx).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from devidp import oidc_provider as test_provider
from sikta.access.roles import RoleCode
from sikta.accounts.models import IdentityProvider, User
from sikta.core.personnummer import luhn_digit
from sikta.organisation.models import (
    ControllerRule,
    DeclineReason,
    IncomeSource,
    Insats,
    Kommun,
    MemberParty,
    ReferrerOrganisation,
    Role,
    StaffMember,
    Track,
)
from sikta.participants.models import Enrolment, Participant
from sikta.referrals.models import Referral, ReferralEvent

DEMO_PASSWORD = "sikta-demo"  # demo accounts can only log in while DEBUG is on

FEMALE_NAMES = [
    "Alva",
    "Astrid",
    "Ebba",
    "Elin",
    "Ella",
    "Elsa",
    "Emma",
    "Freja",
    "Hanna",
    "Ida",
    "Ines",
    "Julia",
    "Klara",
    "Lova",
    "Maja",
    "Matilda",
    "Moa",
    "Nora",
    "Saga",
    "Selma",
    "Signe",
    "Stina",
    "Tilda",
    "Tove",
    "Vera",
    "Wilma",
    "Agnes",
    "Linnea",
    "Karin",
    "Sofia",
]
MALE_NAMES = [
    "Adam",
    "Albin",
    "Alvin",
    "Anton",
    "Arvid",
    "Axel",
    "Casper",
    "Elias",
    "Emil",
    "Erik",
    "Filip",
    "Gustav",
    "Hugo",
    "Isak",
    "Jonas",
    "Leo",
    "Linus",
    "Ludvig",
    "Melvin",
    "Nils",
    "Noah",
    "Olle",
    "Oskar",
    "Rasmus",
    "Sixten",
    "Theo",
    "Vidar",
    "Viggo",
    "Wilhelm",
    "Åke",
]
SURNAMES = [
    "Andersson",
    "Berg",
    "Björk",
    "Dahl",
    "Ek",
    "Eklund",
    "Forsberg",
    "Hedlund",
    "Holm",
    "Isaksson",
    "Johansson",
    "Karlsson",
    "Lind",
    "Lindqvist",
    "Ljung",
    "Lundgren",
    "Mattsson",
    "Nilsson",
    "Norberg",
    "Nyström",
    "Olsson",
    "Persson",
    "Sandberg",
    "Sjöberg",
    "Strand",
    "Sundqvist",
    "Svensson",
    "Wallin",
    "Åberg",
    "Östlund",
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: str
    lansdel: str


def _staff_plan(insats: Insats) -> Iterator[tuple[str, RoleCode, object, int]]:
    """(username, role, länsdel, number) for every demo staff member."""
    if not insats.lansdelar.exists():
        # A small insats without länsdelar: led by the same insatsledare (who then has a role
        # in each insats and switches between them), with a samordnare and two coaches.
        short = insats.slug.split("-")[0]
        yield "insatsledare", RoleCode.INSATSLEDARE, None, 1
        yield f"samordnare.{short}", RoleCode.SAMORDNARE, None, 1
        for n in range(1, 3):
            yield f"coach.{short}.{n}", RoleCode.COACH, None, n
        return
    yield "insatsagare", RoleCode.INSATSAGARE, None, 1
    yield "insatsledare", RoleCode.INSATSLEDARE, None, 1
    yield "styrgrupp", RoleCode.STYRGRUPP, None, 1
    yield "utvarderare", RoleCode.UTVARDERARE, None, 1
    for lansdel in insats.lansdelar.all():
        yield f"samordnare.{lansdel.slug}", RoleCode.SAMORDNARE, lansdel, 1
        for n in range(1, 4):
            yield f"coach.{lansdel.slug}.{n}", RoleCode.COACH, lansdel, n
        for n in range(1, 3):
            yield f"koordinator.{lansdel.slug}.{n}", RoleCode.KOORDINATOR, lansdel, n


def seed_staff(*, rng: random.Random, insats: Insats, with_logins: bool) -> list[DemoAccount]:
    """Create (or keep) the demo staff; with_logins adds demo accounts to log in with."""
    roles = {role.code: role for role in Role.objects.all()}
    accounts = []
    for username, role_code, lansdel, _n in _staff_plan(insats):
        first = rng.choice(FEMALE_NAMES + MALE_NAMES)
        last = rng.choice(SURNAMES)
        # One person with roles in several insatser keeps one name.
        same = StaffMember.objects.filter(email=f"{username}@example.com").order_by("pk").first()
        if same is not None:
            first, last = same.first_name, same.last_name
        staff = StaffMember.objects.filter(user__username=username, insats=insats).first()
        if staff is None:
            staff = StaffMember.objects.filter(
                email=f"{username}@example.com", insats=insats
            ).first()
        if staff is None:
            staff = StaffMember.objects.create(
                insats=insats,
                first_name=first,
                last_name=last,
                role=roles[role_code],
                lansdel=lansdel,
                employer="Region Sörmland" if role_code == RoleCode.SAMORDNARE else "",
                position_percent=100,
                email=f"{username}@example.com",
            )
        if with_logins and staff.user_id is None:
            user, _created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": staff.first_name,
                    "last_name": staff.last_name,
                    "email": staff.email,
                    "is_demo": True,
                },
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            staff.user = user
            staff.save(update_fields=["user"])
        accounts.append(
            DemoAccount(
                username,
                staff.full_name,
                str(roles[role_code].name),
                lansdel.name if lansdel is not None else "",
            )
        )
    if with_logins:
        admin, created = User.objects.get_or_create(
            username="admin",
            defaults={"is_staff": True, "is_superuser": True, "is_demo": True},
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        accounts.append(DemoAccount("admin", "Administratör", "Django admin", ""))
    return accounts


def seed_forbund_role(*, with_logins: bool) -> DemoAccount | None:
    """The insatsledare's role of the förbund (a staff record with no insats): the whole
    förbund's reports side by side, beside their roles in each insats."""
    lead = StaffMember.objects.filter(user__username="insatsledare").order_by("pk").first()
    if lead is None or not with_logins:
        return None
    role = Role.objects.get(code=RoleCode.INSATSLEDARE)
    StaffMember.objects.get_or_create(
        user=lead.user,
        insats=None,
        defaults={
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "role": role,
            "email": lead.email,
            "employer": "Samordningsförbundet (demo)",
            "position_percent": 0,
        },
    )
    return DemoAccount("insatsledare", lead.full_name, str(role.name), "")


def _personnummer(rng: random.Random, birth: dt.date, female: bool, used: set[str]) -> str:
    while True:
        day = birth.day + (60 if rng.random() < 0.03 else 0)  # some samordningsnummer
        serial = rng.randrange(0, 100) * 10 + rng.choice(
            [0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9]
        )
        nine = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
        digits = f"{birth.year:04d}{nine[2:]}{luhn_digit(nine)}"
        if digits not in used:
            used.add(digits)
            return digits


def generate_participants(
    *, rng: random.Random, insats: Insats, count: int, today: dt.date
) -> Iterator[Participant]:
    """Yield `count` unsaved fictional participants."""
    tracks = list(Track.objects.filter(insats=insats))
    kommuner = list(Kommun.objects.filter(insats=insats).select_related("lansdel"))
    weights = [float(sum(s.rar_percent for s in k.financing_shares.all()) or 1) for k in kommuner]
    caseworkers: dict[tuple[int, str], list[StaffMember]] = {}
    for staff in StaffMember.objects.filter(is_active=True, insats=insats).select_related("role"):
        caseworkers.setdefault((staff.lansdel_id, staff.role.code), []).append(staff)
    used = {
        pnr.digits
        for pnr in Participant.objects.filter(insats=insats).values_list("personnummer", flat=True)
    }
    earliest_start = max(insats.start_date, today - dt.timedelta(days=540))
    controllers = {
        (t.pk, k.lansdel_id): ControllerRule.objects.controller_for(insats, t, k.lansdel)
        for t in tracks
        for k in kommuner
    }
    for _ in range(count):
        track = rng.choices(tracks, weights=[t.max_age - t.min_age for t in tracks])[0]
        kommun = rng.choices(kommuner, weights=weights)[0]
        female = rng.random() < 0.5
        age = rng.randint(track.min_age, track.max_age)
        # The latest birthday `age` years back, minus up to a year: exactly `age` years old.
        birthday = today.replace(year=today.year - age, day=min(today.day, 28))
        birth = birthday - dt.timedelta(days=rng.randrange(0, 365))
        start = earliest_start + dt.timedelta(
            days=rng.randrange(0, max(1, (today - earliest_start).days))
        )
        closed = (today - start).days > 200 and rng.random() < 0.5
        staff_pool = caseworkers.get((kommun.lansdel_id, track.caseworker_role), [])
        yield Participant(
            insats=insats,
            controller=controllers[(track.pk, kommun.lansdel_id)],
            personnummer=_personnummer(rng, birth, female, used),
            first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
            last_name=rng.choice(SURNAMES),
            phone=f"070-17406{rng.randrange(5, 100):02d}",
            kommun=kommun,
            track=track,
            assigned_to=rng.choice(staff_pool) if staff_pool else None,
            status=Participant.Status.CLOSED if closed else Participant.Status.ACTIVE,
            start_date=start,
            end_date=start + dt.timedelta(days=rng.randrange(90, 365)) if closed else None,
        )


def seed_participants(
    *,
    rng: random.Random,
    insats: Insats,
    count: int,
    today: dt.date,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Bulk-insert `count` fictional participants, `batch_size` at a time."""
    created = 0
    batch: list[Participant] = []
    for participant in generate_participants(rng=rng, insats=insats, count=count, today=today):
        if participant.end_date and participant.end_date > today:
            participant.end_date = today
        batch.append(participant)
        if len(batch) == batch_size:
            created += _insert(batch, progress)
            batch = []
    if batch:
        created += _insert(batch, progress)
    return created


def _insert(batch: list[Participant], progress: Callable[[int], None] | None) -> int:
    with transaction.atomic():
        Participant.objects.bulk_create(batch, batch_size=1000)
        Enrolment.objects.bulk_create(
            (
                Enrolment(
                    participant=p, track_id=p.track_id, start_date=p.start_date, end_date=p.end_date
                )
                for p in batch
            ),
            batch_size=1000,
        )
    if progress is not None:
        progress(len(batch))
    return len(batch)


SUPPORT_TEXTS = [
    "Har varit hemma länge och vill komma igång med något på dagarna.",
    "Behöver stöd att hitta en väg mot arbete eller studier.",
    "Vill pröva arbetsträning men behöver stöd i kontakten med arbetsgivare.",
    "Behöver hjälp att samordna kontakter med vård, kommun och Försäkringskassan.",
    "Har provat flera insatser som inte fungerat; vill nu ta små steg framåt.",
]


def seed_referrals(*, rng: random.Random, insats: Insats, count: int, today: dt.date) -> int:
    """Fictional referrals in the queues: mostly open, some decided, each with its history."""
    tracks = list(Track.objects.filter(insats=insats).prefetch_related("referrers"))
    kommuner = list(Kommun.objects.filter(insats=insats))
    organisations = list(ReferrerOrganisation.objects.all())
    sources = list(IncomeSource.objects.all())
    reasons = list(DeclineReason.objects.all())
    used = {
        pnr.digits
        for pnr in Participant.objects.filter(insats=insats).values_list("personnummer", flat=True)
    }
    used |= {pnr.digits for pnr in Referral.objects.values_list("personnummer", flat=True)}
    statuses = [Referral.Status.RECEIVED] * 4 + [
        Referral.Status.INVITED,
        Referral.Status.INVITED,
        Referral.Status.ASSESSED,
        Referral.Status.DECLINED,
    ]
    created = 0
    with transaction.atomic():
        for _ in range(count):
            track = rng.choice(tracks)
            allowed = list(track.referrers.all()) or organisations
            female = rng.random() < 0.5
            age = rng.randint(track.min_age, min(track.max_age, track.min_age + 30))
            birth = today.replace(year=today.year - age, day=min(today.day, 28)) - dt.timedelta(
                days=rng.randrange(30, 330)
            )
            received = timezone.make_aware(
                dt.datetime.combine(
                    today - dt.timedelta(days=rng.randrange(0, 40)), dt.time(rng.randrange(8, 17))
                )
            )
            status = rng.choice(statuses)
            referral = Referral.objects.create(
                track=track,
                received_at=received,
                status=status,
                referrer_organisation=rng.choice(allowed),
                referrer_unit="",
                referrer_name=f"{rng.choice(FEMALE_NAMES + MALE_NAMES)} {rng.choice(SURNAMES)}",
                referrer_email="handlaggare@example.com",
                referrer_phone=f"070-17406{rng.randrange(5, 100):02d}",
                personnummer=_personnummer(rng, birth, female, used),
                first_name=rng.choice(FEMALE_NAMES if female else MALE_NAMES),
                last_name=rng.choice(SURNAMES),
                phone=f"070-17406{rng.randrange(5, 100):02d}",
                kommun=rng.choice(kommuner),
                af_status=rng.choice(
                    [Referral.AfStatus.NOT_REGISTERED] * 3 + [Referral.AfStatus.ACTIVE]
                ),
                sick_leave=rng.choice([Referral.SickLeave.NONE, Referral.SickLeave.UNEMPLOYED]),
                support_needed=rng.choice(SUPPORT_TEXTS),
                consent_given=True,
                consent_text=insats.consent_text,
                meeting_at=received + dt.timedelta(days=rng.randrange(3, 14))
                if status == Referral.Status.INVITED
                else None,
                decline_reason=rng.choice(reasons) if status == Referral.Status.DECLINED else None,
                decided_at=received + dt.timedelta(days=10)
                if status == Referral.Status.DECLINED
                else None,
            )
            referral.income_sources.set(rng.sample(sources, k=rng.choice([1, 1, 2])))
            ReferralEvent.objects.create(referral=referral, at=received, to_status="mottagen")
            if status != Referral.Status.RECEIVED:
                ReferralEvent.objects.create(
                    referral=referral,
                    at=received + dt.timedelta(days=1),
                    by_name="Demo",
                    from_status="mottagen",
                    to_status=status,
                    meeting_at=referral.meeting_at,
                )
            created += 1
    return created


JOURNAL_NOTES = [
    "Uppföljande samtal om veckans aktiviteter. Deltagaren berättar att det går bättre.",
    "Telefonsamtal: bokade nytt möte och gick igenom planeringen.",
    "Deltog i gruppträffen om stress och återhämtning.",
    "Besök hos arbetsgivare tillsammans med deltagaren inför arbetsträning.",
    "Samordningsmöte med handläggare på Försäkringskassan.",
]
GOALS = [
    "Komma igång med en regelbunden dygnsrytm",
    "Arbetsträna två dagar i veckan",
    "Undersöka möjligheten att läsa på komvux",
    "Få ordning på ekonomin tillsammans med budget- och skuldrådgivningen",
    "Delta i gruppaktiviteten om psykisk hälsa",
]


def seed_casework(*, rng: random.Random, today: dt.date, limit: int = 300) -> int:
    """Case work for the first `limit` participants without any: goals, journal, exits.

    Fictional text from fixed lists; inserted in bulk. Returns the participants touched.
    """
    from sikta.casework.models import Exit, Goal, JournalEntry
    from sikta.organisation.models import GoalArea, Outcome

    areas = list(GoalArea.objects.all())
    outcomes = list(Outcome.objects.all())
    destinations = [o for o in outcomes if o.destination]
    participants = list(
        Participant.objects.filter(journal__isnull=True, exits__isnull=True)
        .select_related("assigned_to")
        .order_by("pk")[:limit]
    )
    enrolments = {
        e.participant_id: e for e in Enrolment.objects.filter(participant__in=participants)
    }
    goals, entries, exits = [], [], []
    for p in participants:
        author = p.assigned_to.full_name if p.assigned_to else ""
        end = p.end_date or today
        for _ in range(rng.randint(1, 3)):
            goals.append(
                Goal(
                    participant=p,
                    text=rng.choice(GOALS),
                    area=rng.choice(areas),
                    target_date=p.start_date + dt.timedelta(days=rng.randrange(60, 330)),
                    status=Goal.Status.ONGOING if p.end_date is None else Goal.Status.REACHED,
                    author_name=author,
                )
            )
        span = max(1, (end - p.start_date).days)
        for _ in range(rng.randint(2, 6)):
            entries.append(
                JournalEntry(
                    participant=p,
                    date=p.start_date + dt.timedelta(days=rng.randrange(0, span)),
                    kind=rng.choice(JournalEntry.Kind.values),
                    duration_minutes=rng.choice([30, 45, 60, 90]),
                    note=rng.choice(JOURNAL_NOTES),
                    author_name=author,
                )
            )
        if p.end_date is not None:
            outcome = rng.choice(destinations) if rng.random() < 0.7 else rng.choice(outcomes)
            exits.append(
                Exit(
                    participant=p,
                    enrolment=enrolments.get(p.pk),
                    start_date=p.start_date,
                    end_date=p.end_date,
                    outcome=outcome,
                    author_name=author,
                )
            )
    with transaction.atomic():
        Goal.objects.bulk_create(goals)
        JournalEntry.objects.bulk_create(entries)
        Exit.objects.bulk_create(exits)
        _seed_surveys(rng=rng, participants=participants)
        _seed_finsam(rng=rng, participants=participants, today=today)
        _seed_protected(participants=participants)
    return len(participants)


def _seed_protected(*, participants: list[Participant]) -> None:
    """One active participant per länsdel with protected identity (skyddad identitet), so that
    the masking can be seen: the first by number, none if one is already marked."""
    if Participant.objects.filter(protected_identity=True).exists():
        return
    chosen: dict[int, Participant] = {}
    for p in participants:
        if p.status == Participant.Status.ACTIVE and p.assigned_to is not None:
            chosen.setdefault(p.assigned_to.lansdel_id, p)
    Participant.objects.filter(pk__in=[p.pk for p in chosen.values()]).update(
        protected_identity=True, protected_identity_since=timezone.now()
    )


def _seed_finsam(*, rng: random.Random, participants: list[Participant], today: dt.date) -> None:
    """Most consent (a few never did, one in twenty withdrew), most have an education level, and
    most of those who consented are already registered in Uppföljning Finsam."""
    from sikta.finsam.models import Registration
    from sikta.organisation.models import EducationLevel
    from sikta.participants.models import Consent

    levels = list(EducationLevel.objects.exclude(code="okand"))
    consents, marks, educated = [], [], []
    for p in participants:
        if rng.random() < 0.8:
            p.education_level = rng.choice(levels)
            educated.append(p)
        if rng.random() < 0.1:
            continue  # never consented: counted anonymously
        withdrawn = p.start_date + dt.timedelta(days=30) if rng.random() < 0.05 else None
        consents.append(
            Consent(
                participant=p,
                text=p.insats.consent_text,
                given_on=p.start_date,
                withdrawn_on=withdrawn if withdrawn and withdrawn <= today else None,
                finsam=rng.random() < 0.9,
            )
        )
        if withdrawn is None and consents[-1].finsam and rng.random() < 0.7:
            marks.append(
                Registration(
                    participant=p,
                    kind=Registration.Kind.START,
                    period_start=p.start_date,
                    registered_on=min(
                        today, p.start_date + dt.timedelta(days=rng.randrange(1, 14))
                    ),
                    recorded_by_name="Demo",
                )
            )
            if p.end_date is not None and rng.random() < 0.6:
                marks.append(
                    Registration(
                        participant=p,
                        kind=Registration.Kind.END,
                        period_start=p.start_date,
                        registered_on=min(
                            today, p.end_date + dt.timedelta(days=rng.randrange(1, 14))
                        ),
                        recorded_by_name="Demo",
                    )
                )
    Participant.objects.bulk_update(educated, ["education_level"])
    Consent.objects.bulk_create(consents)
    Registration.objects.bulk_create(marks)


def _seed_surveys(*, rng: random.Random, participants: list[Participant]) -> None:
    """Start answers for most, exit answers for most of those who left; a little better at exit."""
    from sikta.surveys.models import Answer, Instrument, Response

    instruments = [
        i for i in Instrument.objects.prefetch_related("items") if i.code in ("sikta", "who5")
    ]
    responses, values = [], []
    for p in participants:
        timepoints = ["start"] if rng.random() < 0.85 else []
        if p.end_date is not None and timepoints and rng.random() < 0.7:
            timepoints.append("exit")
        for instrument in instruments:
            for timepoint in timepoints:
                day = p.end_date if timepoint == "exit" else p.start_date
                responses.append(
                    Response(
                        participant=p,
                        instrument=instrument,
                        timepoint=timepoint,
                        enrolment_start=p.start_date,
                        on_paper=rng.random() < 0.3,
                        completed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
                    )
                )
                lift = 1 if timepoint == "exit" and rng.random() < 0.6 else 0
                for item in instrument.items.all():
                    low, high = item.scale
                    value = min(high, rng.randint(low, (low + high) // 2 + 1) + lift)
                    values.append(
                        (len(responses) - 1, item, value if rng.random() > 0.05 else None)
                    )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(
        Answer(response=responses[i], item=item, value=v) for i, item, v in values
    )


def logins_allowed() -> bool:
    return bool(settings.DEBUG)


# The demo's two local identity providers (devidp), so the login page's e-identity button can
# be tried: `make run` starts them beside Sikta. Their people are in devidp/identities.json.
DEMO_IDENTITIES = Path(settings.BASE_DIR) / "devidp" / "identities.json"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
HSA_ID_ATTRIBUTE = "urn:oid:1.2.752.29.6.2.1"


def seed_identity_providers() -> list[IdentityProvider]:
    """A SAML IdP standing in for SITHS eID through Inera (the Region's staff, by HSA-id) and an
    OpenID Connect provider standing in for a kommun's (its staff, by e-mail); the demo logins
    in devidp/identities.json get their HSA-id."""
    saml_url = os.environ.get("SIKTA_DEMO_SAML_IDP", "http://127.0.0.1:8101").rstrip("/")
    oidc_url = os.environ.get("SIKTA_DEMO_OIDC_IDP", "http://127.0.0.1:8102").rstrip("/")
    region = MemberParty.objects.filter(kind=MemberParty.Kind.REGION).first()
    kommun = MemberParty.objects.filter(kind=MemberParty.Kind.KOMMUN).first()
    saml, _ = IdentityProvider.objects.update_or_create(
        slug="region-test-siths",
        defaults={
            "name": f"{region.name if region else 'Regionen'} – SITHS eID (test-IdP)",
            "party": region,
            "protocol": IdentityProvider.Protocol.SAML,
            "issuer": f"{saml_url}/metadata",
            "entity_id": f"{saml_url}/metadata",
            "identifier": IdentityProvider.Identifier.HSA_ID,
            "claim": HSA_ID_ATTRIBUTE,
            "person_acr": LOA3,
            "ordering": 1,
        },
    )
    oidc, _ = IdentityProvider.objects.update_or_create(
        slug="kommun-test-oidc",
        defaults={
            "name": f"{kommun.name if kommun else 'Kommunen'} – e-legitimation (test-OIDC)",
            "party": kommun,
            "protocol": IdentityProvider.Protocol.OIDC,
            "issuer": f"{oidc_url}/o",
            "client_id": test_provider.CLIENT_ID,
            "client_secret": test_provider.CLIENT_SECRET,
            "identifier": IdentityProvider.Identifier.EMAIL,
            "claim": "email",
            "person_acr": LOA3,
            "ordering": 2,
        },
    )
    people = json.loads(DEMO_IDENTITIES.read_text(encoding="utf-8"))["people"]
    for person in people:
        User.objects.filter(username=person["username"], is_demo=True).update(
            hsa_id=person["hsa_id"]
        )
    return [saml, oidc]
