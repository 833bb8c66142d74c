"""Object ids of other people's participants: refused, and refused exactly as a made-up id is.

Every URL with an object id (an `<int:…>` parameter; MATRIX makes the objects, all of them
about Alice, a Södra participant of coach_sodra) is asked by every persona with GET and POST,
once with the real ids and once with each id (and all of them) replaced by one that does not
exist:

- where the real object is refused (login, 403, 404, 405), the answer for the made-up id is the
  same — status, Location and page, after taking out the address itself and the CSRF mask — so
  nobody learns whether an id exists; and the request writes nothing;
- where the persona may reach the object, a made-up id is 404, never 500;
- a child id under a parent the persona may see (Bo's page with Alice's goal, a Norra group with
  a Södra session, …) is answered as a made-up child id: 404;
- the forms of each page, filled as the page offers them and sent by someone who may not
  change the object, change nothing;
- the aggregate roles (styrgrupp, utvärderare) never get a name or personnummer, on any page,
  error page or export.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import resolve, reverse

from tests.access.test_url_matrix import (
    FORBIDDEN,
    LOGIN,
    MATRIX,
    MISSING,
    OK,
    _document,
    _text,
)
from tests.conftest import ALL_PERSONAS, Personas
from tests.security.support import (
    FORM_URLS,
    ID_URLS,
    NONEXISTENT,
    POST_URLS,
    ROUTES,
    body,
    form_data,
    int_params,
    normalised,
    objects_of,
    send,
    writes,
)

DENIED = {LOGIN, FORBIDDEN, MISSING}
# Parameters that name a shared catalogue entry, not something of a participant's.
GLOBAL_PARAMS = {"instrument"}


def _refused(response: Any) -> bool:
    code = response.status_code
    return code in (403, 404, 405) or (
        code == 302 and "/konto/logga-in/" in response.get("Location", "")
    )


def _variants(kwargs: dict[str, Any], url_name: str) -> list[dict[str, Any]]:
    """The parameters with each id, and then all ids, replaced by one that does not exist."""
    ids = int_params(url_name)
    variants = [{**kwargs, name: NONEXISTENT} for name in ids]
    if len(ids) > 1:
        variants.append({**kwargs, **dict.fromkeys(ids, NONEXISTENT)})
    return variants


def _compare(
    client: Any, method: str, url_name: str, kwargs: dict, data: Any = None, *, must_refuse: bool
) -> list[str]:
    """Problems: the real ids against each made-up variant, for one persona and method."""
    problems = []
    url = reverse(url_name, kwargs=kwargs)
    with writes() as wrote:
        real = send(client, method, url, data)
    if real.status_code >= 500:
        return [f"{method} {url}: {real.status_code}"]
    refused = _refused(real)
    if must_refuse and not refused:
        problems.append(f"{method} {url}: {real.status_code}, but MATRIX refuses this persona")
    if refused and wrote:
        problems.append(f"{method} {url}: refused ({real.status_code}) but wrote {wrote[0][:100]}")
    for variant in _variants(kwargs, url_name):
        other = reverse(url_name, kwargs=variant)
        with writes() as wrote:
            made_up = send(client, method, other, data)
        if not refused:
            # The persona may read the parent: its read may be logged before the child's 404.
            wrote = [sql for sql in wrote if "audit_" not in sql]
        if wrote:
            problems.append(f"{method} {other}: wrote {wrote[0][:100]}")
        if refused:
            if normalised(real, url) != normalised(made_up, other):
                problems.append(
                    f"{method} {url} answers {real.status_code} ({len(body(real))} bytes), "
                    f"{other} answers {made_up.status_code} ({len(body(made_up))} bytes): "
                    "an outsider can tell the object exists"
                )
        elif not _refused(made_up):
            problems.append(f"{method} {other} (made-up id): {made_up.status_code}, not 404")
    return problems


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_a_real_id_is_refused_like_a_made_up_one(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    client.raise_request_exception = False
    problems: list[str] = []
    for url_name in ID_URLS:
        denied = MATRIX[url_name][1][persona] in DENIED
        with objects_of(personas, url_name, client) as kwargs:
            for method in ("GET", "POST"):
                problems += _compare(client, method, url_name, kwargs, must_refuse=denied)
    assert not problems, f"{persona}:\n" + "\n".join(problems)


def _norra_world(personas: Personas) -> Personas:
    """The same builders, but for Bo's side: Norra, koordinator_norra, samordnare_norra."""
    return dataclasses.replace(
        personas,
        alice_sodra=personas.bo_norra,
        coach_sodra=personas.koordinator_norra,
        samordnare_sodra=personas.samordnare_norra,
    )


# Those who may open the parent in the Norra world (Bo's pages, the Norra group and meeting).
NORRA_OWNERS = ("koordinator_norra", "samordnare_norra", "insatsledare")
CHILD_URLS = [
    name
    for name in ID_URLS
    if len(int_params(name)) > 1 and not GLOBAL_PARAMS & set(int_params(name))
]


# The page of the parent object, by the first part of the route.
PARENT_PAGES = {
    "deltagare": "participant_detail",
    "grupper": "group_detail",
    "aktivitetsplan": "activity_detail",
}


