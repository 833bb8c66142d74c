"""E-mails about referrals. They never carry health data: only that something happened, the
reference number and a link, because e-mail is not a safe channel for it."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from sikta.access.roles import RoleCode
from sikta.organisation.models import StaffMember
from sikta.referrals.models import Referral


def _samordnare(referral: Referral) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(
            is_active=True,
            role__code=RoleCode.SAMORDNARE,
            insats_id=referral.kommun.insats_id,
            # In an insats without länsdelar, its samordnare; else the länsdel's.
            lansdel=referral.kommun.lansdel_id,
        ).select_related("user")
    )


def _address(staff: StaffMember) -> str:
    return staff.email or (staff.user.email if staff.user is not None else "")


def new_referral(referral: Referral) -> int:
    """Tell the samordnare of the person's länsdel that a referral is waiting."""
    recipients = sorted({a for a in map(_address, _samordnare(referral)) if a})
    if not recipients:
        return 0
    context = {
        "referral": referral,
        "link": settings.SIKTA_BASE_URL + reverse("referral_detail", args=[referral.pk]),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("referrals/email/new_referral_subject.txt", context).strip()
        body = render_to_string("referrals/email/new_referral.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def decision(referral: Referral) -> int:
    """Tell the referrer the decision; the reason is one of the fixed, health-free reasons."""
    if not referral.referrer_email:
        return 0
    context = {
        "referral": referral,
        "samordnare": [s for s in _samordnare(referral) if _address(s) or s.phone],
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("referrals/email/decision_subject.txt", context).strip()
        body = render_to_string("referrals/email/decision.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [referral.referrer_email])
