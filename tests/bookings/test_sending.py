"""The outbox delivered through a real 46elks-speaking provider on 127.0.0.1 (devsms) and a
real SMTP server (aiosmtpd): sent once, failures visible and retried, never lost or doubled."""

from __future__ import annotations

import datetime as dt
import email
import socket
from collections.abc import Iterator
from email.message import Message as MimeMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from devsms.server import Running
from sikta.audit.services import Actor
from sikta.bookings import services
from sikta.bookings.models import Booking, Message
from sikta.participants.models import Participant
from tests.bookings.conftest import book, choose
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[MimeMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port, so it needs a real one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_TIMEOUT = 5
        yield inbox
    finally:
        controller.stop()


def test_a_booking_is_confirmed_by_text_message_once(
    personas: Personas, sms_provider: Running
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    assert services.deliver_due()["sent"] == 1
    assert services.deliver_due()["sent"] == 0  # a second round (or sender) sends nothing
    call_command("send_messages", "--once")
    [sent] = sms_provider.messages
    assert sent["to"] == "+46701234567" and sent["from"] == "Kontakt"
    assert "Storgatan 1, Trosa" in sent["message"]
    message = booking.messages.get(purpose="bokad")
    assert message.status == Message.Status.SENT and message.provider_id == sent["id"]


def test_the_day_before_reminder_goes_the_day_before(
    personas: Personas, sms_provider: Running
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas, days=3)
    services.deliver_due()
    reminder = booking.messages.get(purpose="dagen-fore")
    assert services.deliver_due(now=reminder.send_after - dt.timedelta(minutes=1))["sent"] == 0
    assert services.deliver_due(now=reminder.send_after)["sent"] == 1
    assert len(sms_provider.messages) == 2


def test_a_number_the_provider_refuses_fails_visibly_and_can_be_sent_again(
    personas: Personas, sms_provider: Running
) -> None:
    alice = personas.alice_sodra
    choose(alice)
    Participant.objects.filter(pk=alice.pk).update(phone="0701234567")  # not E.164: refused
    alice.refresh_from_db()
    booking = book(personas)
    assert services.deliver_due()["failed"] == 1
    message = booking.messages.get(purpose="bokad")
    assert message.status == Message.Status.FAILED and "Invalid to number" in message.last_error
    assert not sms_provider.messages
    # The caseworker corrects the number and sends it again.
    Participant.objects.filter(pk=alice.pk).update(phone="+46701234567")
    services.message_retry(message=message, actor=Actor(user=None))
    assert services.deliver_due()["sent"] == 1
    assert sms_provider.messages[0]["to"] == "+46701234567"


def test_a_provider_that_is_down_is_tried_again_later(
    personas: Personas, sms_provider: Running
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    sms_provider.provider.fault = "down"
    assert services.deliver_due()["retry"] == 1
    message = booking.messages.get(purpose="bokad")
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert "503" in message.last_error and message.is_problem
    assert services.deliver_due()["retry"] == 0  # not before its time
    sms_provider.provider.fault = ""
    assert services.deliver_due(now=message.send_after)["sent"] == 1
    assert len(sms_provider.messages) == 1


def test_a_slow_provider_is_a_timeout_not_a_hang(
    personas: Personas, sms_provider: Running, settings
) -> None:
    settings.SMS_TIMEOUT = 0.5
    sms_provider.provider.fault = "slow"
    sms_provider.provider.slow_seconds = 3
    choose(personas.alice_sodra)
    book(personas)
    started = timezone.now()
    assert services.deliver_due()["retry"] == 1
    assert timezone.now() - started < dt.timedelta(seconds=3)


def test_gives_up_after_the_last_attempt(
    personas: Personas, sms_provider: Running, settings
) -> None:
    settings.SIKTA_MESSAGE_ATTEMPTS = 2
    sms_provider.provider.fault = "down"
    choose(personas.alice_sodra)
    booking = book(personas)
    services.deliver_due()
    message = booking.messages.get(purpose="bokad")
    services.deliver_due(now=timezone.now() + dt.timedelta(hours=1))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.attempts == 2


def test_a_sender_that_stopped_mid_way_never_sends_twice(
    personas: Personas, sms_provider: Running
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    message = booking.messages.get(purpose="bokad")
    # Claimed by a sender that then died (before it could mark the message sent).
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    call_command("send_messages", "--once")
    message.refresh_from_db()
    assert message.status == Message.Status.UNCERTAIN and message.is_problem
    assert not sms_provider.messages


def test_a_reminder_for_a_cancelled_meeting_is_not_sent(
    personas: Personas, sms_provider: Running
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    services.deliver_due()
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED)
    reminder = booking.messages.get(purpose="dagen-fore")
    assert services.deliver_due(now=reminder.send_after)["withdrawn"] == 1
    assert len(sms_provider.messages) == 1


def test_the_email_carries_an_invitation_and_the_cancellation_cancels_it(
    personas: Personas, smtp: Inbox
) -> None:
    choose(personas.alice_sodra, sms=False, email=True)
    booking = book(personas)
    services.deliver_due()
    services.booking_cancel(booking=booking, reason="", actor=Actor(user=None))
    services.deliver_due()
    invitation, cancellation = smtp.messages
    assert invitation["To"] == "deltagare@example.se"

    def calendar_of(mail: MimeMessage) -> str:
        [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
        return part.get_payload(decode=True).decode()

    first, second = calendar_of(invitation), calendar_of(cancellation)
    assert "METHOD:REQUEST" in first and "METHOD:CANCEL" in second
    uid = f"UID:{booking.uid}@sikta"
    assert uid in first and uid in second
    assert "SEQUENCE:0" in first and "SEQUENCE:1" in second
    assert personas.alice_sodra.last_name not in first + second


def test_a_mail_server_that_is_down_is_tried_again(personas: Personas, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    choose(personas.alice_sodra, sms=False, email=True)
    booking = book(personas)
    assert services.deliver_due()["retry"] == 1
    message = booking.messages.get(purpose="bokad")
    assert message.status == Message.Status.PENDING and "mail server" in message.last_error
