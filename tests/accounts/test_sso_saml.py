"""Sign-in through SAML 2.0 Web SSO, against an IdP on pysaml2's own server in its own process."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from django.test import Client, RequestFactory
from saml2.metadata import entity_descriptor

from sikta.accounts import saml
from sikta.accounts.models import IdentityProvider, User
from sikta.audit.models import AuditAction, AuditEvent
from tests.factories import StaffMemberFactory, UserFactory
from tests.idp import password_of, running

SLUG = "testregionen"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
HSA_ID = "urn:oid:1.2.752.29.6.2.1"


@pytest.fixture(scope="session")
def saml_idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp("saml")
    sp_metadata = directory / "sp"
    sp_metadata.mkdir()
    with running("saml_idp", "--sp-metadata", str(sp_metadata), log=directory / "idp.log") as url:
        yield url, sp_metadata


@pytest.fixture
def provider(db, saml_idp: tuple[str, Path]) -> IdentityProvider:
    url, sp_metadata = saml_idp
    provider = IdentityProvider.objects.create(
        slug=SLUG,
        name="Testregionen (SITHS)",
        protocol=IdentityProvider.Protocol.SAML,
        issuer=f"{url}/metadata",
        entity_id=f"{url}/metadata",
        identifier=IdentityProvider.Identifier.HSA_ID,
        claim=HSA_ID,
        person_acr=LOA3,
    )
    # The IdP knows us by our metadata, as Inera's would once it is registered there.
    request = RequestFactory().get("/")
    (sp_metadata / "sikta.xml").write_text(str(entity_descriptor(saml.config(request))))
    return provider


@pytest.fixture
def samordnare(db):
    user = UserFactory(username="samordnare.norra", hsa_id="SE5555555555-sam001")
    StaffMemberFactory(user=user, role_code="samordnare", lansdel_id=None)
    return user


def idp_answer(client: Client, username: str, fault: str = "", next_url: str = "/") -> dict:
    """Through the IdP's login as a browser would: the form it posts back to us."""
    start = client.get(f"/konto/e-legitimation/{SLUG}/?{urlencode({'next': next_url})}")
    assert start.status_code == 302
    login = client.get(start["Location"])
    assert login.status_code == 302, login.content[:500]
    to_idp = login["Location"]
    browser = requests.Session()
    form = browser.get(to_idp, timeout=10)
    assert form.status_code == 200, form.text[:500]
    fields = dict(re.findall(r'name="(SAMLRequest|RelayState)" value="([^"]*)"', form.text))
    fields = {k: html.unescape(v) for k, v in fields.items()}
    base = f"{urlsplit(to_idp).scheme}://{urlsplit(to_idp).netloc}"
    answer = browser.post(
        f"{base}/sso/login",
        data={**fields, "username": username, "password": password_of(username), "fault": fault},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text[:500]
    action = re.search(r'action="([^"]+)"', answer.text).group(1)
    assert urlsplit(html.unescape(action)).path == "/saml2/acs/"
    posted = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]*)"', answer.text))
    return {k: html.unescape(v) for k, v in posted.items()}


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def refusal() -> AuditEvent:
    return AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_samordnare_signs_in_with_the_hsa_id_and_lands_on_the_start_page(
    client, provider, samordnare
):
    answer = client.post("/saml2/acs/", idp_answer(client, "samordnare.norra"))
    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert client.session["_auth_user_id"] == str(samordnare.pk)
    assert client.get("/").status_code == 200  # LoA3 counts as the second factor
    login = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert login.detail == {"idp": SLUG, "protocol": "saml", "acr": LOA3}


