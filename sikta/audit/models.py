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
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    PARTICIPANT_VIEW = "participant.view", _("Viewed participant")
    PARTICIPANT_LIST = "participant.list", _("Listed participant")
    PARTICIPANT_CREATE = "participant.create", _("Created participant")
    PARTICIPANT_CHANGE = "participant.change", _("Changed participant")
    PARTICIPANT_EXPORT = "participant.export", _("Exported participant")
    PARTICIPANT_ASSIGN = "participant.assign", _("Assigned participant")
    REFERRAL_CREATE = "referral.create", _("Received referral")
    REFERRAL_VIEW = "referral.view", _("Viewed referral")
    REFERRAL_LIST = "referral.list", _("Listed referral")
    REFERRAL_CHANGE = "referral.change", _("Changed referral")
    EMPLOYER_CHANGE = "employer.change", _("Changed employer")
    REPORT_EXPORT = "report.export", _("Exported a report")
    ACTIVITY_CHANGE = "activities.manage", _("Changed the activity plan")
    AUDIT_SEARCH = "audit.search", _("Searched the audit log")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraints on the links: the log must outlive the user and the participant
    # (a participant's record is deleted on schedule; the record that it was read is not).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
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
    ip_address = models.GenericIPAddressField(_("address"), null=True)
    path = models.CharField(_("page"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["participant", "at"]),
            models.Index(fields=["user", "at"]),
        ]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")

    @property
    def role_label(self) -> str:
        from sikta.access.roles import RoleCode

        return RoleCode(self.role).label if self.role in RoleCode.values else self.role
