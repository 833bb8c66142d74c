"""Writes of the import: keeping an uploaded list, its columns, and importing it.

Each is one transaction with its audit record. The import runs the dry run again inside its
transaction and creates what it shows — through the same write path as accepting a referral
(enrolment, the controller, the caseworker's assignment, the exit with its outcome) — or, if
anything fails, nothing at all.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record
from sikta.casework.services import authored_by, participant_exit
from sikta.imports.columns import PARTICIPANTS
from sikta.imports.models import KEEP_FOR, ImportBatch
from sikta.imports.parsing import Table
from sikta.imports.selectors import DryRun, Row, dry_run
from sikta.organisation.models import ControllerRule, StaffMember
from sikta.participants.models import Assignment, Enrolment, Participant
from sikta.participants.services import check_caseworker, participant_assign
from sikta.worktraining.models import Employer, EmployerContact


class ImportChanged(Exception):
    """What would be imported is no longer what the user saw and confirmed."""


def import_batches_purge(*, now: dt.datetime | None = None) -> int:
    """Remove the lists left for longer than KEEP_FOR, imported or not (an imported one holds
    only its counts). Runs at every upload."""
    deleted, _by_model = ImportBatch.objects.filter(
        created_at__lt=(now or timezone.now()) - KEEP_FOR
    ).delete()
    return deleted


@transaction.atomic
def import_batch_create(
    *, table: Table, kind: str, staff: StaffMember, mapping: dict[str, int | None], actor: Actor
) -> ImportBatch:
    """Keep an uploaded list for the next steps, with the columns guessed from its headers."""
    if staff.insats is None:
        raise ValueError("a role of the förbund imports into no insats")
    import_batches_purge()
    batch = ImportBatch.objects.create(
        staff=staff,
        insats=staff.insats,
        uploaded_by=actor.user,
        kind=kind,
        filename=table.filename,
        headers=table.headers,
        rows=table.rows,
        mapping=mapping,
    )
    audit_record(
        actor=actor,
        action=AuditAction.LIST_IMPORT,
        detail={"what": "import.upload", "batch": batch.pk, "kind": kind, "rows": len(table.rows)},
    )
    return batch


@transaction.atomic
def import_mapping_save(
    *, batch: ImportBatch, mapping: dict[str, int | None], actor: Actor
) -> ImportBatch:
    """The columns the user chose (the list itself is unchanged)."""
    batch.mapping = mapping
    batch.mapped = True
    batch.save(update_fields=["mapping", "mapped"])
    audit_record(
        actor=actor,
        action=AuditAction.LIST_IMPORT,
        detail={"what": "import.columns", "batch": batch.pk},
    )
    return batch


@transaction.atomic
def import_batch_cancel(*, batch: ImportBatch, actor: Actor) -> None:
    """Throw an uploaded list away without importing anything."""
    detail = {"what": "import.cancel", "batch": batch.pk, "rows": batch.row_count}
    batch.delete()
    audit_record(actor=actor, action=AuditAction.LIST_IMPORT, detail=detail)


@transaction.atomic
def import_run(*, batch: ImportBatch, confirmed: list[int], actor: Actor) -> DryRun:
    """Import the rows the dry run accepts, in one transaction; `confirmed` are the numbers of
    the rows the user saw accepted. If the dry run now says otherwise (someone imported or
    enrolled one of them meanwhile), ImportChanged and nothing is created; if anything fails on
    the way, the exception leaves nothing created either.

    The audit record of the import has the counts: rows in the list, created, refused."""
    locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
    if locked is None or locked.status != ImportBatch.Status.UPLOADED:
        raise ImportChanged
    run = dry_run(locked, actor.user)
    accepted = [row.n for row in run.accepted]
    if accepted != confirmed or not accepted:
        raise ImportChanged
    created: list[int] = []
    for row in run.accepted:
        if locked.kind == PARTICIPANTS:
            created.append(_enrol(row, batch=locked, actor=actor).pk)
        else:
            created.append(_register_employer(row, actor=actor).pk)
    counts = {"rows": len(run.rows), "created": len(created), "refused": len(run.refused)}
    audit_record(
        actor=actor,
        action=AuditAction.LIST_IMPORT,
        detail={
            "what": "import",
            "batch": locked.pk,
            "kind": locked.kind,
            "file": locked.filename,
            **counts,
            "refused_rows": run.refused_numbers,
        },
    )
    # The list itself is no longer kept: only what the import did.
    locked.status = ImportBatch.Status.IMPORTED
    locked.rows = []
    locked.imported_at = timezone.now()
    locked.result = {**counts, "refused_rows": run.refused_numbers, "ids": created}
    locked.save(update_fields=["status", "rows", "imported_at", "result"])
    return run


def _enrol(row: Row, *, batch: ImportBatch, actor: Actor) -> Participant:
    """Inskrivning of one row, as accepting a referral does it (without the referral): the
    participant, the controller named by the insats's rules, the enrolment, the caseworker's
    assignment (from the start date), and for those who left the exit with its outcome."""
    v = row.values
    insats, kommun, track = batch.insats, v["kommun"], v["track"]
    participant = Participant(
        insats=insats,
        personnummer=v["personnummer"],
        first_name=v["first_name"],
        last_name=v["last_name"],
        phone=v.get("phone", ""),
        email=v.get("email", ""),
        kommun=kommun,
        track=track,
        controller=ControllerRule.objects.controller_for(insats, track, kommun.lansdel),
        start_date=v["start_date"],
        status=Participant.Status.ACTIVE,
    )
    caseworker = v.get("caseworker")
    if caseworker is not None:
        check_caseworker(participant, caseworker)
    participant.save()
    Enrolment.objects.create(participant=participant, track=track, start_date=v["start_date"])
    audit_record(
        actor=actor,
        action=AuditAction.PARTICIPANT_CREATE,
        participant=participant,
        detail={"what": "import", "batch": batch.pk, "row": row.n},
    )
    if caseworker is not None:
        assignment = participant_assign(
            participant=participant,
            staff=caseworker,
            actor=actor,
            note=_("Imported from %(file)s") % {"file": batch.filename},
        )
        # Responsible since the start the list gives, not since the import.
        started = timezone.make_aware(dt.datetime.combine(v["start_date"], dt.time(8, 0)))
        Assignment.objects.filter(pk=assignment.pk).update(started_at=started)
    if v.get("end_date") is not None:
        participant_exit(
            participant=participant,
            data={
                "end_date": v["end_date"],
                "outcome": v["outcome"],
                "note": _("Imported from %(file)s") % {"file": batch.filename},
            },
            actor=actor,
        )
    return participant


def _register_employer(row: Row, *, actor: Actor) -> Employer:
    v = row.values
    employer = Employer.objects.create(
        name=v["name"],
        organisation_number=v["organisation_number"],
        sector=v["sector"],
        address=v["address"],
        notes=v["notes"],
        **authored_by(actor),
    )
    fields: list[str] = ["name", "organisation_number", "sector"]
    if v["contact_name"]:
        EmployerContact.objects.create(
            employer=employer,
            name=v["contact_name"],
            title=v["contact_title"],
            phone=v["contact_phone"],
            email=v["contact_email"],
        )
        fields.append("contact")
    audit_record(
        actor=actor,
        action=AuditAction.EMPLOYER_CHANGE,
        detail={"employer": employer.pk, "fields": fields, "what": "import"},
    )
    return employer