def test_the_authn_request_is_signed_and_asks_for_the_level(client, provider):
    client.get(f"/konto/e-legitimation/{SLUG}/")
    to_idp = client.get(f"/saml2/login/?{urlencode({'idp': provider.entity_id})}")["Location"]
    query = dict(p.split("=", 1) for p in urlsplit(to_idp).query.split("&"))
    assert "Signature" in query and "SigAlg" in query


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        ("unsigned", "Signature missing"),
        ("wrong_audience", "AudienceRestrictions"),
        ("expired", "Condition not OK"),  # NotOnOrAfter passed
        ("tampered", "Failed to verify signature"),
    ],
)
def test_a_bad_response_signs_no_one_in(client, provider, samordnare, fault, why):
    UserFactory(username="insatsledare", email="insatsledare@example.com")
    answer = client.post("/saml2/acs/", idp_answer(client, "samordnare.norra", fault=fault))
    assert answer.status_code == 400
    assert "Inloggningen kunde inte verifieras" in answer.content.decode()
    assert not signed_in(client)
    record = refusal()
    assert record.detail["reason"] == "invalid"
    assert why in record.detail["problem"]


def test_a_replayed_response_is_refused(client, provider, samordnare):
    posted = idp_answer(client, "samordnare.norra")
    assert client.post("/saml2/acs/", posted).status_code == 302
    client.post("/konto/logga-ut/")
    again = client.post("/saml2/acs/", posted)
    assert again.status_code == 400
    assert not signed_in(client)
    # Nor in another browser, which never asked.
    other = Client()
    assert other.post("/saml2/acs/", posted).status_code == 400
    assert not signed_in(other)


def test_an_unknown_identity_gets_no_account(client, provider):
    answer = client.post("/saml2/acs/", idp_answer(client, "okand"))
    assert answer.status_code == 403
    assert "Du har inget konto i Sikta — kontakta insatsledaren" in answer.content.decode()
    assert not signed_in(client)
    assert not User.objects.filter(hsa_id="SE5555555555-xxx999").exists()
    assert refusal().detail == {"idp": SLUG, "protocol": "saml", "acr": LOA3, "reason": "unknown"}


def test_a_deactivated_staff_member_is_refused(client, provider, samordnare):
    samordnare.staff_records.update(is_active=False)
    answer = client.post("/saml2/acs/", idp_answer(client, "samordnare.norra"))
    assert answer.status_code == 403
    assert not signed_in(client)
    assert refusal().user == samordnare


def test_below_the_level_is_refused_for_a_role_that_sees_persons(client, provider):
    user = UserFactory(username="coach.lag", hsa_id="SE5555555555-coa002")
    StaffMemberFactory(user=user, role_code="coach")
    answer = client.post("/saml2/acs/", idp_answer(client, "coach.lag"))
    assert answer.status_code == 403
    assert "tillitsnivå" in answer.content.decode()
    assert not signed_in(client)


def test_logout_asks_the_idp_for_single_logout(client, provider, samordnare):
    client.post("/saml2/acs/", idp_answer(client, "samordnare.norra"))
    answer = client.post("/konto/logga-ut/")
    assert answer.status_code == 200
    assert not signed_in(client)
    onward = html.unescape(re.search(r'url=([^"]+)"', answer.content.decode()).group(1))
    assert "/slo/redirect?SAMLRequest=" in onward
    back = requests.get(onward, allow_redirects=False, timeout=10)
    assert back.status_code == 302
    done = client.get(local(back.headers["Location"]))
    assert done.status_code == 302
    assert done["Location"] == "/konto/logga-in/"


def test_the_service_provider_metadata_is_published(client, provider):
    answer = client.get("/saml2/metadata/")
    assert answer.status_code == 200
    assert b"AssertionConsumerService" in answer.content


def test_an_idp_whose_metadata_cannot_be_read_gives_a_clear_page(client, provider, settings):
    settings.SIKTA_SSO_TIMEOUT = 0.5
    provider.issuer = "http://127.0.0.1:9/metadata"  # nothing listens there
    provider.save()
    start = client.get(f"/konto/e-legitimation/{SLUG}/")
    answer = client.get(start["Location"])
    assert answer.status_code == 503
    assert "svarar inte" in answer.content.decode()
    assert refusal().detail["reason"] == "unavailable"
    assert not signed_in(client)
