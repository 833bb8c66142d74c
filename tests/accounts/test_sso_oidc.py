"""Sign-in through OpenID Connect, against django-oauth-toolkit's provider in its own process."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from django.test import Client

from devidp import oidc_provider as test_provider
from sikta.accounts.models import IdentityProvider, SignInDevice
from sikta.audit.models import AuditAction, AuditEvent
from tests.factories import StaffMemberFactory, UserFactory
from tests.idp import password_of, running

SLUG = "testkommun"
CALLBACK = f"http://testserver/konto/e-legitimation/{SLUG}/klar/"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with running(
        "oidc_provider",
        "--redirect-uri",
        CALLBACK,
        "--logout-uri",
        "http://testserver/konto/logga-in/",
        log=log,
    ) as url:
        yield url


@pytest.fixture
def provider(db, oidc_provider: str) -> IdentityProvider:
    return IdentityProvider.objects.create(
        slug=SLUG,
        name="Testkommunen",
        protocol=IdentityProvider.Protocol.OIDC,
        issuer=f"{oidc_provider}/o",
        client_id=test_provider.CLIENT_ID,
        client_secret=test_provider.CLIENT_SECRET,
        identifier=IdentityProvider.Identifier.EMAIL,
        claim="email",
        person_acr=LOA3,
    )


@pytest.fixture
def coach(db):
    user = UserFactory(username="coach.norra.1", email="coach.norra.1@example.com")
    StaffMemberFactory(user=user, role_code="coach")
    return user


def at_provider(authorize_url: str, username: str) -> str:
    """Sign in at the provider as a browser would; the address it sends the browser back to."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = browser.post(
        page.url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": password_of(username),
            "next": parse_qs(urlsplit(page.url).query)["next"][0],
        },
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    while not answer.headers["Location"].startswith("http://testserver/"):
        answer = browser.get(
            requests.compat.urljoin(answer.url, answer.headers["Location"]),
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def sign_in_through(client: Client, username: str, *, next_url: str = "/") -> str:
    start = client.get(f"/konto/e-legitimation/{SLUG}/?{urlencode({'next': next_url})}")
    assert start.status_code == 302, start.content[:500]
    return at_provider(start["Location"], username)


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.LOGIN_REFUSED))


def test_a_coach_signs_in_and_lands_where_they_were_going(client, provider, coach):
    back = sign_in_through(client, "coach.norra.1", next_url="/deltagare/")
    answer = client.get(local(back))
    assert answer.status_code == 302
    assert answer["Location"] == "/deltagare/"
    assert client.get("/deltagare/").status_code == 200  # past the second step: LoA3
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.user == coach
    assert login.detail == {"idp": SLUG, "protocol": "oidc", "acr": LOA3}
    assert SignInDevice.objects.filter(user=coach, provider=provider).exists()


def test_the_authorization_request_uses_pkce_state_and_nonce(client, provider, coach):
    start = client.get(f"/konto/e-legitimation/{SLUG}/")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["state"] and query["nonce"] and query["code_challenge"]
    assert query["acr_values"] == [LOA3]


def test_an_unknown_identity_gets_no_account(client, provider):
    back = sign_in_through(client, "okand")
    answer = client.get(local(back))
    assert answer.status_code == 403
    assert "Du har inget konto i Sikta" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    (refusal,) = refusals()
    assert refusal.detail["reason"] == "unknown"
    assert refusal.detail["idp"] == SLUG
    from sikta.accounts.models import User

    assert not User.objects.filter(email="okand.person@example.com").exists()


def test_a_deactivated_staff_member_is_refused(client, provider, coach):
    coach.staff_records.update(is_active=False)
    answer = client.get(local(sign_in_through(client, "coach.norra.1")))
    assert answer.status_code == 403
    assert "inte aktivt" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert refusals()[0].user == coach


def test_a_sign_in_below_the_required_level_is_refused_for_a_role_that_sees_persons(
    client, provider
):
    user = UserFactory(username="coach2", email="coach.norra.2@example.com")
    StaffMemberFactory(user=user, role_code="coach")
    answer = client.get(local(sign_in_through(client, "coach.lag")))
    assert answer.status_code == 403
    assert "tillitsnivå" in answer.content.decode()
    (refusal,) = refusals()
    assert refusal.detail["reason"] == "assurance"
    assert refusal.detail["acr"] == "http://id.elegnamnden.se/loa/1.0/loa2"


def test_a_wrong_state_is_refused(client, provider, coach):
    back = sign_in_through(client, "coach.norra.1")
    tampered = re.sub(r"state=[^&]+", "state=forged", local(back))
    answer = client.get(tampered)
    assert answer.status_code == 400
    assert "kunde inte verifieras" in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert refusals()[0].detail["reason"] == "invalid"


def test_a_code_used_twice_signs_no_one_in(client, provider, coach):
    back = local(sign_in_through(client, "coach.norra.1"))
    assert client.get(back).status_code == 302
    other = Client()
    assert other.get(back).status_code == 400  # the state is not in this session
    assert "_auth_user_id" not in other.session


def test_cancelled_at_the_provider(client, provider):
    client.get(f"/konto/e-legitimation/{SLUG}/")
    answer = client.get(f"/konto/e-legitimation/{SLUG}/klar/?error=access_denied&state=x")
    assert answer.status_code == 403
    assert "avbröts" in answer.content.decode()


@pytest.fixture
def silent_server() -> Iterator[str]:
    """An address that accepts connections and never answers: an IdP that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


def test_a_provider_that_does_not_answer_times_out_with_a_clear_page(
    client, provider, silent_server, settings
):
    settings.SIKTA_SSO_TIMEOUT = 0.5
    provider.issuer = silent_server
    provider.save()
    answer = client.get(f"/konto/e-legitimation/{SLUG}/")
    assert answer.status_code == 503
    assert "svarar inte" in answer.content.decode()
    assert refusals()[0].detail["reason"] == "unavailable"


def test_logout_ends_the_session_and_the_providers(client, provider, coach):
    client.get(local(sign_in_through(client, "coach.norra.1")))
    answer = client.post("/konto/logga-ut/")
    assert answer.status_code == 200
    assert "_auth_user_id" not in client.session
    onward = re.search(r'url=([^"]+)"', answer.content.decode()).group(1)
    assert onward.startswith(provider.issuer + "/logout/")
    assert "id_token_hint=" in onward
    logout = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert logout.detail["idp"] == SLUG


def test_the_login_page_offers_the_organisations_sign_in(client, provider):
    page = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med e-legitimation / din organisation" in page
    # One organisation: straight on to it.
    answer = client.get("/konto/e-legitimation/?next=/deltagare/")
    assert answer["Location"] == f"/konto/e-legitimation/{SLUG}/?next=%2Fdeltagare%2F"
