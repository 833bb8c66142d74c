"""Booking, moving, cancelling and the outcome: what the participant is told, and when."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sikta.audit.models import AuditEvent
from sikta.audit.services import Actor
from sikta.bookings import services
from sikta.bookings.models import Booking, Message
from tests.bookings.conftest import book, choose
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_a_booking_tells_the_participant_and_reminds_the_day_before(personas: Personas) -> None:
    choose(personas.alice_sodra, sms=True, email=True)
    booking = book(personas, days=3)
    messages = {(m.purpose, m.channel): m for m in booking.messages.all()}
    assert set(messages) == {
        ("bokad", "sms"),
        ("bokad", "epost"),
        ("dagen-fore", "sms"),
        ("dagen-fore", "epost"),
    }
    reminder = messages[("dagen-fore", "sms")]
    local = timezone.localtime(reminder.send_after)
    assert local.date() == timezone.localtime(booking.starts_at).date() - dt.timedelta(days=1)
    assert local.hour == 10
    assert messages[("bokad", "sms")].recipient == "+46701234567"
    assert AuditEvent.objects.filter(
        participant=personas.alice_sodra, detail__what="booking.create"
    ).exists()


def test_no_choice_no_message(personas: Personas) -> None:
    booking = book(personas)
    assert not booking.messages.exists()


def test_a_meeting_booked_for_tomorrow_morning_gets_no_separate_reminder(
    personas: Personas,
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas, days=0.2)
    assert [m.purpose for m in booking.messages.all()] == ["bokad"]


def test_the_texts_carry_no_name_no_track_and_the_insats_only_if_agreed(
    personas: Personas,
) -> None:
    alice = personas.alice_sodra
    choose(alice)
    booking = book(personas)
    for message in booking.messages.all():
        assert alice.first_name not in message.body and alice.last_name not in message.body
        assert alice.track.name not in message.body
        assert alice.insats.name not in message.body
        assert "Storgatan 1, Trosa" in message.body
        assert personas.coach_sodra.full_name in message.body
    choose(alice, name_insats=True)
    later = book(personas, days=5)
    assert all(m.body.endswith(f"/{alice.insats.name}") for m in later.messages.all())


def test_a_protected_persons_messages_name_nobody(personas: Personas) -> None:
    alice = personas.alice_sodra
    alice.protected_identity = True
    alice.save(update_fields=["protected_identity"])
    choose(alice, email=True)
    booking = book(personas)
    for message in booking.messages.all():
        for text in (message.body, message.subject):
            assert alice.first_name not in text and alice.last_name not in text


def test_moving_withdraws_the_old_reminder_and_tells_the_new_time(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas, days=3)
    new_time = booking.starts_at + dt.timedelta(days=2)
    data = {f: getattr(booking, f) for f in services.BOOKING_FIELDS} | {"starts_at": new_time}
    moved = services.booking_move(
        booking=booking, data=data, actor=Actor(user=personas.coach_sodra.user)
    )
    assert moved.sequence == 1
    statuses = {(m.purpose, m.status) for m in moved.messages.all()}
    assert statuses == {
        ("bokad", "aterkallat"),  # not sent yet: the move's message says all of it
        ("dagen-fore", "aterkallat"),
        ("flyttad", "vantar"),
        ("dagen-fore", "vantar"),
    }
    reminder = moved.messages.get(purpose="dagen-fore", status="vantar")
    assert timezone.localtime(reminder.send_after).date() == (
        timezone.localtime(new_time).date() - dt.timedelta(days=1)
    )


def test_changing_only_the_length_sends_nothing_new(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    services.deliver_due()  # the confirmation goes (console backend)
    data = {f: getattr(booking, f) for f in services.BOOKING_FIELDS} | {"duration_minutes": 90}
    services.booking_move(booking=booking, data=data, actor=Actor(user=None))
    assert not booking.messages.filter(purpose="flyttad").exists()
    assert booking.messages.filter(purpose="dagen-fore", status="vantar").count() == 1


def test_cancelling_tells_the_participant_and_withdraws_the_reminder(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    services.booking_cancel(booking=booking, reason="Sjuk", actor=Actor(user=None))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED and booking.sequence == 1
    assert booking.messages.filter(purpose="installd", status="vantar").count() == 1
    assert not booking.messages.filter(purpose="dagen-fore", status="vantar").exists()
    with pytest.raises(services.BookingError):
        services.booking_cancel(booking=booking, reason="", actor=Actor(user=None))


def test_a_no_show_gets_a_kind_message_and_is_counted(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    with pytest.raises(services.BookingError):  # not before it has happened
        services.booking_outcome(booking=booking, status="uteblev", actor=Actor(user=None))
    Booking.objects.filter(pk=booking.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    services.booking_outcome(booking=booking, status="uteblev", actor=Actor(user=None))
    missed = booking.messages.get(purpose="uteblev")
    assert "missed you" in missed.body or "saknade" in missed.body
    assert personas.alice_sodra.bookings.filter(status="uteblev").count() == 1


def test_writing_the_same_message_twice_adds_nothing(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    before = Message.objects.count()
    services._notify_booking(booking, Message.Purpose.BOOKED)  # a retried request, say
    assert Message.objects.count() == before
