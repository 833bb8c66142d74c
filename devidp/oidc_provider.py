"""A local OpenID Connect provider: django-oauth-toolkit's, in a Django process of its own.

    python -m devidp.oidc_provider --port 8102 --redirect-uri http://127.0.0.1:8000/konto/...

It publishes /o/.well-known/openid-configuration and its keys, signs ID tokens with RS256, asks
for PKCE, and puts e-mail, HSA-id and the assurance level (acr) of identities.json in the ID
token. One confidential client (`sikta`, secret `sikta-test-secret`) is registered at start
with the redirect addresses given. Its database is a SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

CLIENT_ID = "sikta"
CLIENT_SECRET = "sikta-test-secret"  # noqa: S105  # the local test provider's, published
IDENTITIES = Path(__file__).with_name("identities.json")

LOGIN_TEMPLATE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Testorganisationens inloggning</title></head><body>
<main><h1>Testorganisationens inloggning (OpenID Connect)</h1>
<p>En lokal testleverantör för Sikta. Användare finns i devidp/identities.json.</p>
{% if form.errors %}<p role="alert">Fel användarnamn eller lösenord.</p>{% endif %}
<form method="post">{% csrf_token %}
<input type="hidden" name="next" value="{{ next }}">
<p><label for="id_username">Användarnamn</label>
<input id="id_username" name="username" autocomplete="username"></p>
<p><label for="id_password">Lösenord</label>
<input id="id_password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Logga in</button></p></form></main></body></html>"""

LOGGED_OUT_TEMPLATE = """<!doctype html><html lang="sv"><head><meta charset="utf-8">
<title>Utloggad</title></head><body><main><h1>Du är utloggad från testleverantören</h1>
</main></body></html>"""


def _people() -> dict[str, dict[str, Any]]:
    data = json.loads(IDENTITIES.read_text(encoding="utf-8"))
    return {p["username"]: p for p in data["people"]}


def _rsa_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def configure(directory: Path) -> None:
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="devidp-oidc-" + directory.name,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": directory / "db.sqlite3"}
        },
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "OPTIONS": {
                    "context_processors": ["django.template.context_processors.csrf"],
                    "loaders": [
                        (
                            "django.template.loaders.locmem.Loader",
                            {
                                "registration/login.html": LOGIN_TEMPLATE,
                                "oauth2_provider/logged_out.html": LOGGED_OUT_TEMPLATE,
                            },
                        )
                    ],
                },
            }
        ],
        LOGIN_URL="/login/",
        # Cookies know no port: on 127.0.0.1 beside Sikta, names of its own keep them apart.
        SESSION_COOKIE_NAME="devidp_session",
        CSRF_COOKIE_NAME="devidp_csrftoken",
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],  # test users only
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": _rsa_key(),
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "PKCE_REQUIRED": True,
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID Connect", "email": "E-mail", "profile": "Name"},
        },
    )


def _validator_class() -> type:
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below, whatever the scope

        def get_additional_claims(self, request: Any) -> dict[str, Any]:
            person = _people().get(request.user.username, {})
            return {
                "email": person.get("email", ""),
                "hsa_id": person.get("hsa_id", ""),
                "given_name": person.get("given_name", ""),
                "family_name": person.get("family_name", ""),
                "acr": person.get("loa", ""),
            }

    return Validator


def __getattr__(name: str) -> Any:
    # OAUTH2_VALIDATOR_CLASS is imported by name once Django is set up.
    if name == "Validator":
        return _validator_class()
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def _urlpatterns() -> list[Any]:
    from django.contrib.auth import views as auth_views
    from django.urls import include, path

    return [
        path("login/", auth_views.LoginView.as_view(), name="login"),
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    ]


def prepare(redirect_uris: list[str], logout_uris: list[str]) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for person in _people().values():
        user = User(username=person["username"], email=person["email"])
        user.set_password(person["password"])
        user.save()
    Application.objects.create(
        name="Sikta",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(logout_uris),
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8102)
    parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
    parser.add_argument("--logout-uri", action="append", default=[], dest="logout_uris")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="devidp-oidc-"))
    configure(directory)
    import django

    django.setup()
    prepare(args.redirect_uris, args.logout_uris)
    from django.core.wsgi import get_wsgi_application

    from devidp.serve import serve

    serve(get_wsgi_application(), args.port, "OpenID Connect provider")


if __name__ == "__main__":
    sys.exit(main())
