"""The access policy: the one place that answers "may this user do this?".

    may(user, Action.VIEW_PARTICIPANT, participant)   # a single decision
    participant_scope(user)                           # the Q that lists may start from
    get_participant_for_user(request, pk, action)     # 404 for outsiders, writes the audit row
    referral_scope(user), get_referral_for_user(…)    # the same for referrals (aktualiseringar)

Rules, each within one insats: a staff record is a person's role in one insats, and the scope
of everything below is that insats (a login with roles in several insatser works in one at a
time, the one chosen in the session: `choose_record`):
- coach and koordinator: only participants assigned to them;
- samordnare: the participants, referrals and data of their own länsdel;
- insatsledare and insatsägare: everything in the programme;
- styrgrupp and utvärderare: never an identified person, only aggregates;
- a login without a staff record (or an inactive one): nothing;
- a role of the förbund itself (a record with no insats: insatsägare, insatsledare, styrgrupp
  across every insats) sees aggregates of all the insatser and never a person: the member
  party whose staff work a case is its controller, not the förbund.

Skyddad identitet (protected identity), on top of the rules above:
    may_see_identity(user, participant)     # name, personnummer, e-mail, phone: shown?
    identity_scope(user)                    # the same as a filter (for searching by name)
    may_see_referral_identity(user, referral)
- a participant marked protected is identified only to the staff member responsible for them
  (participant.assigned_to) and the samordnare of the participant's länsdel;
- everyone else who may see the case (the leads, group leaders, other coaches, admin) sees
  "Protected identity #id" instead of the name, and no personnummer (it identifies: it is
  masked too, with the birth date it contains), e-mail or phone;
- a referral of a protected person (one the referral was accepted into, or with the same
  personnummer) is masked the same way; the samordnare of the referral's länsdel handles it;
- marking: the responsible coach or koordinator and the samordnare may mark a participant as
  protected (PROTECT_IDENTITY, the cautious direction); only the samordnare may remove the
  mark (UNPROTECT_IDENTITY), since that shows the person to more people;
- documents and e-mails, whose readers the system does not know, always carry the masked form.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest

# Part of the policy's interface, re-exported (`x as x`).
from sikta.access.protection import (
    note_referral_protection as note_referral_protection,
    protected_participants_of as protected_participants_of,
    referral_is_protected as referral_is_protected,
)
from sikta.access.roles import RoleCode
from sikta.access.staff import (
    choose_record as choose_record,
    insats_of as insats_of,
    lansdel_of as lansdel_of,
    role_of as role_of,
    staff_of as staff_of,
    staff_records as staff_records,
)

if TYPE_CHECKING:
    from sikta.organisation.models import Insats, Lansdel, StaffMember
    from sikta.participants.models import Participant
    from sikta.referrals.models import Referral


class Action(StrEnum):
    VIEW_PARTICIPANT = "participant.view"
    LIST_PARTICIPANTS = "participant.list"
    CHANGE_PARTICIPANT = "participant.change"
    EXPORT_PARTICIPANTS = "participant.export"
    VIEW_LANSDEL_CASELOAD = "lansdel.caseload"
    VIEW_ORGANISATION = "organisation.view"
    VIEW_AGGREGATES = "aggregates.view"
    VIEW_AUDIT_LOG = "audit.view"
    # Referrals: the queue, a referral, registering one taken by phone, deciding.
    HANDLE_REFERRALS = "referral.handle"
    # Choosing or changing a participant's coach or koordinator.
    ASSIGN_PARTICIPANT = "participant.assign"
    # The register of employers that offer work training (no participant in it by itself).
    VIEW_EMPLOYERS = "employer.view"
    CHANGE_EMPLOYERS = "employer.change"
    # Group activities: the groups one leads, or (samordnare) those of the länsdel.
    HANDLE_GROUPS = "group.handle"
    # The evaluator's pseudonymised data set.
    EXPORT_PSEUDONYMISED = "export.pseudonymised"
    # The activity plan and meetings (steering groups, trainings): reading it and its minutes,
    # which name no participant; and planning, recording and uploading (samordnare: the local
    # steering group of their own länsdel only; the leads: everything).
    VIEW_ACTIVITY_PLAN = "activities.view"
    MANAGE_ACTIVITY_PLAN = "activities.manage"
    # Writing the samordnare's comments of a lägesrapport (reading one is VIEW_AGGREGATES).
    WRITE_STATUS_REPORT = "statusreport.write"
    # Uppföljning Finsam: the per-participant registration checklist and its export.
    HANDLE_FINSAM = "finsam.handle"
    # Uppföljning Finsam as the service takes it today: per insats, the number of participants
    # by kön (exact counts, no person), for the insats's leads and the förbund's.
    REPORT_FINSAM_COUNTS = "finsam.counts"
    # Privacy duties: reviewing staff reads in the audit log (logguppföljning), and producing a
    # person's register extract (GDPR art. 15). Consent is recorded with CHANGE_PARTICIPANT.
    REVIEW_AUDIT_LOG = "audit.review"
    REGISTER_EXTRACT = "privacy.extract"
    # Skyddad identitet: marking a participant as protected, and removing the mark.
    PROTECT_IDENTITY = "participant.protect"
    UNPROTECT_IDENTITY = "participant.unprotect"
    # Importing the lists an insats kept before (participants, employers) from a file: a
    # samordnare into their own länsdel (import_kommun_scope), the insatsledare into the insats.
    IMPORT_LISTS = "import.lists"


_PERSON_ACTIONS = frozenset(
    {
        Action.VIEW_PARTICIPANT,
        Action.LIST_PARTICIPANTS,
        Action.CHANGE_PARTICIPANT,
        Action.EXPORT_PARTICIPANTS,
    }
)
_EMPLOYER_ACTIONS = frozenset(
    {Action.VIEW_EMPLOYERS, Action.CHANGE_EMPLOYERS, Action.HANDLE_GROUPS}
)
_EVERYONE = frozenset({Action.VIEW_ORGANISATION, Action.VIEW_AGGREGATES, Action.VIEW_ACTIVITY_PLAN})
# Those who lead the work of a länsdel (samordnare) or of all of them.
_LEAD_ACTIONS = frozenset(
    {
        Action.VIEW_LANSDEL_CASELOAD,
        Action.HANDLE_REFERRALS,
        Action.ASSIGN_PARTICIPANT,
        Action.MANAGE_ACTIVITY_PLAN,
        Action.WRITE_STATUS_REPORT,
        Action.HANDLE_FINSAM,
    }
)

GRANTS: dict[RoleCode, frozenset[Action]] = {
    RoleCode.INSATSAGARE: _EVERYONE
    | _PERSON_ACTIONS
    | _LEAD_ACTIONS
    | _EMPLOYER_ACTIONS
    | {
        Action.VIEW_AUDIT_LOG,
        Action.EXPORT_PSEUDONYMISED,
        Action.REVIEW_AUDIT_LOG,
        Action.REGISTER_EXTRACT,
        Action.REPORT_FINSAM_COUNTS,
    },
    RoleCode.INSATSLEDARE: _EVERYONE
    | _PERSON_ACTIONS
    | _LEAD_ACTIONS
    | _EMPLOYER_ACTIONS
    | {
        Action.VIEW_AUDIT_LOG,
        Action.EXPORT_PSEUDONYMISED,
        Action.REVIEW_AUDIT_LOG,
        Action.REGISTER_EXTRACT,
        Action.REPORT_FINSAM_COUNTS,
        Action.IMPORT_LISTS,
    },
    RoleCode.SAMORDNARE: _EVERYONE
    | _PERSON_ACTIONS
    | _LEAD_ACTIONS
    | _EMPLOYER_ACTIONS
    | {Action.PROTECT_IDENTITY, Action.UNPROTECT_IDENTITY, Action.IMPORT_LISTS},
    RoleCode.COACH: _EVERYONE
    | _EMPLOYER_ACTIONS
    | {
        Action.VIEW_PARTICIPANT,
        Action.LIST_PARTICIPANTS,
        Action.CHANGE_PARTICIPANT,
        Action.PROTECT_IDENTITY,
    },
    RoleCode.KOORDINATOR: _EVERYONE
    | _EMPLOYER_ACTIONS
    | {
        Action.VIEW_PARTICIPANT,
        Action.LIST_PARTICIPANTS,
        Action.CHANGE_PARTICIPANT,
        Action.PROTECT_IDENTITY,
    },
    RoleCode.STYRGRUPP: _EVERYONE,
    RoleCode.UTVARDERARE: _EVERYONE | {Action.EXPORT_PSEUDONYMISED},
}

# What a role of the förbund may do at most: aggregates, never a person.
_FORBUND = _EVERYONE | {Action.WRITE_STATUS_REPORT, Action.REPORT_FINSAM_COUNTS}

_NOBODY = Q(pk__in=[])


def scope_filter(user: Any, path: str = "insats") -> Q:
    """What of the installation `user` may count in aggregates, as a filter on `path` (the way
    to an insats): their insats, every insats for a role of the förbund, nothing without a
    role."""
    staff = staff_of(user)
    if staff is None:
        return _NOBODY
    return Q() if staff.insats_id is None else Q(**{f"{path}_id": staff.insats_id})


def reported_insatser(user: Any) -> Any:
    """The insatser the user's reports count (a QuerySet): their own, every insats for a role
    of the förbund, none without a role."""
    from sikta.organisation.models import Insats

    staff = staff_of(user)
    if staff is None:
        return Insats.objects.none()
    if staff.insats_id is None:
        return Insats.objects.all()
    return Insats.objects.filter(pk=staff.insats_id)


def report_scope(user: Any) -> tuple[Q, Q, bool]:
    """What the user's reports count — participants, referrals — and whether small counts must
    be hidden. Roles that see persons count what they may see (a samordnare their länsdel);
    the aggregate-only roles (styrgrupp, evaluator, the förbund's) count their insats (the
    förbund's: every insats), suppressed."""
    if Action.VIEW_PARTICIPANT in grants(user):
        return participant_scope(user), referral_scope(user), False
    return scope_filter(user), scope_filter(user, "track__insats"), True


def sees_exact_counts(user: Any) -> bool:
    """Whether `user` sees every count of their insats unsuppressed: its leads only."""
    staff = staff_of(user)
    return (
        staff is not None
        and staff.insats_id is not None
        and staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE)
    )


