from __future__ import annotations

import hashlib
import os
import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class User(AbstractUser):
    """A login. What the person may do follows from their staff record's role."""

    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Demo accounts can only log in while DEBUG is on."),
    )
    hsa_id = models.CharField(
        _("HSA-id"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("For sign-in with SITHS eID, e.g. SE2321000032-abc123."),
        validators=[
            RegexValidator(
                r"^SE\d{10}-[0-9A-Za-z]+$",
                _("An HSA-id is SE, ten digits, a dash and letters or digits."),
            )
        ],
    )
    personal_number = models.CharField(
        _("personal identity number"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("For sign-in with an e-identity that gives it: twelve digits, ÅÅÅÅMMDDNNNN."),
        validators=[RegexValidator(r"^\d{12}$", _("Write twelve digits, ÅÅÅÅMMDDNNNN."))],
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")


def normalise_code(code: str) -> str:
    """A code as typed, without spaces or dashes, in small letters."""
    return "".join(code.replace("-", " ").split()).lower()


def code_digest(code: str) -> str:
    """What is stored of a recovery code: its SHA-256. New codes carry 80 random bits, too many
    to try one by one against a stolen digest, so no slow hash (and no salt) is needed."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """One-time recovery codes of the second factor, stored as digests only: the codes
    themselves are shown once, when they are made, and are in no table."""

    CODE_COUNT = 10

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1))

    @classmethod
    def new_code(cls) -> str:
        """16 letters and digits (80 bits), in groups of four to be copied by hand."""
        code = b32encode(secrets.token_bytes(10)).decode().lower()
        return " ".join(code[i : i + 4] for i in range(0, len(code), 4))

    @classmethod
    @transaction.atomic
    def issue(cls, user: Any, name: str) -> list[str]:
        """A new set of codes for `user` (replacing any earlier set); the codes, to be shown."""
        cls.objects.filter(user=user).delete()
        device = cls.objects.create(user=user, name=name, confirmed=True)
        codes = [cls.new_code() for _i in range(cls.CODE_COUNT)]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, digest=code_digest(code)) for code in codes
        )
        return codes

    def verify_token(self, token: Any) -> bool:
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        used, _deleted = self.codes.filter(digest=code_digest(str(token))).delete()
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    """The SHA-256 of one unused recovery code; deleted when it is used."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.device} #{self.pk}"  # never the code: it is not known


class IdentityProvider(models.Model):
    """A member organisation's identity provider (SITHS through Inera, a kommun's Entra ID or
    ADFS, Freja eID+), configured as data. A sign-in through it is matched to an existing login
    by one identifier; it never creates a login and never brings a role: roles are Sikta's."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0 Web SSO")

    class Identifier(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        HSA_ID = "hsa_id", _("HSA-id")
        PERSONAL_NUMBER = "personal_number", _("Personal identity number")

    slug = models.SlugField(_("code"), unique=True, help_text=_("Part of the sign-in address."))
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Shown on the login page, e.g. 'Region Sörmland'.")
    )
    party = models.ForeignKey(
        "organisation.MemberParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_providers",
        verbose_name=_("member party"),
        help_text=_("The organisation whose staff sign in here."),
    )
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices)
    issuer = models.URLField(
        _("issuer or metadata address"),
        max_length=500,
        help_text=_(
            "OpenID Connect: the issuer (its /.well-known/openid-configuration is read). "
            "SAML: the address of the IdP's metadata."
        ),
    )
    entity_id = models.CharField(
        _("SAML entity id"), max_length=500, blank=True, help_text=_("SAML only.")
    )
    metadata_xml = models.TextField(
        _("SAML metadata"),
        blank=True,
        help_text=_("SAML only: the IdP's metadata. Empty: read from the address above."),
    )
    client_id = models.CharField(_("client id"), max_length=200, blank=True)
    client_secret = models.CharField(
        _("client secret"),
        max_length=500,
        blank=True,
        help_text=_("OpenID Connect only. Or the name of an environment variable: env:NAME."),
    )
    identifier = models.CharField(
        _("identifies the person"),
        max_length=20,
        choices=Identifier.choices,
        default=Identifier.EMAIL,
    )
    claim = models.CharField(
        _("claim or attribute"),
        max_length=200,
        help_text=_(
            "Where the identifier is in the sign-in: an OpenID Connect claim (email) or a "
            "SAML attribute (e.g. urn:oid:1.2.752.29.6.2.1 for the HSA-id)."
        ),
    )
    person_acr = models.CharField(
        _("assurance required to see persons"),
        max_length=500,
        blank=True,
        help_text=_(
            "The assurance levels (acr / authentication context) accepted for roles that see "
            "identified persons, separated by spaces, e.g. http://id.elegnamnden.se/loa/1.0/loa3. "
            "A sign-in below them is refused. Empty: any level, and Sikta's own second factor "
            "(the app's code) is asked for."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")
        ordering = ["ordering", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def accepted_acr(self) -> list[str]:
        return self.person_acr.split()

    def secret(self) -> str:
        """The client secret, from the environment when it is written env:NAME."""
        if self.client_secret.startswith("env:"):
            return os.environ.get(self.client_secret[4:], "")
        return self.client_secret


class SignInDevice(TimestampMixin, Device):
    """Stands for an e-identity at an accepted assurance level as the second factor: a sign-in
    through `provider` marks the session verified with it. It takes no codes of its own."""

    provider = models.ForeignKey(
        IdentityProvider,
        on_delete=models.CASCADE,
        related_name="devices",
        verbose_name=_("identity provider"),
    )

    class Meta(Device.Meta):
        verbose_name = _("e-identity sign-in")
        verbose_name_plural = _("e-identity sign-ins")
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="one_device_per_provider")
        ]

    def verify_token(self, token: Any) -> bool:
        return False
