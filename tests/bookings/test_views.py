"""The booking pages: the case's bookings, moving and cancelling, the outcome, the week, the
start page's day, the choice of reminders and the private calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sikta.audit.models import AuditAction, AuditEvent
from sikta.bookings.models import Booking, CalendarFeed, ContactChoice, Message
from sikta.bookings.services import feed_digest
from sikta.bookings.views import FEED_DAYS_AHEAD, FEED_DAYS_BACK
from sikta.casework.models import JournalEntry
from tests.bookings.conftest import book, choose
from tests.conftest import Personas
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def bookings_url(personas: Personas) -> str:
    return reverse("case_bookings", kwargs={"pk": personas.alice_sodra.pk})


def form(**overrides: object) -> dict[str, object]:
    day = timezone.localdate() + dt.timedelta(days=7)
    return {
        "date": day.isoformat(),
        "time": "10:30",
        "duration_minutes": "45",
        "kind": "samtal",
        "mode": "plats",
        "place": "Storgatan 1, Trosa",
        **overrides,
    }


def test_a_coach_books_a_meeting_from_the_case_page(personas: Personas) -> None:
    choose(personas.alice_sodra)
    client = personas.client("coach_sodra")
    assert client.get(bookings_url(personas)).status_code == 200
    response = client.post(bookings_url(personas), form())
    assert response.status_code == 302
    booking = Booking.objects.get()
    local = timezone.localtime(booking.starts_at)
    assert (local.hour, local.minute, booking.duration_minutes) == (10, 30, 45)
    assert booking.staff == personas.coach_sodra
    assert booking.messages.filter(purpose="bokad").exists()
    page = client.get(bookings_url(personas)).content.decode()
    assert "Storgatan 1, Trosa" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"place": ""}, "place"),
        ({"date": "2031-01-01"}, "date"),
    ],
)
def test_bad_input_is_explained_at_the_field_and_kept(
    personas: Personas, overrides: dict[str, str], field: str
) -> None:
    client = personas.client("coach_sodra")
    response = client.post(bookings_url(personas), form(**overrides, kind="annat"))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["form"]["kind"].value() == "annat"  # nothing typed is lost
    assert not Booking.objects.exists()


def test_by_phone_needs_no_place(personas: Personas) -> None:
    client = personas.client("coach_sodra")
    assert client.post(bookings_url(personas), form(mode="telefon", place="")).status_code == 302


def test_moving_a_booking_tells_the_participant(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    client = personas.client("coach_sodra")
    url = reverse("booking_edit", kwargs={"pk": personas.alice_sodra.pk, "booking": booking.pk})
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["place"].value() == booking.place
    response = client.post(url, form(time="14:00", staff=personas.coach_sodra.pk))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert timezone.localtime(booking.starts_at).hour == 14
    assert booking.messages.filter(purpose="flyttad", status="vantar").exists()


def test_cancelling_from_the_page(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    client = personas.client("coach_sodra")
    url = reverse("booking_cancel", kwargs={"pk": personas.alice_sodra.pk, "booking": booking.pk})
    assert client.post(url, {"reason": "Deltagaren är sjuk"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == "installd" and booking.cancel_reason == "Deltagaren är sjuk"
    assert client.post(url, {}).status_code == 400  # already cancelled


def _passed(personas: Personas) -> Booking:
    booking = book(personas)
    Booking.objects.filter(pk=booking.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))
    booking.refresh_from_db()
    return booking


def test_a_held_meeting_opens_a_prefilled_journal_entry(personas: Personas) -> None:
    booking = _passed(personas)
    client = personas.client("coach_sodra")
    pk = personas.alice_sodra.pk
    page = client.get(bookings_url(personas)).content.decode()
    assert "How did it go?" in page or "Hur gick det?" in page
    url = reverse("booking_outcome", kwargs={"pk": pk, "booking": booking.pk})
    response = client.post(url, {"status": "genomford"})
    assert response.status_code == 302 and f"?bokning={booking.pk}" in response["Location"]
    journal = client.get(response["Location"].split("#")[0])
    initial = journal.context["form"].initial
    assert initial["kind"] == "mote" and initial["duration_minutes"] == 60
    assert initial["date"] == timezone.localtime(booking.starts_at).date()
    data = {
        "bokning": booking.pk,
        "date": initial["date"].isoformat(),
        "kind": "mote",
        "duration_minutes": "60",
        "note": "Vi gick igenom planen.",
    }
    assert client.post(reverse("case_journal", kwargs={"pk": pk}), data).status_code == 302
    booking.refresh_from_db()
    assert booking.journal_entry == JournalEntry.objects.get(note="Vi gick igenom planen.")


def test_a_no_show_is_counted_on_the_case_page(personas: Personas) -> None:
    choose(personas.alice_sodra)
    booking = _passed(personas)
    client = personas.client("coach_sodra")
    url = reverse("booking_outcome", kwargs={"pk": personas.alice_sodra.pk, "booking": booking.pk})
    assert client.post(url, {"status": "uteblev"}).status_code == 302
    page = client.get(bookings_url(personas))
    assert page.context["no_shows"] == 1
    assert 'id="no-shows"' in page.content.decode()
    assert booking.messages.filter(purpose="uteblev").exists()
    assert client.post(url, {"status": "uteblev"}).status_code == 400  # recorded once


def test_an_outcome_before_the_meeting_is_refused(personas: Personas) -> None:
    booking = book(personas)
    client = personas.client("coach_sodra")
    url = reverse("booking_outcome", kwargs={"pk": personas.alice_sodra.pk, "booking": booking.pk})
    assert client.post(url, {"status": "genomford"}).status_code == 400
    assert client.post(url, {"status": "nonsense"}).status_code == 400


def test_a_failed_message_shows_on_the_booking_and_can_be_sent_again(
    personas: Personas,
) -> None:
    choose(personas.alice_sodra)
    booking = book(personas)
    message = booking.messages.get(purpose="bokad")
    Message.objects.filter(pk=message.pk).update(
        status="misslyckat", last_error="Invalid to number"
    )
    client = personas.client("coach_sodra")
    assert "Invalid to number" in client.get(bookings_url(personas)).content.decode()
    url = reverse("message_retry", kwargs={"pk": personas.alice_sodra.pk, "message": message.pk})
    assert client.post(url).status_code == 302
    message.refresh_from_db()
    assert message.status == "vantar"


def test_the_choice_of_reminders_is_recorded_with_a_normalised_number(
    personas: Personas,
) -> None:
    client = personas.client("coach_sodra")
    url = reverse("case_contact", kwargs={"pk": personas.alice_sodra.pk})
    data = {
        "by_sms": "on",
        "phone": "070-765 43 21",
        "given_on": timezone.localdate().isoformat(),
        "how": "muntligt",
    }
    assert client.post(url, data).status_code == 302
    choice = ContactChoice.objects.get()
    assert choice.by_sms and not choice.by_email
    personas.alice_sodra.refresh_from_db()
    assert personas.alice_sodra.phone == "+46707654321"
    bad = client.post(url, {**data, "phone": "08-123 456 78", "by_email": "on"})
    assert bad.status_code == 400
    assert set(bad.context["form"].errors) == {"phone", "email"}
    assert bad.context["form"]["phone"].value() == "08-123 456 78"


def test_the_week_shows_each_caseworker_their_own_and_the_samordnare_the_lansdel(
    personas: Personas,
) -> None:
    booking = book(personas, days=0.1)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    week = f"?vecka={monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
    for persona, sees in [
        ("coach_sodra", True),
        ("samordnare_sodra", True),
        ("insatsledare", True),
        ("coach_sodra_other", False),
        ("samordnare_norra", False),
        ("koordinator_norra", False),
    ]:
        response = personas.client(persona).get(reverse("calendar") + week)
        assert response.status_code == 200
        shown = [b for day in response.context["days"] for b in day["bookings"]]
        assert (booking in shown) is sees, persona
    assert AuditEvent.objects.filter(
        action="participant.list", participant=personas.alice_sodra, username="coach_sodra"
    ).exists()


def test_the_week_does_not_grow_in_queries_with_the_bookings(personas: Personas) -> None:
    client = personas.client("samordnare_sodra")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("calendar")).status_code == 200
        return len(captured)

    book(personas, days=0.1)
    few = queries()
    for n in range(8):
        other = ParticipantFactory(assigned_to=personas.coach_sodra_other)
        Booking.objects.create(
            participant=other,
            staff=personas.coach_sodra_other,
            kind="samtal",
            starts_at=timezone.now() + dt.timedelta(hours=n + 1),
            place="p",
        )
    assert queries() == few


def test_the_start_page_shows_todays_bookings(personas: Personas, time_machine) -> None:
    time_machine.move_to("2026-11-24 10:00 +01:00")  # midday: a quarter of an hour on is today
    booking = book(personas, days=0.01)
    response = personas.client("coach_sodra").get("/")
    assert booking in response.context["today_bookings"]
    other = personas.client("coach_sodra_other").get("/")
    assert booking not in other.context["today_bookings"]


def test_the_private_feed_lists_the_bookings_without_names_and_can_be_closed(
    personas: Personas,
) -> None:
    booking = book(personas)
    client = personas.client("coach_sodra")
    assert client.post(reverse("calendar_feed_renew")).status_code == 302
    page = client.get(reverse("calendar"))
    url = page.context["feed_url"]
    assert url and "/kalender/flode/" in url
    assert not client.get(reverse("calendar")).context["feed_url"]  # shown once
    anonymous = personas.client("anonymous")
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert f"UID:{booking.uid}@sikta" in body and f"#{personas.alice_sodra.pk}" in body
    assert "Alice" not in body and "Zackrisson" not in body
    # A new address revokes the old one; closing it revokes it too.
    client.post(reverse("calendar_feed_renew"))
    assert anonymous.get(url).status_code == 404
    client.post(reverse("calendar_feed_renew"))
    newest = client.get(reverse("calendar")).context["feed_url"]
    assert anonymous.get(newest).status_code == 200
    client.post(reverse("calendar_feed_revoke"))
    assert not CalendarFeed.objects.filter(staff=personas.coach_sodra).exists()
    changes = AuditEvent.objects.filter(
        action=AuditAction.CALENDAR_FEED, user=personas.coach_sodra.user
    )
    assert [e.detail["what"] for e in changes.order_by("pk")] == ["renew"] * 3 + ["revoke"]
    assert anonymous.get(newest).status_code == 404


def test_the_feed_holds_the_last_month_and_the_coming_year(personas: Personas) -> None:
    coach = personas.coach_sodra
    CalendarFeed.objects.create(staff=coach, digest=feed_digest("hemlig-adress"))
    now = timezone.now()
    at = {
        days: Booking.objects.create(
            participant=personas.alice_sodra,
            staff=coach,
            kind=Booking.Kind.MEETING,
            starts_at=now + dt.timedelta(days=days),
            place="Storgatan 1",
        )
        for days in (
            -FEED_DAYS_BACK - 1,
            -FEED_DAYS_BACK + 1,
            FEED_DAYS_AHEAD - 1,
            FEED_DAYS_AHEAD + 1,
        )
    }
    body = personas.client("anonymous").get(reverse("calendar_feed", args=["hemlig-adress"]))
    uids = {days for days, booking in at.items() if f"{booking.uid}@sikta" in body.content.decode()}
    assert uids == {-FEED_DAYS_BACK + 1, FEED_DAYS_AHEAD - 1}
    calendar = personas.client("coach_sodra").get(reverse("calendar")).content.decode()
    assert f"från {FEED_DAYS_BACK} dagar bakåt till {FEED_DAYS_AHEAD} dagar framåt" in calendar