def grants(user: Any) -> frozenset[Action]:
    staff = staff_of(user)
    if staff is None:
        return frozenset()
    granted = GRANTS.get(RoleCode(staff.role.code), frozenset())
    # A role of the förbund counts (and its leads write the förbund's lägesrapport); it never
    # sees a person.
    return granted & _FORBUND if staff.insats_id is None else granted


def _whole_insats(staff: StaffMember) -> bool:
    """Whether a samordnare's scope is the whole insats: one without länsdelar."""
    if not hasattr(staff, "_sikta_whole"):
        insats = staff.insats
        staff._sikta_whole = (  # type: ignore[attr-defined]
            not staff.lansdel_id and insats is not None and not insats.lansdelar.exists()
        )
    return staff._sikta_whole  # type: ignore[attr-defined]


def _area(staff: StaffMember, path: str) -> Q:
    """A samordnare's area as a filter on `path` (the way to a länsdel)."""
    if staff.lansdel_id:
        return Q(**{f"{path}_id": staff.lansdel_id})
    return Q() if _whole_insats(staff) else _NOBODY


def participant_scope(user: Any) -> Q:
    """The participants `user` may see, as a filter for Participant querysets."""
    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.VIEW_PARTICIPANT not in grants(user):
        return _NOBODY
    role = staff.role.code
    in_insats = Q(insats_id=staff.insats_id)
    if role in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return in_insats
    if role == RoleCode.SAMORDNARE:
        return in_insats & _area(staff, "kommun__lansdel")
    if role in (RoleCode.COACH, RoleCode.KOORDINATOR):
        return in_insats & Q(assigned_to_id=staff.pk)
    return _NOBODY


