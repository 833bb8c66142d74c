"""factory_boy factories. The organisation itself comes from the real data file (conftest)."""

from __future__ import annotations

import datetime as dt

import factory

from sikta.accounts.models import User
from sikta.core.personnummer import luhn_digit
from sikta.organisation.models import (
    ControllerRule,
    IncomeSource,
    Insats,
    Kommun,
    ReferrerOrganisation,
    Role,
    StaffMember,
    Track,
)
from sikta.participants.models import Enrolment, Participant
from sikta.referrals.models import Referral


def fictional_personnummer(n: int, *, year: int = 1995, female: bool = False) -> str:
    """A valid, unique 12-digit personnummer for test number `n`."""
    month, day = 1 + n % 12, 1 + n % 28
    serial = (n // 336) % 100 * 10 + (n % 5) * 2 + (0 if female else 1)
    nine = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    return f"{year}{nine[2:]}{luhn_digit(nine)}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct-horse-battery-1")


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    class Params:
        role_code = "coach"

    user = factory.SubFactory(UserFactory)
    first_name = factory.Sequence(lambda n: f"Testa{n}")
    last_name = "Personal"
    role = factory.LazyAttribute(lambda o: Role.objects.get(code=o.role_code))
    lansdel = None
    # The länsdel's insats; without one, the default insats (the one that started last).
    insats = factory.LazyAttribute(
        lambda o: o.lansdel.insats if o.lansdel else Insats.objects.order_by("-start_date").first()
    )


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant
        skip_postgeneration_save = True

    personnummer = factory.Sequence(fictional_personnummer)
    first_name = factory.Sequence(lambda n: f"Deltagare{n}")
    last_name = "Testsson"
    kommun = factory.LazyFunction(lambda: Kommun.objects.get(name="Nyköping"))
    track = factory.LazyFunction(lambda: Track.objects.get(slug="coachning"))
    insats = factory.LazyAttribute(lambda o: o.track.insats)
    # As enrolment names it: the member party the insats's data file names for the case.
    controller = factory.LazyAttribute(
        lambda o: ControllerRule.objects.controller_for(o.insats, o.track, o.kommun.lansdel)
    )
    start_date = dt.date(2025, 3, 1)

    @factory.post_generation
    def enrolment(self, create: bool, extracted: object, **kwargs: object) -> None:
        """The enrolment the participant's dates are of (as accepting a referral makes it);
        `enrolment=False` for a record from before enrolments were kept."""
        if create and extracted is not False:
            Enrolment.objects.create(
                participant=self,
                track=self.track,
                start_date=self.start_date,
                end_date=max(self.end_date or self.start_date, self.start_date)
                if self.status == Participant.Status.CLOSED
                else None,
            )


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral to coachning from a kommun handläggare; set `income` to codes of sources."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    track = factory.LazyFunction(lambda: Track.objects.get(slug="coachning"))
    referrer_organisation = factory.LazyFunction(
        lambda: ReferrerOrganisation.objects.get(code="kommun")
    )
    referrer_unit = "Socialtjänsten"
    referrer_name = "Hanna Handläggare"
    referrer_email = "handlaggare@example.com"
    referrer_phone = "070-1740610"
    personnummer = factory.Sequence(lambda n: fictional_personnummer(n + 5000, year=1990))
    first_name = factory.Sequence(lambda n: f"Aktualiserad{n}")
    last_name = "Testsson"
    phone = "070-1740611"
    kommun = factory.LazyFunction(lambda: Kommun.objects.get(name="Nyköping"))
    af_status = Referral.AfStatus.NOT_REGISTERED
    sick_leave = Referral.SickLeave.NONE
    support_needed = "Stöd att komma igång med arbetsträning."
    consent_given = True
    consent_text = "Samtycke (test)."

    @factory.post_generation
    def income(self, create: bool, codes: list[str] | None, **kwargs: object) -> None:
        if create:
            self.income_sources.set(
                IncomeSource.objects.filter(code__in=codes or ["ekonomiskt_bistand"])
            )
