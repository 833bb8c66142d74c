"""The login page's way to the organisations' sign-in, with none, one or several providers."""

from __future__ import annotations

import pytest

from sikta.accounts.models import IdentityProvider

pytestmark = pytest.mark.django_db


def provider(slug: str, name: str, **more: object) -> IdentityProvider:
    return IdentityProvider.objects.create(
        slug=slug,
        name=name,
        protocol=IdentityProvider.Protocol.OIDC,
        issuer=f"https://{slug}.example.org",
        claim="email",
        **more,
    )


def test_without_providers_the_login_page_offers_only_the_password(client):
    page = client.get("/konto/logga-in/").content.decode()
    assert "Logga in med e-legitimation" not in page
    chooser = client.get("/konto/e-legitimation/")
    assert "Ingen organisations inloggning är ännu uppsatt" in chooser.content.decode()


def test_several_providers_are_listed_by_name_escaped_and_inactive_ones_not(client):
    provider("region", "Region <Exempel>")
    provider("kommun", "Exempels kommun")
    provider("gammal", "Nedlagd IdP", is_active=False)
    page = client.get("/konto/e-legitimation/?next=/deltagare/").content.decode()
    assert "Region &lt;Exempel&gt;" in page
    assert "Exempels kommun" in page
    assert "Nedlagd IdP" not in page
    assert 'href="/konto/e-legitimation/kommun/?next=/deltagare/"' in page


def test_an_inactive_provider_cannot_be_started(client):
    provider("gammal", "Nedlagd IdP", is_active=False)
    assert client.get("/konto/e-legitimation/gammal/").status_code == 404


def test_next_must_stay_on_the_site(client):
    provider("kommun", "Exempels kommun")
    answer = client.get("/konto/e-legitimation/?next=https://evil.example.org/")
    assert "evil" not in answer["Location"]
