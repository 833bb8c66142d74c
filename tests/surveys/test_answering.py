"""Answering through a personal link: saved as one goes, closed once done; tokens are safe."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone

from sikta.audit.models import AuditEvent
from sikta.audit.services import Actor
from sikta.surveys import services
from sikta.surveys.models import Instrument, Response
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def who5() -> Instrument:
    return Instrument.objects.get(code="who5")


def make_link(personas: Personas, instrument: Instrument, timepoint: str = "start") -> str:
    client = personas.client("coach_sodra")
    response = client.post(
        f"/deltagare/{personas.alice_sodra.pk}/enkat/",
        {"l-instrument": instrument.pk, "l-timepoint": timepoint},
    )
    assert response.status_code == 200
    return re.search(r'href="http://testserver(/enkat/[^"]+/)"', response.content.decode())[1]


def item_names(instrument: Instrument) -> list[str]:
    return [f"i{item.pk}" for item in instrument.items.all()]


def test_a_participant_answers_without_logging_in(personas: Personas, who5) -> None:
    url = make_link(personas, who5)
    participant = Client()
    page = participant.get(url)
    assert page.status_code == 200
    assert "Alice" not in page.content.decode()  # a forwarded link shows nobody's name
    assert "no-store" in page["Cache-Control"]  # nor does a shared phone's browser keep it
    names = item_names(who5)
    # Answers are saved as the participant goes (htmx posts the form on every change).
    saved = participant.post(url + "spara/", {names[0]: "3", names[1]: "4"})
    assert saved.status_code == 200
    assert "no-store" in saved["Cache-Control"]
    response = Response.objects.get()
    assert {a.item_id: a.value for a in response.answers.all()} == {
        who5.items.all()[0].pk: 3,
        who5.items.all()[1].pk: 4,
    }
    # Coming back later: what was answered is still there.
    assert participant.get(url).context["form"].initial[names[0]] == 3
    done = participant.post(url, {names[0]: "3", names[1]: "4", names[2]: "5", names[3]: "1"})
    assert done.status_code == 200 and "Tack" in done.content.decode()
    response.refresh_from_db()
    assert response.completed_at is not None and not response.on_paper
    assert response.answers.get(item=who5.items.all()[4]).value is None  # skipped
    # The participant's own answering is not a staff read.
    assert not AuditEvent.objects.filter(
        participant=personas.alice_sodra, action="participant.view", user__isnull=True
    ).exists()


def test_a_used_link_says_so_kindly_and_reveals_nothing(personas: Personas, who5) -> None:
    url = make_link(personas, who5)
    Client().post(url, {})
    again = Client().get(url)
    forged = Client().get("/enkat/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")
    assert again.status_code == forged.status_code == 404

    def main(response) -> str:
        return re.search(r"<main.*</main>", response.content.decode(), re.S)[0]

    assert main(again) == main(forged)  # used and forged look the same
    assert "länken" in again.content.decode().lower()


def test_an_expired_link_is_closed(personas: Personas, who5, time_machine) -> None:
    url = make_link(personas, who5)
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))
    assert Client().get(url).status_code == 404
    assert Client().post(url + "spara/", {}).status_code == 404


def test_a_new_link_stops_the_old_one(personas: Personas, who5) -> None:
    first = make_link(personas, who5)
    second = make_link(personas, who5)
    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    assert Response.objects.count() == 1


def test_only_a_hash_of_the_token_is_stored(personas: Personas, who5) -> None:
    url = make_link(personas, who5)
    token = url.rstrip("/").rsplit("/", 1)[1]
    stored = Response.objects.get().token_hash
    assert token not in stored and len(stored) == 64


def test_the_exit_survey_closes_some_days_after_the_exit(
    personas: Personas, who5, time_machine
) -> None:
    alice = personas.alice_sodra
    alice.status = "closed"
    alice.end_date = dt.date(2026, 1, 10)
    alice.save()
    time_machine.move_to("2026-03-01 10:00 +01:00")
    request = RequestFactory().post("/")
    request.user = personas.coach_sodra.user
    with pytest.raises(services.SurveyClosed):
        services.response_link(
            participant=alice, instrument=who5, timepoint="exit", actor=Actor.of(request)
        )
    time_machine.move_to("2026-01-20 10:00 +01:00")
    response, _token = services.response_link(
        participant=alice, instrument=who5, timepoint="exit", actor=Actor.of(request)
    )
    assert timezone.localdate(response.expires_at) == dt.date(2026, 2, 9)  # exit + 30 days


def test_paper_answers_and_the_before_after_table(personas: Personas) -> None:
    sikta = Instrument.objects.get(code="sikta")
    client = personas.client("coach_sodra")
    items = {i.code: f"i{i.pk}" for i in sikta.items.all()}
    base = f"/deltagare/{personas.alice_sodra.pk}/enkat/{sikta.pk}/"
    client.post(base + "start/papper/", {items["tilltro_1"]: "2", items["tilltro_2"]: "4"})
    client.post(base + "exit/papper/", {items["tilltro_1"]: "4", items["tilltro_2"]: "2"})
    responses = Response.objects.filter(participant=personas.alice_sodra)
    assert responses.count() == 2 and all(r.on_paper for r in responses)
    page = client.get(f"/deltagare/{personas.alice_sodra.pk}/enkat/")
    (table,) = [t for t in page.context["before_after"] if t["instrument"] == sikta]
    (row,) = table["rows"]
    # start: answers 2 and (reverse) 6 − 4 = 2 → 25 and 25 → 25.0; exit: 4 and 4 → 75.0
    assert (row["start"].value, row["exit"].value, row["change"]) == (25, 75, 50)
    # Reading the answers is a staff read of the participant.
    assert AuditEvent.objects.filter(
        action="participant.view", participant=personas.alice_sodra
    ).exists()
    # A second paper form for the same timepoint is refused.
    again = client.post(base + "start/papper/", {items["tilltro_1"]: "5"}, follow=True)
    assert [str(m) for m in again.context["messages"]]
    assert (
        Response.objects.get(participant=personas.alice_sodra, timepoint="start")
        .answers.get(item__code="tilltro_1")
        .value
        == 2
    )


def test_the_page_says_the_link_was_made_not_sent(personas: Personas, who5) -> None:
    """Sikta sends nothing: it makes a link that the staff member gives to the participant."""
    client = personas.client("coach_sodra")
    url = f"/deltagare/{personas.alice_sodra.pk}/enkat/"

    before = client.get(url).content.decode()
    made = client.post(url, {"l-instrument": who5.pk, "l-timepoint": "start"}).content.decode()
    after = client.get(url).content.decode()

    expires = timezone.localdate(Response.objects.get().expires_at).isoformat()
    for page in (before, made, after):
        assert "skickad" not in page.lower() and "skickats" not in page.lower()
    assert "Länk skapad – ge den till deltagaren själv. Gäller till " + expires in made
    assert "Länk skapad – ge den till deltagaren själv. Gäller till " + expires in after
    assert "Ingen enkätlänk har skapats" in before
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert "Link created – give it to the participant yourself. Valid until " + expires in english
    assert " sent" not in english.lower()
