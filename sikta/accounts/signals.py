"""Logins and logouts are part of the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # A sign-in through an identity provider says which one, and at what assurance level.
    detail = getattr(request, "sign_in_detail", None)
    audit_record(request=request, user=user, action=AuditAction.LOGIN, detail=detail)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        detail = getattr(request, "sign_in_detail", None)
        audit_record(request=request, user=user, action=AuditAction.LOGOUT, detail=detail)
