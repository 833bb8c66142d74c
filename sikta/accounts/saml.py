"""SAML 2.0 Web SSO with djangosaml2 and pysaml2: Sikta is one service provider, the SAML rows
of IdentityProvider are the IdPs it trusts (their metadata, inline or fetched).

pysaml2 checks the response: the XML signature (xmlsec1) against the IdP's certificate in its
metadata, that the assertion is signed, the audience (our entity id), the destination, the
lifetime (NotBefore / NotOnOrAfter, with `accepted_time_diff` for clocks), and that it answers
a request we made in this session (djangosaml2 forgets the request when it is answered, so a
replayed response is unsolicited). Unsolicited responses are refused.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
import saml2
import saml2.saml
import saml2.samlp
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from djangosaml2 import views as saml_views
from djangosaml2.cache import IdentityCache, StateCache
from djangosaml2.overrides import Saml2Client
from djangosaml2.utils import get_location
from saml2.client_base import LogoutError
from saml2.config import SPConfig
from saml2.s_utils import UnsupportedBinding
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED

from sikta.accounts.models import IdentityProvider
from sikta.accounts.services import Identity, timeout

log = logging.getLogger(__name__)

METADATA_CACHE_SECONDS = 3600
ACCEPTED_TIME_DIFF_SECONDS = 60


def _metadata(provider: IdentityProvider) -> str | None:
    """The IdP's metadata: as configured, or fetched from its address (an hour in the cache)."""
    if provider.metadata_xml.strip():
        return provider.metadata_xml
    key = f"sikta:saml-metadata:{provider.pk}:{provider.issuer}"
    xml = cache.get(key)
    if xml is None:
        try:
            seconds = timeout()
            answer = requests.get(provider.issuer, timeout=seconds)
            answer.raise_for_status()
        except requests.RequestException as error:
            log.warning("SAML metadata of %s not reachable: %s", provider.slug, error)
            return None
        xml = answer.text
        cache.set(key, xml, METADATA_CACHE_SECONDS)
    return str(xml)


def sp_keys() -> tuple[str, str]:
    """Our signing key and certificate: from settings in production, made once in var/ for
    development and the tests."""
    key_file, cert_file = settings.SAML_SP_KEY_FILE, settings.SAML_SP_CERT_FILE
    if key_file and cert_file:
        return key_file, cert_file
    directory = Path(settings.BASE_DIR) / "var" / "saml"
    key, cert = directory / "sp.key", directory / "sp.crt"
    if not key.exists() or not cert.exists():
        from sikta.accounts.certificates import self_signed

        directory.mkdir(parents=True, exist_ok=True)
        key_pem, cert_pem = self_signed("Sikta SP (development)")
        key.write_bytes(key_pem)
        key.chmod(0o600)
        cert.write_bytes(cert_pem)
    return str(key), str(cert)


def config(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the service provider and every active SAML IdP."""

    def absolute(name: str) -> str:
        path = reverse(name)
        return request.build_absolute_uri(path) if request is not None else path

    key_file, cert_file = sp_keys()
    inline = [
        xml
        for provider in IdentityProvider.objects.filter(
            is_active=True, protocol=IdentityProvider.Protocol.SAML
        )
        if (xml := _metadata(provider))
    ]
    conf: dict[str, Any] = {
        "entityid": absolute("saml2_metadata"),
        "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
        "allow_unknown_attributes": True,
        "accepted_time_diff": ACCEPTED_TIME_DIFF_SECONDS,
        "service": {
            "sp": {
                "name": "Sikta",
                "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
                "endpoints": {
                    "assertion_consumer_service": [
                        (absolute("saml2_acs"), saml2.BINDING_HTTP_POST)
                    ],
                    "single_logout_service": [
                        (absolute("saml2_ls"), saml2.BINDING_HTTP_REDIRECT),
                        (absolute("saml2_ls_post"), saml2.BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "only_use_keys_in_metadata": True,
            }
        },
        "metadata": {"inline": inline},
        "key_file": key_file,
        "cert_file": cert_file,
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        "debug": 0,
    }
    sp = SPConfig()
    sp.load(conf)
    return sp


def login_url(provider: IdentityProvider, next_url: str) -> str:
    return f"{reverse('saml2_login')}?{urlencode({'idp': provider.entity_id, 'next': next_url})}"


def provider_of(issuer: str | None) -> IdentityProvider | None:
    if not issuer:
        return None
    return IdentityProvider.objects.filter(
        entity_id=issuer, is_active=True, protocol=IdentityProvider.Protocol.SAML
    ).first()


def saml_session(request: HttpRequest) -> Any:
    """djangosaml2's session of its own (SamlSessionMiddleware), beside Django's."""
    return request.saml_session  # type: ignore[attr-defined]


def remember_subject(request: HttpRequest, session_info: dict[str, Any]) -> None:
    """Keep the IdP's name for the person, which single logout needs."""
    saml_views._set_subject_id(saml_session(request), session_info["name_id"])


def single_logout_url(request: HttpRequest) -> str | None:
    """Where the browser takes our LogoutRequest to the IdP (HTTP-Redirect binding), or None
    when this session has no SAML subject or the IdP offers no single logout."""
    session = saml_session(request)
    subject = saml_views._get_subject_id(session)
    if subject is None:
        return None
    state = StateCache(session)
    client = Saml2Client(config(request), state_cache=state, identity_cache=IdentityCache(session))
    try:
        result = client.global_logout(subject)
    except (LogoutError, UnsupportedBinding) as error:
        log.info("SAML single logout not offered: %s", error)
        return None
    finally:
        state.sync()
    for info in result.values():
        if isinstance(info, tuple) and info[0] == saml2.BINDING_HTTP_REDIRECT:
            return str(get_location(info[1]))
    return None


def requested_context(provider: IdentityProvider) -> saml2.samlp.RequestedAuthnContext | None:
    """The assurance levels to ask the IdP for, when the provider requires any."""
    if not provider.accepted_acr:
        return None
    return saml2.samlp.RequestedAuthnContext(
        authn_context_class_ref=[
            saml2.saml.AuthnContextClassRef(text=acr) for acr in provider.accepted_acr
        ],
        comparison="exact",
    )


def identity_of(provider: IdentityProvider, session_info: dict[str, Any]) -> Identity:
    """The person a verified response is about: the configured attribute, and the
    authentication context the IdP reports as the assurance level."""
    values = session_info.get("ava", {}).get(provider.claim) or [""]
    authn = session_info.get("authn_info") or [("",)]
    return Identity(provider=provider, value=str(values[0]), acr=str(authn[0][0] or ""))
