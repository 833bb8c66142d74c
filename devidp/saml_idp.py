"""A local SAML 2.0 identity provider on pysaml2's own IdP server (`saml2.server.Server`).

    python -m devidp.saml_idp --port 8101 --sp-metadata http://127.0.0.1:8000/saml2/metadata/

It publishes its metadata at /metadata, takes AuthnRequests (HTTP-Redirect) at /sso/redirect,
asks for a user name and password from identities.json, and posts a signed response to the
service provider's assertion consumer (HTTP-POST), with the mail and HSA-id attributes and the
person's assurance level as the authentication context. It answers single logout at
/slo/redirect. The service providers it knows are read from --sp-metadata (files or addresses)
at every request, so Sikta may start after it.

For the tests it can answer wrongly on request (the login form's `fault`): unsigned, for
another audience, expired, or tampered with after signing.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import requests
import saml2
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT
from saml2.server import Server

from sikta.accounts.certificates import self_signed

IDENTITIES = Path(__file__).with_name("identities.json")
HSA_ID = "urn:oid:1.2.752.29.6.2.1"
MAIL = "urn:oid:0.9.2342.19200300.100.1.3"
OTHER_SP = "https://another-service.example.org/saml2/metadata/"

PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
</head><body><main><h1>{title}</h1>{body}</main></body></html>"""

LOGIN_FORM = """<p>En lokal SAML-testidentitetsleverantör för Sikta (pysaml2). Användare finns i
devidp/identities.json.</p>{error}
<form method="post" action="/sso/login">
<input type="hidden" name="SAMLRequest" value="{request}">
<input type="hidden" name="RelayState" value="{relay}">
<p><label for="username">Användarnamn</label> <input id="username" name="username"></p>
<p><label for="password">Lösenord</label>
<input id="password" name="password" type="password"></p>
<input type="hidden" name="fault" value="">
<p><button type="submit">Logga in</button></p></form>"""


def _people() -> dict[str, dict[str, Any]]:
    data = json.loads(IDENTITIES.read_text(encoding="utf-8"))
    return {p["username"]: p for p in data["people"]}


