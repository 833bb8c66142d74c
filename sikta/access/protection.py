"""Which people have protected identity (skyddad identitet): the facts the policy's identity
rules and the audit trail's flag are about. No access rule lives here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral


def protected_participants_of(referral: Referral) -> list[Participant]:
    """The protected participants a referral is about: the one it was accepted into, or one with
    the same personnummer. Cached on the referral (`note_referral_protection` fills the cache
    for a whole page in one query)."""
    cached = getattr(referral, "_sikta_protected", None)
    if cached is None:
        from sikta.participants.models import Participant

        cached = list(
            Participant.objects.filter(
                Q(pk=referral.participant_id) | Q(personnummer=referral.personnummer.digits),
                protected_identity=True,
            ).select_related("kommun")
        )
        referral._sikta_protected = cached  # type: ignore[attr-defined]
    return cached


def note_referral_protection(referrals: Any) -> None:
    """Fill the protection cache of many referrals in one query (list pages, audit rows)."""
    from sikta.participants.models import Participant

    referrals = [r for r in referrals if getattr(r, "_sikta_protected", None) is None]
    if not referrals:
        return
    numbers = {r.personnummer.digits for r in referrals}
    ids = {r.participant_id for r in referrals if r.participant_id is not None}
    protected = list(
        Participant.objects.filter(
            Q(personnummer__in=numbers) | Q(pk__in=ids), protected_identity=True
        ).select_related("kommun")
    )
    for referral in referrals:
        referral._sikta_protected = [
            p
            for p in protected
            if p.pk == referral.participant_id
            or p.personnummer.digits == referral.personnummer.digits
        ]


def referral_is_protected(referral: Referral) -> bool:
    return bool(protected_participants_of(referral))