def booking_scope(user: Any) -> Q:
    """The bookings `user` may see, as a filter for Booking querysets: those of the
    participants they may see (a coach their own, a samordnare the länsdel's)."""
    from sikta.participants.models import Participant

    scope = participant_scope(user)
    if scope == _NOBODY:
        return _NOBODY
    return Q(participant__in=Participant.objects.filter(scope).values("pk"))


def handover_staff_scope(user: Any) -> Q:
    """The caseworkers whose caseload `user` may hand over, as a filter for StaffMember
    querysets: a samordnare those of their länsdel, the leads every one in their insats —
    departed (inactive) ones included, since that is when a caseload is handed over."""
    from sikta.access.roles import CASEWORKER_ROLES

    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.ASSIGN_PARTICIPANT not in grants(user):
        return _NOBODY
    scope = Q(insats_id=staff.insats_id, role__code__in=CASEWORKER_ROLES)
    if staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return scope
    if staff.role.code == RoleCode.SAMORDNARE:
        return scope & _area(staff, "lansdel")
    return _NOBODY


def import_kommun_scope(user: Any) -> Q:
    """The kommuner `user` may import participants into (IMPORT_LISTS), as a filter for Kommun
    querysets: a samordnare their länsdel's, the insatsledare every one of their insats."""
    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.IMPORT_LISTS not in grants(user):
        return _NOBODY
    in_insats = Q(insats_id=staff.insats_id)
    if staff.role.code == RoleCode.SAMORDNARE:
        return in_insats & _area(staff, "lansdel")
    return in_insats