class TestIdP:
    def __init__(self, base_url: str, sp_metadata: list[str], directory: Path) -> None:
        self.base_url = base_url.rstrip("/")
        self.sp_metadata = sp_metadata
        self.directory = directory
        key, cert = self_signed("Sikta test IdP")
        self.key_file, self.cert_file = directory / "idp.key", directory / "idp.crt"
        self.key_file.write_bytes(key)
        self.cert_file.write_bytes(cert)

    def _sp_files(self) -> list[str]:
        files = []
        for n, source in enumerate(self.sp_metadata):
            if source.startswith("http"):
                try:
                    answer = requests.get(source, timeout=5)
                    answer.raise_for_status()
                except requests.RequestException:
                    continue  # that service provider is not up yet
                target = self.directory / f"sp-{n}.xml"
                target.write_text(answer.text, encoding="utf-8")
                files.append(str(target))
            else:
                files.extend(str(p) for p in sorted(Path(source).glob("*.xml")) if p.is_file())
        return files + self._other_audience(files[:1])

    def _other_audience(self, files: list[str]) -> list[str]:
        """A copy of the first service provider under another entity id, so that the
        wrong_audience fault is a real response meant for another service, sent to ours."""
        copies = []
        for name in files:
            text = re.sub(r'entityID="[^"]+"', f'entityID="{OTHER_SP}"', Path(name).read_text())
            target = self.directory / "sp-other.xml"
            target.write_text(text, encoding="utf-8")
            copies.append(str(target))
        return copies

    def config(self, *, lifetime_minutes: int = 5, with_sps: bool = True) -> IdPConfig:
        conf = {
            "entityid": f"{self.base_url}/metadata",
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "service": {
                "idp": {
                    "name": "Sikta test IdP",
                    "endpoints": {
                        "single_sign_on_service": [
                            (f"{self.base_url}/sso/redirect", saml2.BINDING_HTTP_REDIRECT)
                        ],
                        "single_logout_service": [
                            (f"{self.base_url}/slo/redirect", saml2.BINDING_HTTP_REDIRECT)
                        ],
                    },
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_TRANSIENT, NAMEID_FORMAT_PERSISTENT],
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "metadata": {"local": self._sp_files() if with_sps else []},
            "debug": 0,
        }
        config = IdPConfig()
        config.load(conf)
        return config

    def metadata(self) -> str:
        return str(entity_descriptor(self.config(with_sps=False)))

    # The WSGI application.
    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        try:
            if path == "/metadata":
                return _answer(start_response, "200 OK", self.metadata(), "application/xml")
            if path == "/sso/redirect" and method == "GET":
                return self.login_form(start_response, query)
            if path == "/sso/login" and method == "POST":
                length = int(environ.get("CONTENT_LENGTH") or 0)
                form = {
                    k: v[0]
                    for k, v in parse_qs(environ["wsgi.input"].read(length).decode()).items()
                }
                return self.login(start_response, form)
            if path == "/slo/redirect" and method == "GET":
                return self.logout(start_response, query)
        except Exception as error:  # a test IdP: show what went wrong
            body = f"<pre>{html.escape(repr(error))}</pre>"
            return _answer(start_response, "400 Bad Request", PAGE.format(title="Fel", body=body))
        return _answer(start_response, "404 Not Found", PAGE.format(title="Finns inte", body=""))

    def login_form(
        self, start_response: Any, query: dict[str, str], error: str = ""
    ) -> list[bytes]:
        Server(config=self.config()).parse_authn_request(
            query["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT
        )
        body = LOGIN_FORM.format(
            request=html.escape(query["SAMLRequest"]),
            relay=html.escape(query.get("RelayState", "")),
            error=f'<p role="alert">{error}</p>' if error else "",
        )
        return _answer(
            start_response, "200 OK", PAGE.format(title="Testinloggning (SAML)", body=body)
        )

    def login(self, start_response: Any, form: dict[str, str]) -> list[bytes]:
        person = _people().get(form.get("username", ""))
        if person is None or person["password"] != form.get("password"):
            return self.login_form(start_response, form, "Fel användarnamn eller lösenord.")
        fault = form.get("fault", "")
        server = Server(config=self.config(lifetime_minutes=-10 if fault == "expired" else 5))
        request = server.parse_authn_request(form["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
        args = server.response_args(request.message, [saml2.BINDING_HTTP_POST])
        if fault == "wrong_audience":
            args["sp_entity_id"] = OTHER_SP
        signed = fault != "unsigned"
        response = str(
            server.create_authn_response(
                {
                    MAIL: [person["email"]],
                    HSA_ID: [person["hsa_id"]],
                    "givenName": [person["given_name"]],
                    "sn": [person["family_name"]],
                },
                userid=person["username"],
                authn={"class_ref": person["loa"], "authn_auth": f"{self.base_url}/metadata"},
                sign_assertion=signed,
                sign_response=signed,
                **args,
            )
        )
        if fault == "tampered":
            # After signing: another person's address in the signed assertion.
            response = response.replace(person["email"], "insatsledare@example.com")
        encoded = base64.b64encode(response.encode()).decode()
        relay = html.escape(form.get("RelayState", ""))
        body = (
            f'<form method="post" action="{html.escape(args["destination"])}" id="saml">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{relay}">'
            '<p><button type="submit">Fortsätt till tjänsten</button></p></form>'
            "<script>document.getElementById('saml').submit()</script>"
        )
        return _answer(start_response, "200 OK", PAGE.format(title="Skickar dig vidare", body=body))

    def logout(self, start_response: Any, query: dict[str, str]) -> list[bytes]:
        server = Server(config=self.config())
        request = server.parse_logout_request(query["SAMLRequest"], saml2.BINDING_HTTP_REDIRECT)
        response = server.create_logout_response(
            request.message, [saml2.BINDING_HTTP_REDIRECT], sign=True
        )
        destination = server.pick_binding(
            "single_logout_service",
            [saml2.BINDING_HTTP_REDIRECT],
            "spsso",
            entity_id=request.message.issuer.text,
        )[1]
        info = server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
        )
        location = dict(info["headers"])["Location"]
        start_response("302 Found", [("Location", location), ("Content-Length", "0")])
        return [b""]


def _answer(start_response: Any, status: str, body: str, kind: str = "text/html") -> list[bytes]:
    data = body.encode()
    start_response(
        status, [("Content-Type", f"{kind}; charset=utf-8"), ("Content-Length", str(len(data)))]
    )
    return [data]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--sp-metadata", action="append", default=[], dest="sp_metadata")
    args = parser.parse_args(argv)
    from devidp.serve import bind

    server = bind(args.port)
    directory = Path(tempfile.mkdtemp(prefix="devidp-saml-"))
    idp = TestIdP(f"http://127.0.0.1:{server.server_port}", args.sp_metadata, directory)
    server.set_app(idp)
    print(f"ready: SAML IdP on http://127.0.0.1:{server.server_port}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
