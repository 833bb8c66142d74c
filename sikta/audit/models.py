"""The audit log: who read, changed or exported whose data, when and from where.

Our own small model rather than django-auditlog: we need one row per read of a participant
(not only per change), the participant as a first-class column to search on, and rows that
nothing in the application can change or delete. The last is enforced three times: the model
refuses updates and deletes, the admin offers neither, and database triggers (see the
migration) refuse UPDATE and DELETE on the table itself.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sikta.audit.chain import chain_lock, link


class AppendOnlyError(Exception):
    pass


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_REFUSED = "login.refused", _("Sign-in refused")
    INSATS_CHOSEN = "insats.chosen", _("Chose the programme to work in")
    PARTICIPANT_VIEW = "participant.view", _("Viewed participant")
    PARTICIPANT_LIST = "participant.list", _("Listed participant")
    PARTICIPANT_CREATE = "participant.create", _("Created participant")
    PARTICIPANT_CHANGE = "participant.change", _("Changed participant")
    PARTICIPANT_EXPORT = "participant.export", _("Exported participant")
    PARTICIPANT_ASSIGN = "participant.assign", _("Assigned participant")
    PARTICIPANT_PROTECTION = "participant.protection", _("Changed protected identity")
    REFERRAL_CREATE = "referral.create", _("Received referral")
    REFERRAL_VIEW = "referral.view", _("Viewed referral")
    REFERRAL_LIST = "referral.list", _("Listed referral")
    REFERRAL_CHANGE = "referral.change", _("Changed referral")
    EMPLOYER_CHANGE = "employer.change", _("Changed employer")
    LIST_IMPORT = "list.import", _("Imported a list")
    CALENDAR_FEED = "calendar.feed", _("Changed own calendar address")
    REPORT_EXPORT = "report.export", _("Exported a report")
    ACTIVITY_CHANGE = "activities.manage", _("Changed the activity plan")
    AUDIT_SEARCH = "audit.search", _("Searched the audit log")
    AUDIT_REVIEW = "audit.review", _("Reviewed the audit log")
    AUDIT_VERIFY = "audit.verify", _("Verified the audit log's hash chain")


# The key in `detail` that flags a record about a person with protected identity (skyddad
# identitet). Set by the audit services, never by a view.
PROTECTED_FLAG = "protected_identity"

# What a log review samples from: staff reading people's data.
STAFF_READS = (
    AuditAction.PARTICIPANT_VIEW,
    AuditAction.PARTICIPANT_LIST,
    AuditAction.PARTICIPANT_EXPORT,
    AuditAction.REFERRAL_VIEW,
)


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        """Chain the rows in the order given, then insert them, all under the chain lock."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain_lock(self.db)
            link(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraints on the links: the log must outlive the user and the participant
    # (a participant's record is deleted on schedule; the record that it was read is not).
    # The indexes below (user, at) and (participant, at) serve a search by either: no index of
    # the key alone (134 MiB at 10 million records, for nothing).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction.choices)
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
        verbose_name=_("participant"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("referral"),
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True)
    path = models.CharField(_("page"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The chain: set on insert (chain.link), never by hand.
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, null=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["participant", "at"]),
            models.Index(fields=["user", "at"]),
            # The search by user name, as typed (any case: `username__iexact`), in the log's
            # order: a page is the first records of the index, not a sort of all the user's.
            models.Index(
                Upper("username"), F("at").desc(), F("id").desc(), name="audit_username_at"
            ),
            # The search for records about people with protected identity, in the log's order.
            models.Index(
                F("at").desc(),
                F("id").desc(),
                name="audit_protected_at",
                condition=Q(**{f"detail__{PROTECTED_FLAG}": True}),
            ),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            chain_lock(using)
            link([self], using=using)
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def role_label(self) -> str:
        from sikta.access.roles import RoleCode

        return RoleCode(self.role).label if self.role in RoleCode.values else self.role


class LogReview(models.Model):
    """A sampling review of staff reads for a period (logguppföljning), by the insatsledare."""

    # The reads of one insats are reviewed by its leads (the controllers' review, per insats).
    insats = models.ForeignKey(
        "organisation.Insats",
        on_delete=models.PROTECT,
        null=True,
        related_name="log_reviews",
        verbose_name=_("programme"),
    )
    # The controller whose records' reads are reviewed (each member party follows up the reads
    # of the records it is personuppgiftsansvarig for); empty: every controller of the insats.
    controller = models.ForeignKey(
        "organisation.MemberParty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("controller"),
    )
    period_from = models.DateField(_("from (date)"))
    period_to = models.DateField(_("to (date)"))
    sample_size = models.PositiveSmallIntegerField(_("sample size"))
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_by_name = models.CharField(_("drawn by"), max_length=150)
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("log review")
        verbose_name_plural = _("log reviews")
        ordering = ["-drawn_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.period_from}–{self.period_to} ({self.drawn_by_name})"


class LogReviewItem(models.Model):
    """One sampled read: was it justified? Reads outside the reader's caseload come first."""

    review = models.ForeignKey(
        LogReview, on_delete=models.CASCADE, related_name="items", verbose_name=_("review")
    )
    # Like the log's own links: no database constraint (the log table refuses deletes anyway).
    event = models.ForeignKey(
        AuditEvent,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("audit record"),
    )
    outside_caseload = models.BooleanField(_("outside the reader's caseload"), default=False)
    justified = models.BooleanField(_("justified"), null=True)
    comment = models.TextField(_("comment"), blank=True)
    reviewed_by_name = models.CharField(_("reviewed by"), max_length=150, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("log review item")
        verbose_name_plural = _("log review items")
        ordering = ["-outside_caseload", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "event"], name="audit_review_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.event_id}"


class ChainCheck(models.Model):
    """A verification of the hash chain, up to the record `through_pk`: where the next check may
    continue from. `complete`: this one recomputed every record from the first (the nightly
    `manage.py verify_audit_chain`); otherwise it continued from an earlier check."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    complete = models.BooleanField(_("from the first record"))
    count = models.PositiveBigIntegerField(_("records verified"))
    # All set by the check itself.
    through_pk = models.PositiveBigIntegerField(
        _("last record verified"), null=True, editable=False
    )
    through_sequence = models.PositiveBigIntegerField(null=True, editable=False)
    through_hash = models.CharField(max_length=64, blank=True, editable=False)
    broken_pk = models.PositiveBigIntegerField(_("first broken record"), null=True, editable=False)
    problem = models.CharField(max_length=20, blank=True, editable=False)
    message = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("hash chain check")
        verbose_name_plural = _("hash chain checks")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.count}"

    @property
    def ok(self) -> bool:
        return self.broken_pk is None
