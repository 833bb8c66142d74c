from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sikta.audit.chain import GENESIS, record_hash, verify_chain
from sikta.audit.models import AuditAction, AuditEvent, ChainCheck
from sikta.audit.services import audit_record, audit_record_many
from tests.conftest import Personas


def _raw(sql: str, params: list) -> None:
    """Change the table behind the ORM's and the triggers' back, as an intruder with SQL would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        else:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update_delete")
        cursor.execute(sql, params)


@pytest.fixture
def events(personas: Personas) -> list[AuditEvent]:
    coach = personas.coach_sodra.user
    return [
        audit_record(
            user=coach,
            action=AuditAction.PARTICIPANT_VIEW,
            participant=personas.alice_sodra,
            detail={"n": i, "ö": "å"},
        )
        for i in range(5)
    ]


def test_records_are_chained_from_the_genesis_value(events: list[AuditEvent]) -> None:
    first = AuditEvent.objects.order_by("pk").first()
    assert first is not None and first.previous_hash == GENESIS
    stored = list(AuditEvent.objects.order_by("pk"))
    for before, after in zip(stored, stored[1:], strict=False):
        assert after.previous_hash == before.hash
        assert after.sequence == before.sequence + 1
    for event in stored:
        assert len(event.hash) == 64
        assert record_hash(event.previous_hash, event) == event.hash


def test_an_intact_chain_verifies(events: list[AuditEvent]) -> None:
    report = verify_chain(chunk_size=2)
    assert report.ok
    assert report.count == AuditEvent.objects.count()


def test_a_changed_record_is_reported_at_that_record(events: list[AuditEvent]) -> None:
    target = events[2]
    _raw("UPDATE audit_auditevent SET detail = %s WHERE id = %s", ['{"n": 99}', target.pk])
    report = verify_chain(chunk_size=2)
    assert not report.ok
    assert report.broken_pk == target.pk
    assert report.problem == "content"
    assert report.count == AuditEvent.objects.filter(pk__lt=target.pk).count()


def test_a_deleted_record_is_reported_at_the_next_one(events: list[AuditEvent]) -> None:
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    report = verify_chain()
    assert report.broken_pk == events[3].pk
    assert report.problem == "missing"
    assert report.broken_at == events[3].at


def test_a_relinked_record_is_a_broken_link(events: list[AuditEvent]) -> None:
    target = events[1]
    forged = record_hash("f" * 64, target)
    _raw(
        "UPDATE audit_auditevent SET previous_hash = %s, hash = %s WHERE id = %s",
        ["f" * 64, forged, target.pk],
    )
    report = verify_chain()
    assert (report.broken_pk, report.problem) == (target.pk, "link")


def test_bulk_inserts_are_chained(personas: Personas) -> None:
    audit_record(user=personas.insatsledare.user, action=AuditAction.LOGIN)
    written = audit_record_many(
        user=personas.insatsledare.user,
        action=AuditAction.PARTICIPANT_LIST,
        participants=[personas.alice_sodra, personas.bo_norra],
        referrals=[personas.referral_sodra],
    )
    assert written == 3
    stored = list(AuditEvent.objects.order_by("pk"))
    assert [e.sequence for e in stored] == [1, 2, 3, 4]
    assert stored[1].previous_hash == stored[0].hash
    assert verify_chain().ok


def test_the_command_says_ok(events: list[AuditEvent], capsys: pytest.CaptureFixture) -> None:
    call_command("verify_audit_chain")
    assert capsys.readouterr().out.strip() == f"OK: {AuditEvent.objects.count()} records"


def test_the_command_fails_on_a_broken_chain(events: list[AuditEvent]) -> None:
    _raw("UPDATE audit_auditevent SET username = %s WHERE id = %s", ["someone", events[1].pk])
    with pytest.raises(CommandError) as raised:
        call_command("verify_audit_chain")
    assert raised.value.returncode == 1
    assert f"pk={events[1].pk}" in str(raised.value)
    assert "content" in str(raised.value)


CHAIN = "/logg/granskning/kedja/"


def test_the_page_checks_from_the_first_record_when_nothing_was_checked_before(
    personas: Personas, events: list[AuditEvent]
) -> None:
    client = personas.client("insatsledare")  # (its login is a record too)
    written = AuditEvent.objects.count()
    last = AuditEvent.objects.latest("pk").pk
    report = client.get(CHAIN).context["report"]
    assert report.ok and report.verified == report.count == written
    check = ChainCheck.objects.get()
    assert check.complete and check.through_pk == last and check.count == written


def test_the_page_verifies_only_what_was_written_since_the_last_check(
    personas: Personas, events: list[AuditEvent]
) -> None:
    client = personas.client("insatsledare")
    call_command("verify_audit_chain")  # the night's complete check
    written = AuditEvent.objects.count()
    first = client.get(CHAIN).context["report"]
    assert first.ok and first.verified == 0 and first.count == written
    audit_record(action=AuditAction.LOGIN)
    second = client.get(CHAIN)
    # The first visit's own record and the login: two written since.
    assert second.context["report"].verified == 2
    assert second.context["complete"].count == written
    page = second.content.decode()
    assert "Intakt vid kontrollen" in page and "2 poster som skrivits sedan kontrollen" in page


def test_an_old_record_changed_is_found_by_the_nightly_check_and_shown(
    personas: Personas, events: list[AuditEvent]
) -> None:
    client = personas.client("insatsledare")
    assert client.get(CHAIN).context["report"].ok

    _raw("DELETE FROM audit_auditevent WHERE id = %s", [events[3].pk])
    # Behind the last check: the page's check of what came since does not see it ...
    assert client.get(CHAIN).context["report"].ok
    # ... the night's check from the first record does, and the page shows it.
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")
    response = client.get(CHAIN)
    complete = response.context["complete"]
    assert not complete.ok and complete.broken_pk == events[4].pk
    assert complete.problem == "missing"
    page = response.content.decode()
    assert 'role="alert"' in page
    assert f"#{events[4].pk}<" in page


def test_a_record_written_since_the_last_check_and_then_deleted_is_found_by_the_page(
    personas: Personas, events: list[AuditEvent]
) -> None:
    call_command("verify_audit_chain")
    later = [audit_record(action=AuditAction.LOGIN, detail={"n": n}) for n in range(3)]
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [later[1].pk])
    report = personas.client("insatsledare").get(CHAIN).context["report"]
    assert report.broken_pk == later[2].pk and report.problem == "missing"


def test_the_record_a_check_ended_at_changed_afterwards_is_found(
    personas: Personas, events: list[AuditEvent]
) -> None:
    call_command("verify_audit_chain")
    _raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["0" * 64, events[-1].pk])
    report = personas.client("insatsledare").get(CHAIN).context["report"]
    assert report.broken_pk == events[-1].pk and report.problem == "changed"


def test_the_page_verifies_a_long_log_a_part_at_a_time(
    personas: Personas, events: list[AuditEvent], monkeypatch: pytest.MonkeyPatch
) -> None:
    from sikta.audit import views

    monkeypatch.setattr(views, "PAGE_LIMIT", 2)
    client = personas.client("insatsledare")
    first = client.get(CHAIN)
    assert first.context["report"].verified == 2 and first.context["report"].more
    assert "högst 2 poster åt gången" in first.content.decode()
    assert not ChainCheck.objects.filter(complete=True).exists()
    second = client.get(CHAIN).context["report"]
    assert second.verified == 2 and second.count == 4


def test_the_page_is_for_the_leads_only(personas: Personas) -> None:
    for persona in ("coach_sodra", "samordnare_sodra", "styrgrupp"):
        assert personas.client(persona).get("/logg/granskning/kedja/").status_code == 403


def test_records_outlive_the_participant(personas: Personas) -> None:
    """Retention: deleting a participant leaves the reads of them, and the chain, intact."""
    alice = personas.alice_sodra
    audit_record(
        user=personas.coach_sodra.user, action=AuditAction.PARTICIPANT_VIEW, participant=alice
    )
    alice_pk = alice.pk
    alice.delete()
    assert AuditEvent.objects.filter(participant_id=alice_pk).count() == 1
    assert verify_chain().ok


# The flush after a transactional test would TRUNCATE the audit table, which its trigger refuses:
# flush only an app the test does not touch, and remove the test's records by hand.
@pytest.mark.django_db(transaction=True, available_apps=["sikta.accounts"])
def test_concurrent_writers_do_not_fork_the_chain() -> None:
    """PostgreSQL only: many threads, each on its own connection, append at the same time."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers by BEGIN IMMEDIATE; threads are a PostgreSQL test")
    try:
        _write_concurrently()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update_delete")
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_no_update_delete")


def _write_concurrently() -> None:
    import threading

    from django.db import connections

    def write(n: int) -> None:
        try:
            for i in range(10):
                audit_record(action=AuditAction.LOGIN, detail={"thread": n, "i": i})
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditEvent.objects.count() == 80
    assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 81))
    assert verify_chain().ok
