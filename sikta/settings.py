"""Settings for Sikta, read from the environment with safe defaults.

Development (the default) runs on SQLite on 127.0.0.1 with demo accounts. Production is
selected with SIKTA_ENV=production and refuses to start with DEBUG on or the demo secret key.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


# The key that development and the demo use. Production refuses it.
DEMO_SECRET_KEY = "sikta-demo-only-secret-key-do-not-use-in-production-0123456789"

SIKTA_ENV = env_str("SIKTA_ENV", "development")
if SIKTA_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("SIKTA_ENV must be 'development' or 'production'.")
PRODUCTION = SIKTA_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY", DEMO_SECRET_KEY)
# The key of the evaluator's pseudonyms: without it a pseudonym cannot be traced back to a
# personnummer. Keep it apart from SECRET_KEY so the session key can rotate without changing
# the pseudonyms an evaluation has already used.
PSEUDONYM_KEY = env_str("PSEUDONYM_KEY", SECRET_KEY)

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Production refuses to start with DEBUG on.")
    if SECRET_KEY == DEMO_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production refuses to start without its own SECRET_KEY (50+ random characters)."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "djangosaml2",
    "sikta.core",
    "sikta.accounts",
    "sikta.organisation",
    "sikta.participants",
    "sikta.referrals",
    "sikta.casework",
    "sikta.worktraining",
    "sikta.groups",
    "sikta.bookings",
    "sikta.caseload",
    "sikta.worklists",
    "sikta.surveys",
    "sikta.reports",
    "sikta.activities",
    "sikta.finsam",
    "sikta.privacy",
    "sikta.audit",
    "sikta.imports",
    "sikta.front",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before everything that reads the database (sessions, login, second factor): with the
    # database out of reach it answers 503 "temporarily unavailable" instead of a 500.
    "sikta.core.outage.DatabaseOutageMiddleware",
    # Django's, but a session lost with the database is an outage (503), not a 400.
    "sikta.core.outage.SessionMiddleware",
    # Pushes the session's idle timeout forward once a minute, not on every request.
    "sikta.core.middleware.IdleTimeoutMiddleware",
    # SAML's own session cookie, which the IdP's cross-site POST back to us carries.
    "djangosaml2.middleware.SamlSessionMiddleware",
    "sikta.core.middleware.CookieLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which insats a user with roles in several works in now (sikta.access.policy.staff_of).
    "sikta.access.middleware.ChosenRecordMiddleware",
    "sikta.core.middleware.NoStoreForSignedInMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After OTPMiddleware: sends a logged-in but unverified user to the second factor.
    "sikta.accounts.otp.TwoFactorMiddleware",
    "sikta.core.replica.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Static files straight from the application server; development uses runserver's.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "sikta.urls"
WSGI_APPLICATION = "sikta.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sikta.access.context_processors.access",
            ],
            "string_if_invalid": "",
        },
    },
]

# SQLite in var/ by default; DATABASE_URL=postgres://… switches to PostgreSQL. A persistent
# connection (DB_CONN_MAX_AGE) is checked before it is reused, so a restarted database server
# costs no failed request once it is back.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sikta.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite ignores SELECT … FOR UPDATE; taking the write lock when a transaction starts makes
    # two people deciding at once wait for each other instead of failing with "locked".
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
# A read-only PostgreSQL replica for the reports and exports (README: Drift / Deployment).
# Without it the router below changes nothing: everything reads and writes "default".
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0), conn_health_checks=True
    )
    # Tests read the replica's tables from the test database of "default".
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["sikta.core.replica.ReplicaRouter"]
# The views (URL names) whose GET and HEAD requests read from the replica: aggregates and
# exports only, never a page that shows what its user has just saved (so not finsam_list, where
# finsam_mark and finsam_unmark redirect back to).
REPLICA_URL_NAMES = {
    "report_dashboard",
    "survey_report",
    "evaluation_export",
    "status_report_pdf",
    "finsam_export",
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sikta.accounts.backends.SiktaModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

# Two-factor login (TOTP + recovery codes) for everyone who can see an identified person.
# Only the browser tests' demo server turns it off; production refuses to.
SIKTA_REQUIRE_2FA = env_bool("REQUIRE_2FA", True)
if PRODUCTION and not SIKTA_REQUIRE_2FA:
    raise ImproperlyConfigured("Production refuses to start with REQUIRE_2FA off.")
OTP_TOTP_ISSUER = "Sikta"

# Each failed code doubles the wait before the next attempt (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# An administrator resets a lost phone by deleting the device, but never sees anyone's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sign-in through the member organisations' identity providers (sikta.accounts.services).
# The providers are data (IdentityProvider, in the admin); these are the service's own settings.
SIKTA_SSO_TIMEOUT = float(env_str("SIKTA_SSO_TIMEOUT", "5"))  # seconds to wait for an IdP
SAML_CONFIG_LOADER = "sikta.accounts.saml.config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"  # no form of ours
SAML_CREATE_UNKNOWN_USER = False  # never: a sign-in maps to an existing login or to no one
SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# Our SAML signing key and certificate (PEM files); empty: made once under var/saml/.
SAML_SP_KEY_FILE = env_str("SAML_SP_KEY_FILE", "")
SAML_SP_CERT_FILE = env_str("SAML_SP_CERT_FILE", "")
SAML_SESSION_COOKIE_NAME = "sikta_saml"
# The IdP posts its answer from its own site: in production the SAML cookie must be sent with
# that cross-site POST (None, which browsers take only with Secure); over plain http in
# development Lax does, since the local IdPs share 127.0.0.1 with Sikta.
SAML_SESSION_COOKIE_SAMESITE = "None" if PRODUCTION else "Lax"

# Lockout: five failures for one user name from one address locks that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after SESSION_IDLE_MINUTES without a request (to the minute:
# sikta.core.middleware.IdleTimeoutMiddleware), and with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_TOUCH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# HTTPS-only behaviour in production; the development server speaks plain HTTP on loopback.
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["sikta.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sikta@localhost")
# The address links in e-mails start with (e-mails are sent outside any request).
SIKTA_BASE_URL = env_str("SIKTA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Text messages to participants (sikta.bookings.sms): "console" writes them to the log,
# "46elks" sends them through 46elks' HTTP API (or a provider that speaks it).
SMS_BACKEND = env_str("SMS_BACKEND", "46elks" if PRODUCTION else "console")
SMS_API_URL = env_str("SMS_API_URL", "https://api.46elks.com")
SMS_API_USERNAME = env_str("SMS_API_USERNAME", "")
SMS_API_PASSWORD = env_str("SMS_API_PASSWORD", "")
# The sender a participant sees: letters (at most 11) or a number; never the programme's track.
SMS_SENDER = env_str("SMS_SENDER", "Kontakt")
SMS_TIMEOUT = float(env_str("SMS_TIMEOUT", "10"))  # seconds to wait for the provider
# Reminders: the day-before reminder goes out at this hour; a message that fails is tried
# again after 1, 2, 4 … minutes, at most this many times; the sender waits this many seconds
# between rounds.
SIKTA_REMINDER_HOUR = env_int("SIKTA_REMINDER_HOUR", 10)
SIKTA_MESSAGE_ATTEMPTS = env_int("SIKTA_MESSAGE_ATTEMPTS", 8)
SIKTA_SENDER_INTERVAL = env_int("SIKTA_SENDER_INTERVAL", 30)
# The worklist ("Att göra"): a referral still undecided this many days after it came in is a
# task for the samordnare. (The other thresholds are the insats's own: no_contact_weeks, …)
SIKTA_REFERRAL_WAIT_DAYS = env_int("SIKTA_REFERRAL_WAIT_DAYS", 14)

# The public referral form: at most this many sendings per address and hour. The count lives in
# the cache; with several server processes, point the cache at the database or memcached.
REFERRAL_RATE_LIMIT_PER_HOUR = env_int("REFERRAL_RATE_LIMIT_PER_HOUR", 10)

# The organisation data file that load_organisation reads when given no path.
SIKTA_ORGANISATION_FILE = (
    BASE_DIR / "sikta" / "organisation" / "data" / "sikta_mot_arbetslivet.toml"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
