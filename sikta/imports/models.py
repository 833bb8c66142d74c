"""An uploaded list waiting to be imported: kept in the database between the steps (mapping,
dry run, import), never on disk; emptied when imported, removed when left too long."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An upload not imported within this time is removed at the next upload (by anyone).
KEEP_FOR = dt.timedelta(hours=24)


class ImportBatch(models.Model):
    class Kind(models.TextChoices):
        PARTICIPANTS = "deltagare", _("Participants")
        EMPLOYERS = "arbetsgivare", _("Employers")

    class Status(models.TextChoices):
        UPLOADED = "uppladdad", _("Uploaded, not imported")
        IMPORTED = "importerad", _("Imported")

    # The staff record the list was uploaded as: its insats (and a samordnare's länsdel) is
    # what the list is imported into, and only its login may go on with it.
    staff = models.ForeignKey(
        "organisation.StaffMember",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded as"),
    )
    insats = models.ForeignKey(
        "organisation.Insats",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("programme"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    kind = models.CharField(_("kind of list"), max_length=15, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.UPLOADED
    )
    # Set by the system from the upload (the file's own name, cleaned), never typed.
    filename = models.CharField(_("file name"), max_length=255, editable=False)
    headers = models.JSONField(_("column names"), default=list, editable=False)
    # [{"n": row number in the file, "cells": [text, …]}, …]; emptied once imported.
    rows = models.JSONField(_("rows"), default=list, editable=False)
    # {field key: column index or None}: chosen in the mapping step.
    mapping = models.JSONField(_("columns"), default=dict, editable=False)
    mapped = models.BooleanField(_("columns chosen"), default=False, editable=False)
    # What the import did: counts and the refused rows' numbers, and the created records' ids.
    result = models.JSONField(_("result"), default=dict, editable=False)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("uploaded list")
        verbose_name_plural = _("uploaded lists")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_kind_display()})"

    @property
    def row_count(self) -> int:
        return len(self.rows)

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        return self.created_at < (now or timezone.now()) - KEEP_FOR
