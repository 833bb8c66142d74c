"""Import from Excel: upload a list, choose its columns, see the dry run, import.

Only the samordnare (into their own länsdel) and the insatsledare (into the whole insats) reach
these pages (Action.IMPORT_LISTS); an uploaded list is its uploader's alone: anyone else's
answers as one that does not exist.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from sikta.access.decorators import requires
from sikta.access.policy import Action, may_use_import_batch, participant_scope, staff_of
from sikta.activities.uploads import content_disposition
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.core.http import require_form_methods
from sikta.imports import services
from sikta.imports.columns import COLUMNS, PARTICIPANTS, guess_mapping
from sikta.imports.forms import ConfirmForm, MappingForm, UploadForm
from sikta.imports.models import ImportBatch
from sikta.imports.parsing import column_letter
from sikta.imports.selectors import DryRun, dry_run
from sikta.imports.template import template_workbook
from sikta.organisation.models import Track
from sikta.participants.models import Participant
from sikta.participants.services import AssignmentError
from sikta.worktraining.models import Employer

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Rows of the file shown under the column choice, to recognise the columns by.
SAMPLE_ROWS = 3


def _batch(request: HttpRequest, pk: int) -> ImportBatch:
    """The user's own uploaded list, else 404 (another's, an old one, one that never was)."""
    batch = ImportBatch.objects.select_related("insats").filter(pk=pk).first()
    if batch is None or not may_use_import_batch(request.user, batch) or batch.is_stale():
        raise Http404
    return batch


@requires(Action.IMPORT_LISTS)
@require_form_methods
def import_start(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        table, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        batch = services.import_batch_create(
            table=table,
            kind=kind,
            staff=staff,  # type: ignore[arg-type]  # the decorator made sure there is one
            mapping=guess_mapping(kind, table.headers),
            actor=Actor.of(request),
        )
        return redirect("import_mapping", pk=batch.pk)
    waiting = [
        batch
        for batch in ImportBatch.objects.filter(
            staff=staff, uploaded_by_id=request.user.pk, status=ImportBatch.Status.UPLOADED
        )
        if not batch.is_stale()
    ]
    return render(
        request,
        "imports/start.html",
        {"form": form, "waiting": waiting, "staff": staff},
        status=400 if form.is_bound else 200,
    )


@requires(Action.IMPORT_LISTS)
@require_safe
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in COLUMNS:
        raise Http404
    content = template_workbook(kind, request.user)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition(f"mall-{kind}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(content))
    return response


def _single_track(batch: ImportBatch) -> bool:
    return Track.objects.filter(insats=batch.insats).count() == 1


@requires(Action.IMPORT_LISTS)
@require_form_methods
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.IMPORTED:
        return redirect("import_done", pk=batch.pk)
    form = MappingForm(request.POST or None, batch=batch, single_track=_single_track(batch))
    if request.method == "POST" and form.is_valid():
        services.import_mapping_save(batch=batch, mapping=form.mapping(), actor=Actor.of(request))
        return redirect("import_preview", pk=batch.pk)
    letters = [column_letter(i) for i in range(len(batch.headers))]
    return render(
        request,
        "imports/mapping.html",
        {
            "batch": batch,
            "form": form,
            "columns": list(zip(letters, batch.headers, strict=True)),
            "sample": [row["cells"] for row in batch.rows[:SAMPLE_ROWS]],
        },
        status=400 if form.is_bound else 200,
    )


def _preview(
    request: HttpRequest, batch: ImportBatch, *, form: ConfirmForm | None = None, status: int = 200
) -> HttpResponse:
    run = dry_run(batch, request.user)
    if run.named:
        # The refusals name existing cases by number: a read of those people.
        audit_record_many(
            request=request,
            action=AuditAction.PARTICIPANT_LIST,
            participants=run.named,
            detail={"what": "import dry run", "batch": batch.pk},
        )
    accepted = ",".join(str(row.n) for row in run.accepted)
    return render(
        request,
        "imports/preview.html",
        {
            "batch": batch,
            "run": run,
            "rows": _table(run),
            "form": form or ConfirmForm(initial={"rows": accepted}),
            "only_refused": request.GET.get("visa") == "avvisade",
        },
        status=status,
    )


def _table(run: DryRun) -> list[dict[str, object]]:
    """The dry run as the page's table: per row, per shown column, the text and its reasons."""
    keys = {c.key for c in run.columns}
    return [
        {
            "n": row.n,
            "accepted": row.accepted,
            # Reasons of fields the table has no column for (e.g. a contact's missing name).
            "other_reasons": [
                reason
                for key, reasons in row.errors.items()
                if key not in keys
                for reason in reasons
            ],
            "cells": [
                {"text": row.shown.get(c.key, ""), "errors": row.errors.get(c.key, [])}
                for c in run.columns
            ],
        }
        for row in run.rows
    ]


@requires(Action.IMPORT_LISTS)
@require_safe
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.IMPORTED:
        return redirect("import_done", pk=batch.pk)
    if not batch.mapped:
        return redirect("import_mapping", pk=batch.pk)
    return _preview(request, batch)


@requires(Action.IMPORT_LISTS)
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.IMPORTED:
        return redirect("import_done", pk=batch.pk)
    if not batch.mapped:
        return redirect("import_mapping", pk=batch.pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _preview(request, batch, form=form, status=400)
    try:
        services.import_run(
            batch=batch, confirmed=form.cleaned_data["rows"], actor=Actor.of(request)
        )
    except services.ImportChanged:
        messages.warning(
            request,
            _(
                "Nothing was imported: the dry run is no longer what you saw (someone may have "
                "registered one of the people meanwhile). Check it again below."
            ),
        )
        return redirect("import_preview", pk=batch.pk)
    except (DatabaseError, AssignmentError) as error:
        logger.exception("import %s failed and was rolled back", batch.pk, exc_info=error)
        messages.error(
            request,
            _("The import failed and nothing was imported: nothing has changed. Try again."),
        )
        return redirect("import_preview", pk=batch.pk)
    return redirect("import_done", pk=batch.pk)


@requires(Action.IMPORT_LISTS)
@require_safe
def import_done(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status != ImportBatch.Status.IMPORTED:
        return redirect("import_preview", pk=batch.pk)
    ids = batch.result.get("ids", [])
    participants: list[Participant] = []
    employers: list[Employer] = []
    if batch.kind == PARTICIPANTS:
        participants = list(
            Participant.objects.filter(participant_scope(request.user), pk__in=ids).select_related(
                "kommun", "track", "assigned_to"
            )
        )
        audit_record_many(
            request=request,
            action=AuditAction.PARTICIPANT_LIST,
            participants=participants,
            detail={"what": "import result", "batch": batch.pk},
        )
    else:
        employers = list(Employer.objects.filter(pk__in=ids))
    return render(
        request,
        "imports/done.html",
        {
            "batch": batch,
            "result": batch.result,
            "participants": participants,
            "employers": employers,
            "list_url": reverse("participant_list"),
        },
    )


@requires(Action.IMPORT_LISTS)
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status == ImportBatch.Status.UPLOADED:
        services.import_batch_cancel(batch=batch, actor=Actor.of(request))
        messages.success(request, _("The list was thrown away; nothing was imported."))
    return redirect("import_start")