def may_use_import_batch(user: Any, batch: Any) -> bool:
    """An uploaded list waiting for import is the uploader's alone, in the insats and role
    they uploaded it as (another's looks like one that does not exist)."""
    staff = staff_of(user)
    return (
        staff is not None
        and Action.IMPORT_LISTS in grants(user)
        and batch.staff_id == staff.pk
        and batch.uploaded_by_id == staff.user_id
    )


def referral_scope(user: Any) -> Q:
    """The referrals `user` may handle: a samordnare their länsdel's, the leads all of them,
    in their insats."""
    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.HANDLE_REFERRALS not in grants(user):
        return _NOBODY
    in_insats = Q(track__insats_id=staff.insats_id)
    if staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return in_insats
    if staff.role.code == RoleCode.SAMORDNARE:
        return in_insats & _area(staff, "kommun__lansdel")
    return _NOBODY


def group_scope(user: Any) -> Q:
    """The group activities `user` may see: those they lead; a samordnare also the länsdel's
    and the county-wide ones; the leads all — in their insats."""
    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.HANDLE_GROUPS not in grants(user):
        return _NOBODY
    role = staff.role.code
    in_insats = Q(insats_id=staff.insats_id)
    if role in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return in_insats
    scope = Q(leaders=staff)
    if role == RoleCode.SAMORDNARE:
        scope |= _area(staff, "lansdel") | Q(lansdel__isnull=True)
    return in_insats & scope


def _insats_id(target: Participant | Referral | Lansdel) -> int | None:
    from sikta.referrals.models import Referral

    if isinstance(target, Referral):
        return target.kommun.insats_id
    return target.insats_id


def may(user: Any, action: Action, target: Participant | Referral | Lansdel | None = None) -> bool:
    """Whether `user` may do `action`, on `target` if one is given."""
    if action not in grants(user):
        return False
    if target is None:
        return True
    staff = staff_of(user)
    assert staff is not None  # grants() is empty without a staff record
    if staff.insats_id is None or _insats_id(target) != staff.insats_id:
        return False  # another insats's, or the förbund's role: no person, no area
    role = staff.role.code
    if role in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return True
    from sikta.organisation.models import Lansdel

    if isinstance(target, Lansdel):
        return role == RoleCode.SAMORDNARE and target.pk == staff.lansdel_id
    if role == RoleCode.SAMORDNARE:
        # A participant's or a referral's länsdel.
        return _in_area(staff, target.kommun.lansdel_id)
    if role in (RoleCode.COACH, RoleCode.KOORDINATOR):
        return getattr(target, "assigned_to_id", None) == staff.pk
    return False


def may_write_status_report(user: Any, insats: Insats | None, lansdel: Lansdel | None) -> bool:
    """A lägesrapport: a samordnare writes their own länsdel's, the leads any of their insats,
    the whole insats's included; the förbund's leads the whole förbund's (`insats` None)."""
    staff = staff_of(user)
    if Action.WRITE_STATUS_REPORT not in grants(user) or staff is None:
        return False
    if staff.insats_id != (insats.pk if insats is not None else None):
        return False
    if lansdel is None:
        return staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE)
    return may(user, Action.WRITE_STATUS_REPORT, lansdel)


def status_report_scope(user: Any) -> Q:
    """The lägesrapporter `user` may read (published ones; drafts only their writers): those
    of their insats and the whole förbund's; a role of the förbund every one."""
    staff = staff_of(user)
    if staff is None:
        return _NOBODY
    if staff.insats_id is None:
        return Q()
    return Q(insats_id=staff.insats_id) | Q(insats__isnull=True)


def _samordnare_kinds() -> tuple[str, ...]:
    """What a samordnare may plan and record in the activity plan, always for their own
    länsdel: the local steering group, trainings and staff meetings."""
    from sikta.activities.models import Kind

    return (Kind.LOCAL_STEERING, Kind.TRAINING, Kind.STAFF_MEETING)