def test_child_ids_under_a_parent_one_may_see(personas: Personas) -> None:
    """Bo's participant page with Alice's goal id: 404, like a goal that does not exist."""
    assert CHILD_URLS, "there should be URLs with a parent and a child id"
    clients = {name: personas.client(name) for name in NORRA_OWNERS}
    for client in clients.values():
        client.raise_request_exception = False
    problems: list[str] = []
    for url_name in CHILD_URLS:
        parent, *children = int_params(url_name)
        with objects_of(personas, url_name, *clients.values()) as kwargs:
            if ROUTES[url_name].startswith("deltagare/<int:pk>/"):
                norra_parent = personas.bo_norra.pk
            else:
                norra_parent = MATRIX[url_name][0](_norra_world(personas))[parent]
            parent_page = reverse(
                PARENT_PAGES[ROUTES[url_name].split("/")[0]], kwargs={"pk": norra_parent}
            )
            mixed = {**kwargs, parent: norra_parent}
            url = reverse(url_name, kwargs=mixed)
            owners = [name for name, c in clients.items() if c.get(parent_page).status_code == 200]
            if not owners:
                problems.append(f"{url_name}: nobody opens {parent_page}; the test proves nothing")
            reached = 0
            for name, client in clients.items():
                for method in ("GET", "POST"):
                    with writes() as wrote:
                        response = send(client, method, url)
                    # Reading the parent may be logged (the persona may read it); nothing else.
                    wrote = [sql for sql in wrote if "audit_" not in sql]
                    if not _refused(response):
                        problems.append(f"{name} {method} {url}: {response.status_code}")
                    if wrote:
                        problems.append(f"{name} {method} {url}: wrote {wrote[0][:100]}")
                    reached += name in owners and response.status_code == 404
                    for child in children:
                        other = reverse(url_name, kwargs={**mixed, child: NONEXISTENT})
                        made_up = send(client, method, other)
                        if normalised(response, url) != normalised(made_up, other):
                            problems.append(
                                f"{name} {method} {url}: {response.status_code}, but a made-up "
                                f"{child} gives {made_up.status_code}"
                            )
            if not reached:
                problems.append(f"{url_name}: no owner of the parent got the child's 404")
    assert not problems, "\n".join(problems)


# Who may change the objects MATRIX makes, to fill in the forms as the page offers them.
OWNERS = ("coach_sodra", "samordnare_sodra", "insatsledare")


def _paused(p: Personas) -> dict[str, Any]:
    from sikta.casework.models import Pause
    from sikta.participants.models import Participant

    alice = p.alice_sodra
    Pause.objects.create(participant=alice, start_date=alice.start_date, reason="Vård")
    Participant.objects.filter(pk=alice.pk).update(status=Participant.Status.PAUSED)
    return {"pk": alice.pk}


def _signed(p: Personas) -> dict[str, Any]:
    _document(p)
    return {"pk": p.alice_sodra.pk}


def _consented(p: Personas) -> dict[str, Any]:
    from sikta.participants.models import Consent

    Consent.objects.create(
        participant=p.alice_sodra, text="Samtycke", given_on=p.alice_sodra.start_date
    )
    return {"pk": p.alice_sodra.pk}


def _awaiting_outcome(p: Personas) -> dict[str, Any]:
    """A meeting that has passed without an outcome, and a message that could not be sent."""
    import datetime as dt

    from django.utils import timezone

    from sikta.bookings.models import Booking, Message

    booking = Booking.objects.create(
        participant=p.alice_sodra,
        staff=p.coach_sodra,
        kind=Booking.Kind.MEETING,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        place="Storgatan 1",
    )
    Message.objects.create(
        participant=p.alice_sodra,
        booking=booking,
        channel=Message.Channel.SMS,
        purpose=Message.Purpose.BOOKED,
        key=f"state:{booking.pk}",
        recipient="+46701234567",
        body="Hej!",
        status=Message.Status.FAILED,
        last_error="invalid number",
    )
    return {"pk": p.alice_sodra.pk}


# Pages with a form that shows only in some state of their objects (resuming a pause, handing
# over a signed document, withdrawing a consent): their forms are sent in that state as well.
def _importable(p: Personas) -> dict[str, Any]:
    """samordnare_sodra's uploaded list with a row the dry run accepts: its page has the
    import button (a fictional person in Trosa, coach_sodra as the coach)."""
    from sikta.imports.models import ImportBatch
    from tests.factories import fictional_personnummer

    staff = p.samordnare_sodra
    batch = ImportBatch.objects.create(
        staff=staff,
        insats=staff.insats,
        uploaded_by=staff.user,
        kind="deltagare",
        filename="lista.xlsx",
        headers=["Personnummer", "Förnamn", "Efternamn", "Kommun", "Spår", "Start", "Coach"],
        rows=[
            {
                "n": 2,
                "cells": [
                    fictional_personnummer(9999, year=1987),
                    "Ny",
                    "Importsson",
                    p.alice_sodra.kommun.name,
                    p.alice_sodra.track.short_name,
                    "2025-03-01",
                    p.coach_sodra.full_name,
                ],
            }
        ],
        mapping={
            "personnummer": 0,
            "first_name": 1,
            "last_name": 2,
            "kommun": 3,
            "track": 4,
            "start_date": 5,
            "caseworker": 6,
        },
        mapped=True,
    )
    return {"pk": batch.pk}


