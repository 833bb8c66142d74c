"""The slutdokumentation as PDF, rendered by WeasyPrint from a template.

WeasyPrint may fetch nothing: the stylesheet is read from our own static files and handed over
as text, and every URL the document might name is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from sikta.participants.models import Participant

STYLESHEET = Path(__file__).resolve().parent / "static" / "casework" / "document.css"


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the document may not fetch {url}")


def final_document_context(participant: Participant, texts: dict[str, str], signer: str) -> dict:
    return {
        "participant": participant,
        "insats": participant.track.insats,
        "goals": participant.goals.select_related("area").prefetch_related("follow_ups"),
        "placements": participant.placements.select_related("employer"),
        "exit": participant.exits.select_related("outcome").last(),
        "referral": participant.referrals.order_by("-received_at").first(),
        "days": ((participant.end_date or timezone.localdate()) - participant.start_date).days,
        "texts": texts,
        "signer": signer,
        "today": timezone.localdate(),
    }


def render_final_document(participant: Participant, texts: dict[str, str], signer: str) -> bytes:
    """The PDF, in Swedish whatever language the coach uses the system in."""
    from weasyprint import CSS, HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(
            "casework/final_document.html", final_document_context(participant, texts, signer)
        )
    css = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[css])
