"""Template tags that show who a person is only as far as the access policy allows.

    {% load identity %}
    {% participant_name p %}               First Last, or "Protected identity #12"
    {% participant_name p sort=True %}     Last, First
    {% participant_name p first=True %}    First
    {% participant_pnr p %}                the personnummer, or "Hidden (protected identity)"
    {% identity_visible p as shown %}      for e-mail, phone, birth date: {% if shown %}…
    {% protected_badge p %}                a badge for everyone who sees the case
    {% referral_name r %}, {% referral_pnr r %}, {% referral_identity_visible r as shown %}

The reader is `request.user` from the context; without a request (documents, e-mails) a
protected person is masked. Use these instead of {{ p.first_name }}, {{ p.personnummer }} etc.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from sikta.access.policy import may_see_identity, may_see_referral_identity
from sikta.participants import identity

register = template.Library()


def _reader(context: template.Context) -> Any:
    request = context.get("request")
    return getattr(request, "user", None)


@register.simple_tag(takes_context=True)
def participant_name(
    context: template.Context, participant: Any, sort: bool = False, first: bool = False
) -> str:
    if participant is None:
        return ""
    return identity.display_name(_reader(context), participant, sort=sort, first=first)


@register.simple_tag(takes_context=True)
def participant_pnr(context: template.Context, participant: Any) -> str:
    if participant is None:
        return ""
    return identity.display_personnummer(_reader(context), participant)


@register.simple_tag(takes_context=True)
def identity_visible(context: template.Context, participant: Any) -> bool:
    return participant is not None and may_see_identity(_reader(context), participant)


@register.simple_tag(takes_context=True)
def referral_name(context: template.Context, referral: Any, sort: bool = False) -> str:
    return identity.referral_display_name(_reader(context), referral, sort=sort)


@register.simple_tag(takes_context=True)
def referral_pnr(context: template.Context, referral: Any) -> str:
    return identity.referral_display_personnummer(_reader(context), referral)


@register.simple_tag(takes_context=True)
def referral_identity_visible(context: template.Context, referral: Any) -> bool:
    return may_see_referral_identity(_reader(context), referral)


@register.simple_tag
def protected_badge(person: Any) -> SafeString | str:
    """A visible mark on a protected person (participant or referral), for whoever sees them."""
    if person is None or not identity.is_protected(person):
        return ""
    return format_html('<span class="flag protected">{}</span>', _("Protected identity"))
