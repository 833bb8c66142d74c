"""Registerutdrag (GDPR art. 15): everything Sikta holds about one person, as JSON or PDF.

The related data is found by walking the models' reverse relations (two levels from the
participant and from the person's referrals), so a model added later is included without
changing this module. Binary content (signed PDFs) is listed, not embedded; secrets such as
the hash of a survey link are left out. The audit trail lists who read or changed the person's
data, when, and in what role.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sikta.audit.models import AuditEvent
from sikta.casework.documents import STYLESHEET, _refuse
from sikta.core.personnummer import Personnummer
from sikta.organisation.models import ControllerRule, MemberParty
from sikta.participants.models import Participant
from sikta.referrals.models import Referral

# Fields never shown: credentials of the participant's personal survey link.
SECRET_PARTS = ("token", "secret", "hash", "password")


@dataclass
class Section:
    title: str
    records: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Extract:
    personnummer: Personnummer
    participants: list[Participant]
    referrals: list[Referral]
    sections: list[Section]
    created_at: dt.datetime

    @property
    def found(self) -> bool:
        return bool(self.participants or self.referrals)

    @property
    def name(self) -> str:
        person = (self.participants or self.referrals or [None])[0]
        return f"{person.first_name} {person.last_name}" if person is not None else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "personnummer": str(self.personnummer),
            "utdrag_skapat": timezone.localtime(self.created_at).isoformat(timespec="seconds"),
            "avsnitt": {s.title: s.records for s in self.sections},
        }


def _value(obj: models.Model, f: models.Field) -> str:
    if isinstance(f, models.BinaryField):
        data = getattr(obj, f.attname)
        return _("PDF file, %(size)s bytes (not included)") % {"size": len(data or b"")}
    if f.is_relation:
        related = getattr(obj, f.name)
        return "" if related is None else str(related)
    value = getattr(obj, f.attname)
    if value is None or value == "":
        return ""
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def record(obj: models.Model) -> dict[str, str]:
    """The object's fields by their (Swedish) verbose names, values as text."""
    row = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key or any(part in f.name for part in SECRET_PARTS):
            continue
        row[str(f.verbose_name).capitalize()] = _value(obj, f)
    for f in obj._meta.many_to_many:
        row[str(f.verbose_name).capitalize()] = ", ".join(
            str(o) for o in getattr(obj, f.name).all()
        )
    return row


def _related(objects: list[models.Model], *, depth: int) -> list[models.Model]:
    """Every object that points at `objects` through a reverse relation, `depth` levels down.

    Objects shared with others (a group the person is a member of) are listed, but what hangs
    below them (the group's sessions) is not the person's data and is not followed.
    """
    if not objects or depth == 0:
        return []
    model = type(objects[0])
    found: list[models.Model] = []
    for rel in model._meta.related_objects:
        children = list(
            rel.related_model._default_manager.filter(**{f"{rel.field.name}__in": objects})
            .distinct()
            .order_by("pk")
        )
        found += children
        if not rel.many_to_many:
            found += _related(children, depth=depth - 1)
    return found


def _audit_rows(participants: list[Participant], referrals: list[Referral]) -> list[dict]:
    events = (
        AuditEvent.objects.filter(Q(participant__in=participants) | Q(referral__in=referrals))
        .order_by("at", "pk")
        .distinct()
    )
    return [
        {
            _("Time"): timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            _("User"): e.username,
            _("Role"): e.role,
            _("Action"): e.get_action_display(),
        }
        for e in events
    ]


def collect(
    personnummer: Personnummer, *, insats: Any = None, controller: MemberParty | None = None
) -> Extract:
    """Everything held about the person with `personnummer`, in Swedish: in `insats` (the one
    whose leads produce the extract; each insats answers for its own records), or in all; of
    one `controller` if given (the member party the person asked: what it is
    personuppgiftsansvarig for, a referral not yet accepted by what its rules name)."""
    participants = Participant.objects.filter(personnummer=personnummer.digits)
    referrals_q = Referral.objects.all()
    if insats is not None:
        participants = participants.filter(insats=insats)
        referrals_q = referrals_q.filter(track__insats=insats)
    if controller is not None:
        participants = participants.filter(controller=controller)
        referrals_q = referrals_q.filter(
            Q(participant__controller=controller)
            | (Q(participant__isnull=True) & ControllerRule.objects.referrals_of(controller))
        )
    participants = list(participants)
    referrals = list(
        referrals_q.filter(
            Q(personnummer=personnummer.digits) | Q(participant__in=participants)
        ).distinct()
    )
    with translation.override(settings.LANGUAGE_CODE):
        objects: list[models.Model] = [*participants, *referrals]
        objects += _related(participants, depth=2) + _related(referrals, depth=2)
        sections: dict[str, Section] = {}
        seen: set[tuple[str, int]] = set()
        for obj in objects:
            key = (obj._meta.label, obj.pk)
            if key in seen:
                continue
            seen.add(key)
            title = str(obj._meta.verbose_name_plural).capitalize()
            sections.setdefault(obj._meta.label, Section(title)).records.append(record(obj))
        audit = Section(_("Who has read or changed the data"), _audit_rows(participants, referrals))
    return Extract(
        personnummer=personnummer,
        participants=participants,
        referrals=referrals,
        sections=[*sections.values(), audit],
        created_at=timezone.now(),
    )


def render_json(extract: Extract) -> bytes:
    return json.dumps(extract.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")


def render_pdf(extract: Extract) -> bytes:
    """The extract as PDF, in Swedish; WeasyPrint may fetch nothing."""
    from weasyprint import CSS, HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("privacy/extract_document.html", {"extract": extract})
    css = CSS(string=STYLESHEET.read_text(encoding="utf-8"), url_fetcher=_refuse)
    return HTML(string=html, url_fetcher=_refuse).write_pdf(stylesheets=[css])
