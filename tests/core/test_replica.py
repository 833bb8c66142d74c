"""Reports and exports read from the replica when there is one; writes stay on the primary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from sikta.audit.models import AuditAction, AuditEvent
from sikta.core.replica import ReplicaRouter, reads_from_replica, replica_reads
from sikta.participants.models import Participant
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(db) -> Iterator[BaseDatabaseWrapper]:
    """A "replica" alias with a connection of its own that shares the primary's database
    session, so it sees the test's uncommitted rows (the test runs in one transaction that is
    rolled back, and the audit table refuses the flush that a transactional test would need)."""
    if "replica" in connections.settings:
        pytest.skip("DATABASE_REPLICA_URL is set: these tests make a replica of their own")
    default = connections["default"]
    default.ensure_connection()
    connections.settings["replica"] = {**default.settings_dict}
    wrapper = connections["replica"]
    wrapper.connection = default.connection
    yield wrapper
    wrapper.connection = None  # the primary's session is not the replica's to close
    del connections["replica"]
    del connections.settings["replica"]


def tables(queries: CaptureQueriesContext) -> str:
    return "\n".join(q["sql"] for q in queries.captured_queries)


def test_a_report_reads_from_the_replica(personas: Personas, replica) -> None:
    client = personas.client("insatsledare")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
    ):
        page = client.get("/rapporter/", {"by": "lansdel"})
    assert page.status_code == 200
    assert "participants_participant" in tables(copy)
    assert "referrals_referral" in tables(copy)
    # The primary answers only who is asking (session, user), never the figures.
    assert "participants_participant" not in tables(primary)
    assert "referrals_referral" not in tables(primary)


def test_a_streamed_export_reads_from_the_replica_and_audits_on_the_primary(
    personas: Personas, replica
) -> None:
    client = personas.client("utvarderare")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
    ):
        response = client.get("/rapporter/utvardering/", {"format": "csv"})
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 1 + Participant.objects.count()
    # The rows are read while the body streams, after the view has returned.
    assert "participants_participant" in tables(copy)
    assert "participants_participant" not in tables(primary)
    assert "INSERT INTO" in tables(primary) and "audit_auditevent" in tables(primary)
    assert "INSERT INTO" not in tables(copy)
    assert AuditEvent.objects.filter(action=AuditAction.PARTICIPANT_EXPORT).count() == 1


def test_the_dashboard_export_is_audited_on_the_primary(personas: Personas, replica) -> None:
    client = personas.client("insatsledare")
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as copy,
    ):
        response = client.get("/rapporter/", {"export": "csv"})
        b"".join(response.streaming_content)
    assert "participants_participant" in tables(copy)
    assert "audit_auditevent" in tables(primary)
    assert "audit_auditevent" not in tables(copy)
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_EXPORT).count() == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/rapporter/"),  # not a GET: whatever it does reads the primary
        ("get", "/deltagare/"),  # not a report
        ("get", "/"),
    ],
)
def test_other_requests_read_the_primary(personas: Personas, replica, method, url) -> None:
    client = personas.client("insatsledare")
    with CaptureQueriesContext(replica) as copy:
        getattr(client, method)(url)
    assert copy.captured_queries == []


@pytest.mark.skipif("replica" in connections.settings, reason="DATABASE_REPLICA_URL is set")
def test_without_a_replica_everything_is_the_primary(personas: Personas) -> None:
    with CaptureQueriesContext(connections["default"]) as primary:
        page = personas.client("insatsledare").get("/rapporter/")
    assert page.status_code == 200
    assert "participants_participant" in tables(primary)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Participant) is None


def test_the_decorator_and_the_block_switch_reads(personas: Personas, replica) -> None:
    @reads_from_replica
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(str(Participant.objects.count()))

    with CaptureQueriesContext(replica) as copy:
        assert view(RequestFactory().get("/")).content == b"2"
    assert len(copy.captured_queries) == 1
    router = ReplicaRouter()
    assert router.db_for_read(Participant) is None
    with replica_reads():
        assert router.db_for_read(Participant) == "replica"
        assert router.db_for_read(AuditEvent) is None  # the audit log: always the primary
        assert router.db_for_write(Participant) == "default"
    assert router.db_for_read(Participant) is None
    assert router.allow_migrate("default", "participants")
    assert not router.allow_migrate("replica", "participants")