STATES = {
    "case_exit": _paused,
    "case_final": _signed,
    "case_consent": _consented,
    "case_bookings": _awaiting_outcome,
    "import_preview": _importable,
}
# The POST-only addresses under a page with forms, where the page's other forms are sent.
UNDER_FORM_PAGES = sorted(
    name
    for name in POST_URLS & set(ID_URLS)
    if any(ROUTES[name].startswith(ROUTES[page]) for page in FORM_URLS - {name})
)


def _target(page: str, action: str) -> tuple[str, dict[str, Any]] | None:
    """The URL name and parameters a form of `page` is sent to, if an address with ids."""
    match = resolve(urlsplit(urljoin(page, action)).path)
    return (match.url_name, match.kwargs) if match.url_name in ID_URLS else None


def test_forms_sent_by_outsiders_change_nothing(personas: Personas) -> None:
    """The forms as an owner sees them, sent by everyone MATRIX refuses the page: no change,
    refused as a made-up id is; at the page's own address, or at the one a form is sent to
    (the POST-only addresses of a page's other forms, e.g. a follow-up under a goal)."""
    assert UNDER_FORM_PAGES, "there should be POST-only addresses under pages with forms"
    clients = {name: personas.client(name) for name in ALL_PERSONAS}
    for client in clients.values():
        client.raise_request_exception = False
    problems: list[str] = []
    replayed = accepted = 0
    sent_to: set[str] = set()
    pages = [(name, None) for name in sorted(FORM_URLS & set(ID_URLS))] + sorted(STATES.items())
    for url_name, build in pages:
        expected = MATRIX[url_name][1]
        owner = next((name for name in OWNERS if expected[name] == OK), None)
        assert owner, url_name
        with objects_of(personas, url_name, *clients.values(), build=build) as kwargs:
            url = reverse(url_name, kwargs=kwargs)
            for action, data in form_data(body(clients[owner].get(url)).decode()):
                target = _target(url, action)
                if target is None:  # the header's forms (language, insats, logout)
                    continue
                target_name, target_kwargs = target
                sent_to.add(target_name)
                for name, client in clients.items():
                    if expected[name] == OK:
                        continue
                    replayed += 1
                    problems += _compare(
                        client, "POST", target_name, target_kwargs, data, must_refuse=True
                    )
                # The same form from the owner: mostly taken, which shows the data is real.
                target_url = reverse(target_name, kwargs=target_kwargs)
                accepted += send(clients[owner], "POST", target_url, data).status_code == 302
    assert not problems, "\n".join(problems)
    assert replayed > 100 and accepted > 5, (replayed, accepted)
    unsent = sorted(set(UNDER_FORM_PAGES) - sent_to)
    assert not unsent, f"no form of a page is sent to {unsent}: the test did not reach them"


# --- the aggregate roles ------------------------------------------------------------------


def _identifiers(personas: Personas) -> list[str]:
    found = []
    for person in (personas.alice_sodra, personas.bo_norra):
        digits = person.personnummer.digits
        found += [person.last_name, digits, digits[2:], f"{digits[:8]}-{digits[8:]}"]
        found.append(f"{digits[2:8]}-{digits[8:]}")
    referral = personas.referral_sodra
    found += [referral.last_name, referral.first_name]
    return found + [personas.alice_sodra.first_name]


def _readable(response: Any) -> str:
    """Every character a person could read: the page, a PDF's text, an Excel file's cells."""
    content = body(response)
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    if response.streaming:
        response.streaming_content = iter([content])
    else:
        response.content = content
    return _text(response)


EXPORTS = [
    "/rapporter/?export=csv",
    "/rapporter/?export=xlsx",
    "/rapporter/utvardering/?format=csv",
    "/rapporter/utvardering/?format=xlsx",
    "/rapporter/finsam/export/",
]


@pytest.mark.parametrize("persona", ["styrgrupp", "utvarderare"])
def test_aggregate_roles_get_no_person(personas: Personas, persona: str) -> None:
    client = personas.client(persona)
    client.raise_request_exception = False
    names = _identifiers(personas)
    problems: list[str] = []
    answered = 0
    for url_name in sorted(MATRIX):
        with objects_of(personas, url_name, client) as kwargs:
            url = reverse(url_name, kwargs=kwargs)
            for method in ("GET", "POST"):
                response = send(client, method, url)
                text = _readable(response)
                answered += response.status_code == 200
                problems += [f"{method} {url}: {n!r}" for n in names if n in text]
    for url in EXPORTS:
        response = client.get(url)
        text = _readable(response)
        problems += [f"GET {url}: {n!r}" for n in names if n in text]
        if response.status_code == 200:
            answered += 1
            assert not re.search(r"\b(19|20)\d{6}-?\d{4}\b", text), (url, "a personnummer")
    assert answered > 10
    assert not problems, "\n".join(problems)
