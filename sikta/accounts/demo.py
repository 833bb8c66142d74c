"""Fictional demo data: staff with logins, and participants spread over länsdelar and tracks.

The caseworkers grow with the participants, as in real life: once the demo coaches and
koordinatorer of a länsdel carry their caseload capacity (the insats's default, 15 enrolled
participants each), more caseworkers without logins are added (`handlaggare.<länsdel>.<n>`),
so a large database is measured at a realistic caseload per caseworker.

Everything is generated from a seed, so the same seed and reference date give the same data.
The names are common Swedish names put together at random; no real person from the source
documents is used. Phone numbers are from the series PTS reserves for fiction (070-17406xx).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
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


# The caseworkers added as the participants grow: no login, an e-mail that marks them.
EXTRA_STAFF_PREFIX = "handlaggare."


def extra_staff(insats: Insats) -> QuerySet[StaffMember]:
    """The caseworkers seed_participants added to `insats` beyond the demo staff."""
    return StaffMember.objects.filter(
        insats=insats, user__isnull=True, email__startswith=EXTRA_STAFF_PREFIX
    )


class Staffing:
    """The caseworkers of `insats` by (länsdel, role) pool, with their enrolled participants.

    pick() spreads the participants at random over the caseworkers of a pool that are below
    their caseload capacity (their own, else the insats's default). With `hire` (a random
    generator for the names), a pool whose caseworkers are all full gets a new one, without a
    login; flush() saves those. Without it, the fixed staff carry everyone, at random.
    """

    def __init__(self, *, insats: Insats, hire: random.Random | None) -> None:
        self.insats = insats
        self.hire = hire
        self.default = insats.default_caseload_capacity
        self.roles = {role.code: role for role in Role.objects.all()}
        self.pools: dict[tuple[int | None, str], list[StaffMember]] = {}
        for staff in StaffMember.objects.filter(is_active=True, insats=insats).select_related(
            "role"
        ):
            self.pools.setdefault((staff.lansdel_id, staff.role.code), []).append(staff)
        enrolled = Counter(
            Participant.objects.filter(
                insats=insats, status__in=Participant.ENROLLED, assigned_to__isnull=False
            ).values_list("assigned_to_id", flat=True)
        )
        # By id(): the new caseworkers have no pk until flush().
        self.load = {id(s): enrolled[s.pk] for pool in self.pools.values() for s in pool}
        self.open = {
            key: [s for s in pool if self.load[id(s)] < self.capacity(s)]
            for key, pool in self.pools.items()
        }
        self.places = {lansdel.pk: lansdel.slug for lansdel in insats.lansdelar.all()}
        self.numbers: Counter[str] = Counter()
        for email in extra_staff(insats).values_list("email", flat=True):
            place, _, number = (
                email.removeprefix(EXTRA_STAFF_PREFIX).partition("@")[0].rpartition(".")
            )
            if number.isdigit():
                self.numbers[place] = max(self.numbers[place], int(number))
        self.new: list[StaffMember] = []

    def capacity(self, staff: StaffMember) -> int:
        return staff.capacity or self.default

    def pick(
        self, rng: random.Random, lansdel_id: int | None, role: str, *, enrolled: bool
    ) -> StaffMember | None:
        """A caseworker for a participant of `role`'s track in the länsdel (None: the pool has
        no staff at all)."""
        key = (lansdel_id, role)
        pool = self.pools.get(key)
        if not pool:
            return None
        if self.hire is None:
            return rng.choice(pool)
        candidates = self.open[key]
        if not candidates:
            candidates.append(self._hire(key))
        staff = rng.choice(candidates)
        if enrolled:
            self.load[id(staff)] += 1
            if self.load[id(staff)] >= self.capacity(staff):
                candidates.remove(staff)
        return staff

    def _hire(self, key: tuple[int | None, str]) -> StaffMember:
        assert self.hire is not None
        lansdel_id, role = key
        place = self.places.get(lansdel_id) or self.insats.slug.split("-")[0]
        self.numbers[place] += 1
        staff = StaffMember(
            insats=self.insats,
            first_name=self.hire.choice(FEMALE_NAMES + MALE_NAMES),
            last_name=self.hire.choice(SURNAMES),
            role=self.roles[role],
            lansdel_id=lansdel_id,
            position_percent=100,
            email=f"{EXTRA_STAFF_PREFIX}{place}.{self.numbers[place]}@example.com",
        )
        self.pools[key].append(staff)
        self.load[id(staff)] = 0
        self.new.append(staff)
        return staff

    def flush(self) -> int:
        """Save the caseworkers added since the last flush; returns how many."""
        count = len(self.new)
        if self.new:
            StaffMember.objects.bulk_create(self.new, batch_size=1000)
            self.new = []
        return count


def generate_participants(
    *,
    rng: random.Random,
    insats: Insats,
    count: int,
    today: dt.date,
    staffing: Staffing | None = None,
    assign_to: StaffMember | None = None,
) -> Iterator[Participant]:
    """Yield `count` unsaved fictional participants, assigned by `staffing` (default: spread at
    random over the fixed staff). With `assign_to`, all are enrolled, in that caseworker's
    länsdel and in a track of its role, and assigned to it."""
    tracks = list(Track.objects.filter(insats=insats))
    kommuner = list(Kommun.objects.filter(insats=insats).select_related("lansdel"))
    if assign_to is not None:
        tracks = [t for t in tracks if t.caseworker_role == assign_to.role.code]
        kommuner = [k for k in kommuner if k.lansdel_id == assign_to.lansdel_id]
        if not tracks or not kommuner:
            raise ValueError(f"{assign_to} carries no track of {insats} in its länsdel")
    weights = [float(sum(s.rar_percent for s in k.financing_shares.all()) or 1) for k in kommuner]
    if staffing is None:
        staffing = Staffing(insats=insats, hire=None)
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
        closed = assign_to is None and (today - start).days > 200 and rng.random() < 0.5
        # In this order: the same seed gives the same participants as before staff grew.
        personnummer = _personnummer(rng, birth, female, used)
        first_name = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        last_name = rng.choice(SURNAMES)
        phone = f"070-17406{rng.randrange(5, 100):02d}"
        if assign_to is not None:
            staff: StaffMember | None = assign_to
        else:
            staff = staffing.pick(
                rng, kommun.lansdel_id, track.caseworker_role, enrolled=not closed
            )
        yield Participant(
            insats=insats,
            controller=controllers[(track.pk, kommun.lansdel_id)],
            personnummer=personnummer,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            kommun=kommun,
            track=track,
            assigned_to=staff,
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
    hire: random.Random | None = None,
    assign_to: StaffMember | None = None,
) -> int:
    """Bulk-insert `count` fictional participants, `batch_size` at a time.

    With `hire` (a random generator for their names), caseworkers without logins are added as
    the pools fill up, so that each carries about its caseload capacity (see Staffing).
    """
    staffing = Staffing(insats=insats, hire=hire)
    created = 0
    batch: list[Participant] = []
    participants = generate_participants(
        rng=rng, insats=insats, count=count, today=today, staffing=staffing, assign_to=assign_to
    )
    for participant in participants:
        if participant.end_date and participant.end_date > today:
            participant.end_date = today
        batch.append(participant)
        if len(batch) == batch_size:
            created += _insert(batch, staffing, progress)
            batch = []
    if batch:
        created += _insert(batch, staffing, progress)
    return created


def _insert(
    batch: list[Participant], staffing: Staffing, progress: Callable[[int], None] | None
) -> int:
    with transaction.atomic():
        staffing.flush()  # the caseworkers added for this batch, before it refers to them
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


@dataclass(frozen=True)
class WorstCase:
    staff: StaffMember
    before: int  # enrolled participants it had
    moved: int  # taken over from the added caseworkers of its pool
    added: int  # new participants
    casework: int  # of its participants given case work


def seed_worst_case(
    *, rng: random.Random, insats: Insats, username: str, count: int, today: dt.date
) -> WorstCase:
    """Give the demo caseworker `username` `count` enrolled participants (a worst case for the
    per-caseworker pages), in its länsdel and track role: first taken over from the caseworkers
    without logins of its pool, a few from each so they stay near their capacity (not from
    another demo account, nor any with bookings), then new ones for the rest. Their case work
    is seeded too. Does nothing if it already has `count`."""
    staff = (
        StaffMember.objects.filter(insats=insats, email=f"{username}@example.com")
        .select_related("role", "lansdel")
        .first()
    )
    if staff is None or staff.role.code not in (RoleCode.COACH, RoleCode.KOORDINATOR):
        raise ValueError(f"{username} is no demo coach or koordinator of {insats}")
    mine = Participant.objects.filter(assigned_to=staff, status__in=Participant.ENROLLED)
    before = mine.count()
    wanted = max(0, count - before)
    by_staff: dict[int, list[int]] = {}
    for pk, staff_pk in (
        Participant.objects.filter(
            insats=insats,
            status__in=Participant.ENROLLED,
            kommun__lansdel=staff.lansdel,
            track__caseworker_role=staff.role.code,
            assigned_to__in=extra_staff(insats).filter(role=staff.role, lansdel=staff.lansdel),
            bookings__isnull=True,
        )
        .order_by("-pk")
        .values_list("pk", "assigned_to_id")
    ):
        by_staff.setdefault(staff_pk, []).append(pk)
    taken: list[int] = []
    # One from each in turn, the most loaded first: all stay within one of each other.
    queues = sorted(by_staff.values(), key=len, reverse=True)
    while len(taken) < wanted and queues:
        for queue in queues:
            if len(taken) == wanted:
                break
            taken.append(queue.pop())
        queues = [queue for queue in queues if queue]
    with transaction.atomic():
        Participant.objects.filter(pk__in=taken).update(assigned_to=staff)
        added = 0
        if wanted > len(taken):
            added = seed_participants(
                rng=rng, insats=insats, count=wanted - len(taken), today=today, assign_to=staff
            )
        casework = seed_casework(rng=rng, today=today, limit=count, participants=mine)
    return WorstCase(staff, before, len(taken), added, casework)


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


def seed_casework(
    *,
    rng: random.Random,
    today: dt.date,
    limit: int = 300,
    participants: QuerySet[Participant] | None = None,
) -> int:
    """Case work for the first `limit` participants without any (of `participants`, default
    all): goals, journal, exits.

    Fictional text from fixed lists; inserted in bulk. Returns the participants touched.
    """
    from sikta.casework.models import Exit, Goal, JournalEntry
    from sikta.organisation.models import GoalArea, Outcome

    areas = list(GoalArea.objects.all())
    outcomes = list(Outcome.objects.all())
    destinations = [o for o in outcomes if o.destination]
    if participants is None:
        participants = Participant.objects.all()
    chosen = list(
        participants.filter(journal__isnull=True, exits__isnull=True)
        .select_related("assigned_to")
        .order_by("pk")[:limit]
    )
    enrolments = {e.participant_id: e for e in Enrolment.objects.filter(participant__in=chosen)}
    goals, entries, exits = [], [], []
    for p in chosen:
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
        _seed_surveys(rng=rng, participants=chosen)
        _seed_finsam(rng=rng, participants=chosen, today=today)
        _seed_protected(participants=chosen)
    return len(chosen)


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
