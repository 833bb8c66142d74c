"""Gallring: who is due, what removal leaves behind, and the command's dry run."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given, strategies as st

from sikta.audit.models import AuditAction, AuditEvent
from sikta.casework.models import Exit, JournalEntry
from sikta.organisation.models import Insats, Outcome
from sikta.participants.models import Participant
from sikta.privacy.models import RemovedParticipant
from sikta.privacy.retention import participants_due, removed_counts, retention_due
from sikta.referrals.models import Referral
from tests.factories import ParticipantFactory, ReferralFactory, fictional_personnummer

THIS_YEAR = timezone.localdate().year
# Everything made now is last touched this year: due at the end of THIS_YEAR + 6.
TODAY = dt.date(THIS_YEAR + 7, 6, 1)


@pytest.mark.parametrize(
    ("last_entry", "due"),
    [
        (dt.date(2020, 3, 10), dt.date(2026, 12, 31)),
        (dt.date(2020, 12, 31), dt.date(2026, 12, 31)),
        (dt.date(2020, 2, 29), dt.date(2026, 12, 31)),
        (dt.date(2021, 1, 1), dt.date(2027, 12, 31)),
    ],
)
def test_due_date_is_the_end_of_the_year_after(last_entry, due):
    assert retention_due(last_entry, 5) == due


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 30))
def test_due_date_rounds_up_to_a_31_december_within_a_year_and_a_bit(last_entry, years):
    due = retention_due(last_entry, years)
    assert (due.month, due.day) == (12, 31)
    assert due >= _add_years(last_entry, years)
    assert due < _add_years(last_entry, years + 2)


def test_the_programme_file_sets_five_years(db):
    assert Insats.objects.current().retention_years == 5


def _closed(**kwargs) -> Participant:
    participant = ParticipantFactory(
        status=Participant.Status.CLOSED,
        start_date=dt.date(THIS_YEAR, 1, 10),
        end_date=dt.date(THIS_YEAR, 3, 20),
        **kwargs,
    )
    entry = JournalEntry.objects.create(
        participant=participant, date=dt.date(THIS_YEAR, 2, 1), kind="mote", note="Samtal om hälsa."
    )
    correction = JournalEntry.objects.create(
        participant=participant, date=dt.date(THIS_YEAR, 2, 1), kind="mote", note="Rättat."
    )
    entry.corrected_by = correction
    entry.save()
    Exit.objects.create(
        participant=participant,
        start_date=participant.start_date,
        end_date=participant.end_date,
        outcome=Outcome.objects.get(code="arbete"),
    )
    return participant


@pytest.fixture
def cases(db):
    # Born 5 January, 27 years before the start on 10 January: in the band 25–29.
    old = _closed(personnummer=fictional_personnummer(900, year=THIS_YEAR - 27))
    recent = _closed()
    JournalEntry.objects.create(
        participant=recent, date=dt.date(THIS_YEAR + 1, 5, 1), kind="telefon", note="Uppföljning."
    )
    active = ParticipantFactory(start_date=dt.date(THIS_YEAR, 1, 10))
    decided = ReferralFactory(personnummer=str(old.personnummer), status="antagen")
    other = ReferralFactory(status="antagen")
    AuditEvent.objects.create(action=AuditAction.PARTICIPANT_VIEW, participant=old)
    return {"old": old, "recent": recent, "active": active, "decided": decided, "other": other}


def _gallra(*args: str) -> str:
    out = StringIO()
    call_command("gallra", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_only_closed_participants_past_retention_are_due(cases):
    assert list(participants_due(TODAY)) == [cases["old"]]
    assert list(participants_due(dt.date(THIS_YEAR + 6, 12, 31))) == []


def test_a_dry_run_lists_without_names_and_removes_nothing(cases):
    output = _gallra()
    old = cases["old"]
    # Rows written today count as entries too (created_at).
    assert f"participant {old.pk}: last entry {timezone.localdate()}" in output
    assert f"kept 5 years, until {THIS_YEAR + 6}-12-31" in output
    assert "Region Sörmland:" in output  # listed by controller
    assert "1 participant(s) due; dry run" in output
    assert old.first_name not in output and str(old.personnummer) not in output
    assert Participant.objects.count() == 3
    assert not RemovedParticipant.objects.exists()


def test_execute_removes_the_due_participant_and_nothing_else(cases):
    old = cases["old"]
    output = _gallra("--execute")
    assert "1 participant(s) removed." in output
    assert set(Participant.objects.all()) == {cases["recent"], cases["active"]}
    assert not JournalEntry.objects.filter(participant_id=old.pk).exists()
    assert not Exit.objects.filter(participant_id=old.pk).exists()
    assert not Referral.objects.filter(personnummer=str(old.personnummer)).exists()
    assert Referral.objects.filter(pk=cases["other"].pk).exists()


def test_the_statistics_row_keeps_no_personal_data(cases):
    old = cases["old"]
    _gallra("--execute")
    record = RemovedParticipant.objects.get()
    names = {f.name for f in RemovedParticipant._meta.fields}
    assert not names & {"personnummer", "first_name", "last_name", "email", "phone", "note"}
    values = " ".join(str(getattr(record, f)) for f in names)
    assert old.first_name not in values and old.personnummer.digits not in values
    assert (record.gender, record.age_band) == (old.personnummer.legal_gender, "25–29")
    assert (record.kommun, record.track, record.outcome.code) == (old.kommun, old.track, "arbete")
    assert record.destination is Outcome.objects.get(code="arbete").destination
    assert record.days_in_programme == (old.end_date - old.start_date).days
    assert record.removed_by == "manage.py gallra"
    period = (dt.date(THIS_YEAR, 1, 1), dt.date(THIS_YEAR, 12, 31))
    assert removed_counts(period)["by_outcome"] == {"arbete": 1}


def test_the_audit_log_keeps_the_removed_participants_rows(cases):
    old = cases["old"]
    _gallra("--execute")
    actions = list(
        AuditEvent.objects.filter(participant_id=old.pk)
        .order_by("pk")
        .values_list("action", "detail")
    )
    assert actions[0] == (AuditAction.PARTICIPANT_VIEW, {})
    assert actions[1][1]["gallring"] is True


def test_running_twice_changes_nothing(cases):
    _gallra("--execute")
    counts = (
        Participant.objects.count(),
        RemovedParticipant.objects.count(),
        AuditEvent.objects.count(),
    )
    assert "0 participant(s) removed." in _gallra("--execute")
    after = (
        Participant.objects.count(),
        RemovedParticipant.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == counts


def test_each_record_is_kept_for_its_controllers_time(cases):
    """The member party that is personuppgiftsansvarig keeps its records by its own plan: a
    kommun keeping two years has its record removed years before the Region's five."""
    from sikta.organisation.models import MemberParty

    kommun = MemberParty.objects.create(
        code="testkommun", name="Testkommun", kind="kommun", retention_years=2
    )
    short = _closed(controller=kommun)
    day = dt.date(THIS_YEAR + 4, 1, 1)  # past two years (and the next), not five
    assert list(participants_due(day)) == [short]
    assert list(participants_due(day, controller=kommun)) == [short]
    region = MemberParty.objects.get(code="region-sormland")
    assert list(participants_due(day, controller=region)) == []
    assert set(participants_due(TODAY)) == {cases["old"], short}
    # The command runs for one controller at a time when asked to.
    output = _gallra("--controller", "region-sormland", "--execute")
    assert "Testkommun" not in output and "1 participant(s) removed" in output
    assert Participant.objects.filter(pk=short.pk).exists()
    removal = AuditEvent.objects.get(detail__gallring=True)
    assert removal.detail["controller"] == "region-sormland"
    assert removal.detail["retention_years"] == 5
    with pytest.raises(Exception, match="No member party"):
        _gallra("--controller", "nobody")