def may_create_activity(user: Any) -> bool:
    """Whether `user` may plan a new activity: the leads, and a samordnare with a länsdel."""
    staff = staff_of(user)
    return (
        Action.MANAGE_ACTIVITY_PLAN in grants(user)
        and staff is not None
        and (staff.role.code != RoleCode.SAMORDNARE or staff.lansdel_id is not None)
    )


def may_manage_activity(user: Any, activity: Any) -> bool:
    """Whether `user` may change `activity` (a meeting of the activity plan): the leads any of
    their insats, a samordnare those of their own länsdel of the kinds they plan."""
    staff = staff_of(user)
    if Action.MANAGE_ACTIVITY_PLAN not in grants(user) or staff is None:
        return False
    if staff.insats_id is None or activity.insats_id != staff.insats_id:
        return False
    if staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return True
    return (
        staff.role.code == RoleCode.SAMORDNARE
        and staff.lansdel_id is not None
        and activity.lansdel_id == staff.lansdel_id
        and activity.kind in _samordnare_kinds()
    )


def activity_choices(user: Any, insats: Insats) -> dict[str, Any]:
    """The kinds and länsdelar `user` may choose in the activity form."""
    from sikta.activities.models import Kind
    from sikta.organisation.models import Lansdel

    staff = staff_of(user)
    if staff is not None and staff.role.code in (RoleCode.INSATSAGARE, RoleCode.INSATSLEDARE):
        return {"kinds": list(Kind.values), "lansdelar": insats.lansdelar.all()}
    lansdel_id = staff.lansdel_id if staff is not None else None
    return {
        "kinds": list(_samordnare_kinds()),
        "lansdelar": Lansdel.objects.filter(pk__in=[lansdel_id] if lansdel_id else []),
        "lansdel_required": True,
    }


def _in_area(staff: StaffMember, lansdel_id: int | None) -> bool:
    if staff.lansdel_id:
        return lansdel_id == staff.lansdel_id
    return _whole_insats(staff)


def may_see_identity(user: Any, participant: Participant) -> bool:
    """Whether `user` may see who `participant` is: name, personnummer, e-mail and phone.

    Anyone for a participant without protected identity (whether they may see the case at all
    is `may`'s question). For a protected one: only the staff member responsible for them and
    the samordnare of their länsdel. Without a known reader (documents, e-mails): nobody.
    """
    if not getattr(participant, "protected_identity", False):
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    if participant.assigned_to_id is not None and participant.assigned_to_id == staff.pk:
        return True
    return (
        staff.role.code == RoleCode.SAMORDNARE
        and participant.insats_id == staff.insats_id
        and _in_area(staff, _lansdel_of_kommun(user, participant))
    )


def _lansdel_of_kommun(user: Any, participant: Participant) -> int | None:
    """The länsdel of `participant`'s kommun without a query per participant: from the kommun
    when it is loaded, else from a map of every kommun's länsdel (kommuner are few), read once
    and cached on the user object for the request, as `staff_records` is."""
    if participant._meta.get_field("kommun").is_cached(participant):
        return participant.kommun.lansdel_id
    lansdelar: dict[int, int | None] | None = getattr(user, "_sikta_kommun_lansdel", None)
    if lansdelar is None or participant.kommun_id not in lansdelar:
        from sikta.organisation.models import Kommun

        lansdelar = dict(Kommun.objects.values_list("pk", "lansdel_id"))
        user._sikta_kommun_lansdel = lansdelar
    if participant.kommun_id not in lansdelar:
        return participant.kommun.lansdel_id  # not there: the kommun's own answer (or error)
    return lansdelar[participant.kommun_id]


def identity_scope(user: Any, prefix: str = "") -> Q:
    """The participants whose identity `user` may see, as a filter (`prefix`: the path to the
    participant, e.g. "participant__"). The same rule as `may_see_identity`."""
    scope = Q(**{f"{prefix}protected_identity": False})
    staff = staff_of(user)
    if staff is None:
        return scope
    scope |= Q(**{f"{prefix}assigned_to_id": staff.pk})
    if staff.role.code == RoleCode.SAMORDNARE and staff.insats_id is not None:
        area = _area(staff, f"{prefix}kommun__lansdel")
        if area != _NOBODY:
            scope |= Q(**{f"{prefix}insats_id": staff.insats_id}) & area
    return scope


