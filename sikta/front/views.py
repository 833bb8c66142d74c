from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    grants,
    insats_of,
    may,
    participant_scope,
    referral_scope,
    staff_of,
    staff_records,
)
from sikta.access.roles import CASEWORKER_ROLES, RoleCode
from sikta.audit.models import AuditAction
from sikta.audit.services import audit_record_many
from sikta.bookings.selectors import todays_bookings
from sikta.casework.selectors import (
    case_rows,
    closed_without_exit_survey,
    closed_without_final_document,
)
from sikta.organisation.models import Insats, Role, StaffMember
from sikta.participants.models import Participant
from sikta.participants.selectors import active_counts, caseloads
from sikta.referrals.models import Referral
from sikta.worklists.selectors import summary as worklist_summary

# The samordnare's start page lists the länsdel's participants by staff member; beyond this
# many, the participant list (paginated, searchable) is the place.
SAMORDNARE_ROWS = 400
# A caseworker's start page lists their enrolled participants this many at a time (?sida=).
CASEWORKER_ROWS = 50


def _once(participants: list[Participant]) -> list[Participant]:
    """Each person once, in the order first shown (one audit record per person per page)."""
    return list({p.pk: p for p in participants}.values())


@login_required
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """The start page; what it shows follows the user's role."""
    staff = staff_of(request.user)
    insats = insats_of(request.user)
    context: dict[str, object] = {"staff": staff, "insats": insats}
    if staff is None or not grants(request.user):
        return render(request, "front/start_no_role.html", context)
    role = staff.role.code
    context["worklist"] = worklist_summary(request.user)  # None for a role without persons
    if role in CASEWORKER_ROLES:
        page = Paginator(
            Participant.objects.filter(participant_scope(request.user))
            .enrolled()
            .select_related("kommun", "track")
            .order_by("last_name", "first_name", "pk"),
            CASEWORKER_ROWS,
        ).get_page(request.GET.get("sida"))
        rows = case_rows(page.object_list, insats)
        without_final = list(
            closed_without_final_document(
                Participant.objects.filter(participant_scope(request.user))
            )[:20]
        )
        today_bookings = todays_bookings(request.user)
        audit_record_many(
            request=request,
            action=AuditAction.PARTICIPANT_LIST,
            participants=_once(
                [row.participant for row in rows]
                + without_final
                + [b.participant for b in today_bookings]
            ),
        )
        context["today_bookings"] = today_bookings
        context["rows"] = rows
        context["page"] = page
        context["without_final"] = without_final
        context["without_exit_survey"] = list(
            closed_without_exit_survey(
                Participant.objects.filter(participant_scope(request.user)).filter(
                    end_date__gte=timezone.localdate()
                    - dt.timedelta(days=insats.exit_survey_days if insats else 0)
                )
            )[:20]
        )
        return render(request, "front/start_caseworker.html", context)
    if insats is not None:
        context["counts"] = active_counts(insats)
    else:
        # A role of the förbund: every insats, each with its current numbers (and the way into
        # those the user also holds a role in).
        records = {r.insats_id: r for r in staff_records(request.user) if r.insats_id}
        context["insatser"] = [
            (i, active_counts(i), records.get(i.pk)) for i in Insats.objects.order_by("name")
        ]
    if may(request.user, Action.HANDLE_REFERRALS):
        context["open_referrals"] = (
            Referral.objects.filter(referral_scope(request.user)).open().count()
        )
    if role == RoleCode.SAMORDNARE and staff.lansdel is not None:
        context["caseloads"] = caseloads(insats, staff.lansdel)
        enrolled = Participant.objects.filter(participant_scope(request.user)).enrolled()
        rows = case_rows(
            enrolled.select_related("kommun", "track", "assigned_to").order_by(
                "assigned_to__last_name", "assigned_to__first_name", "last_name", "pk"
            )[:SAMORDNARE_ROWS],
            insats,
        )

        today_bookings = todays_bookings(request.user)
        audit_record_many(
            request=request,
            action=AuditAction.PARTICIPANT_LIST,
            participants=_once(
                [row.participant for row in rows] + [b.participant for b in today_bookings]
            ),
        )
        context["today_bookings"] = today_bookings
        context["rows_by_staff"] = [
            (staff_member, list(group))
            for staff_member, group in groupby(rows, key=lambda row: row.participant.assigned_to)
        ]
        context["lansdel_active"] = enrolled.count()
        context["rows_shown"] = len(rows)
        return render(request, "front/start_samordnare.html", context)
    if may(request.user, Action.VIEW_LANSDEL_CASELOAD):
        context["caseloads"] = caseloads(insats)
    return render(request, "front/start_overview.html", context)


@requires(Action.VIEW_ORGANISATION)
@require_safe
def organisation(request: HttpRequest) -> HttpResponse:
    insats = insats_of(request.user) or Insats.objects.order_by("name").first()
    context: dict[str, object] = {"insats": insats}
    if insats is not None:
        staff = StaffMember.objects.filter(is_active=True, insats=insats).select_related("role")
        context.update(
            lansdelar=insats.lansdelar.prefetch_related(
                "kommuner", Prefetch("staff", queryset=staff.order_by("role__ordering"))
            ),
            programme_staff=staff.filter(lansdel__isnull=True).order_by("role__ordering"),
            tracks=insats.tracks.all(),
            roles=Role.objects.all(),
            financing=insats.financing_shares.select_related("kommun__lansdel"),
            financing_totals=insats.financing_totals(),
        )
    return render(request, "organisation/organisation.html", context)
