"""Group activities: the list, a group with its members and sessions, attendance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sikta.access.decorators import requires
from sikta.access.policy import (
    Action,
    group_scope,
    insats_of,
    participant_scope,
)
from sikta.audit.models import AuditAction
from sikta.audit.services import Actor, audit_record_many
from sikta.core.http import require_form_methods
from sikta.groups import services
from sikta.groups.forms import AttendanceForm, GroupForm, MembersForm, SessionForm
from sikta.groups.models import Group
from sikta.participants.identity import masked_last, search
from sikta.participants.models import Participant

# "Add participants" offers at most this many to tick: a search finds the others.
CANDIDATES_SHOWN = 50


def _group_for_user(request: HttpRequest, pk: int) -> Group:
    """The group if the user may see it, else 404 (missing and forbidden look the same)."""
    group = Group.objects.filter(group_scope(request.user)).distinct().filter(pk=pk).first()
    if group is None:
        raise Http404
    return group


@requires(Action.HANDLE_GROUPS)
@require_form_methods
def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        Group.objects.filter(group_scope(request.user))
        .distinct()
        .select_related("lansdel")
        .prefetch_related("leaders")
        .order_by("name", "pk")
    )
    form = GroupForm(request.POST or None, insats=insats_of(request.user))
    if request.method == "POST" and form.is_valid():
        group = services.group_save(form=form, actor=Actor.of(request))
        messages.success(request, _("The group %(name)s is created.") % {"name": group.name})
        return redirect("group_detail", pk=group.pk)
    return render(
        request,
        "groups/group_list.html",
        {"groups": groups, "form": form},
        status=400 if form.is_bound else 200,
    )


def _members(request: HttpRequest, group: Group) -> list[Participant]:
    return list(
        masked_last(
            group.members.select_related("kommun", "track").order_by("last_name"), request.user
        )
    )


def _search_text(request: HttpRequest) -> str:
    """The search among those to add (?q=, or q of the form sent). A NUL cannot be typed, and
    PostgreSQL refuses it in a query (a server error): dropped."""
    text = request.GET.get("q") or request.POST.get("q") or ""
    return text.replace("\x00", "").strip()[:100]


def _members_form(
    request: HttpRequest, members: list[Participant], data: Any = None
) -> MembersForm:
    """Adding members: any of the user's active participants not in the group yet may be sent;
    at most CANDIDATES_SHOWN of them are offered to tick: those the search finds, by name (no
    masked person is found), or without one the most recently enrolled, newest first (an order
    that tells nothing of a masked name)."""
    candidates = (
        Participant.objects.filter(participant_scope(request.user))
        .active()
        .exclude(pk__in=[m.pk for m in members])
    )
    text = _search_text(request)
    if text:
        found = search(candidates, text, request.user).order_by("last_name", "first_name", "pk")
    else:
        found = candidates.order_by("-start_date", "-pk")
    shown = list(found.select_related("kommun")[: CANDIDATES_SHOWN + 1])
    return MembersForm(
        data,
        prefix="m",
        candidates=masked_last(candidates.order_by("last_name", "first_name"), request.user),
        shown=shown[:CANDIDATES_SHOWN],
        more=len(shown) > CANDIDATES_SHOWN,
        search=text,
        user=request.user,
    )


def _group_page(
    request: HttpRequest,
    group: Group,
    *,
    members: list[Participant] | None = None,
    session_form: SessionForm | None = None,
    members_form: MembersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if members is None:
        members = _members(request, group)
    if members_form is None:
        members_form = _members_form(request, members)
    # The members, and the participants offered to add: both are shown by name.
    audit_record_many(
        request=request,
        action=AuditAction.PARTICIPANT_LIST,
        participants=[*members, *(members_form.shown or ())],
    )
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "members": members,
            "sessions": group.sessions.all(),
            "session_form": session_form if session_form is not None else SessionForm(prefix="s"),
            "members_form": members_form,
        },
        status=status,
    )


@requires(Action.HANDLE_GROUPS)
@require_form_methods
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A group with its members and sessions; a POST adds a session."""
    group = _group_for_user(request, pk)
    if request.method != "POST":
        return _group_page(request, group)
    session_form = SessionForm(request.POST, prefix="s")
    if not session_form.is_valid():
        return _group_page(request, group, session_form=session_form, status=400)
    session = services.session_add(group=group, form=session_form, actor=Actor.of(request))
    return redirect("group_session", pk=pk, session=session.pk)


@requires(Action.HANDLE_GROUPS)
@require_POST
def group_members_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add some of the user's active participants to the group."""
    group = _group_for_user(request, pk)
    members = _members(request, group)
    members_form = _members_form(request, members, request.POST)
    if not members_form.is_valid():
        return _group_page(request, group, members=members, members_form=members_form, status=400)
    services.members_add(
        group=group,
        participants=list(members_form.cleaned_data["participants"]),
        actor=Actor.of(request),
    )
    messages.success(request, _("The participants are added to the group."))
    return redirect("group_detail", pk=pk)


@requires(Action.HANDLE_GROUPS)
@require_form_methods
def group_session(request: HttpRequest, pk: int, session: int) -> HttpResponse:
    group = _group_for_user(request, pk)
    session_obj = get_object_or_404(group.sessions, pk=session)
    members = list(
        masked_last(
            # The kommun: whether a protected member's name may be shown depends on its länsdel.
            group.members.select_related("kommun").order_by("last_name", "first_name"),
            request.user,
        )
    )
    present = set(
        session_obj.attendance.filter(present=True).values_list("participant_id", flat=True)
    )
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        members=members,
        present=present,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        changed = services.attendance_save(
            session=session_obj, present=form.present_ids(), actor=Actor.of(request)
        )
        messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": changed})
        return redirect("group_session", pk=pk, session=session)
    audit_record_many(request=request, action=AuditAction.PARTICIPANT_LIST, participants=members)
    return render(
        request,
        "groups/session.html",
        {"group": group, "session": session_obj, "form": form},
    )