def audit_scope(user: Any) -> Q:
    """The audit records `user` may read (VIEW_AUDIT_LOG): those about the participants and
    referrals of their insats, and, of the others (sign-ins, searches), those by the people
    who hold a role in it."""
    from django.db.models import Exists, OuterRef

    from sikta.organisation.models import StaffMember

    staff = staff_of(user)
    if staff is None or staff.insats_id is None or Action.VIEW_AUDIT_LOG not in grants(user):
        return _NOBODY
    insats = staff.insats_id
    by_its_staff = Exists(StaffMember.objects.filter(user_id=OuterRef("user_id"), insats_id=insats))
    from sikta.participants.models import Participant

    # A removed participant (gallring) leaves only its number: read by the insats's staff.
    removed = Q(participant_id__isnull=False) & ~Exists(
        Participant.objects.filter(pk=OuterRef("participant_id"))
    )
    return (
        Q(participant__insats_id=insats)
        | Q(referral__track__insats_id=insats)
        | ((Q(participant_id__isnull=True, referral_id__isnull=True) | removed) & by_its_staff)
    )


def referral_identity_scope(user: Any) -> Q:
    """The referrals whose protected person `user` sees unmasked as the one who decides on
    them: a samordnare's, of their area (the same rule as `may_see_referral_identity`)."""
    staff = staff_of(user)
    if staff is None or staff.insats_id is None or staff.role.code != RoleCode.SAMORDNARE:
        return _NOBODY
    return Q(track__insats_id=staff.insats_id) & _area(staff, "kommun__lansdel")


def may_see_referral_identity(user: Any, referral: Referral) -> bool:
    """Whether `user` may see who a referral is about. For a protected person: the samordnare
    of the referral's länsdel (who decides on it), and whoever may see the person's identity."""
    protected = protected_participants_of(referral)
    if not protected:
        return True
    staff = staff_of(user)
    if staff is None:
        return False
    if (
        staff.role.code == RoleCode.SAMORDNARE
        and referral.kommun.insats_id == staff.insats_id
        and _in_area(staff, referral.kommun.lansdel_id)
    ):
        return True
    return any(may_see_identity(user, p) for p in protected)


def get_participant_for_user(
    request: HttpRequest,
    pk: int,
    action: Action = Action.VIEW_PARTICIPANT,
    *,
    audit: str = "",
    refuse: Callable[[Participant], bool] | None = None,
    record_read: bool = True,
) -> Participant:
    """The participant if `request.user` may do `action` on them, else 404.

    Missing and forbidden look the same from outside. A successful read writes the audit row,
    as `audit` if given (a page that only shows the person before a change), else as `action`.
    `refuse`: a further check on a participant the user may see; True is 403, with no audit
    row (nothing was read). A protected person's audit row is flagged by the audit service.
    `record_read=False`: a POST that shows nothing of the person, whose service writes the
    one record of the change (an invalid form then writes none).
    """
    from sikta.audit.services import audit_record
    from sikta.participants.models import Participant

    participant = (
        Participant.objects.select_related("kommun__lansdel", "track", "assigned_to__role")
        .filter(pk=pk)
        .first()
    )
    if participant is None or not may(request.user, action, participant):
        raise Http404
    if refuse is not None and refuse(participant):
        raise PermissionDenied
    if record_read:
        audit_record(request=request, action=audit or str(action), participant=participant)
    return participant


def get_caseworker_for_handover(request: HttpRequest, pk: int) -> StaffMember:
    """The caseworker whose caseload `request.user` may hand over, else 404 (missing and
    forbidden look the same)."""
    from sikta.organisation.models import StaffMember

    staff = (
        StaffMember.objects.filter(handover_staff_scope(request.user), pk=pk)
        .select_related("role", "lansdel", "insats")
        .first()
    )
    if staff is None:
        raise Http404
    return staff


def get_referral_for_user(
    request: HttpRequest, pk: int, action: Action = Action.HANDLE_REFERRALS, *, audit: str = ""
) -> Referral:
    """The referral if `request.user` may handle it, else 404; writes `audit` if given."""
    from sikta.audit.services import audit_record
    from sikta.referrals.models import Referral

    referral = (
        Referral.objects.select_related(
            "kommun__lansdel", "track", "referrer_organisation", "participant", "decline_reason"
        )
        .filter(pk=pk)
        .first()
    )
    if referral is None or not may(request.user, action, referral):
        raise Http404
    if audit:
        audit_record(request=request, action=audit, referral=referral)
    return referral
