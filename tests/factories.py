"""factory_boy factories. The organisation itself comes from the real data file (conftest)."""

from __future__ import annotations

import datetime as dt

import factory

from sikta.accounts.models import User
from sikta.core.personnummer import luhn_digit
from sikta.organisation.models import Kommun, Role, StaffMember, Track
from sikta.participants.models import Participant


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


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    personnummer = factory.Sequence(fictional_personnummer)
    first_name = factory.Sequence(lambda n: f"Deltagare{n}")
    last_name = "Testsson"
    kommun = factory.LazyFunction(lambda: Kommun.objects.get(name="Nyköping"))
    track = factory.LazyFunction(lambda: Track.objects.get(slug="coachning"))
    start_date = dt.date(2025, 3, 1)
