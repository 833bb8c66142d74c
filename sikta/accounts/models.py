from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
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
