"""Querysets read together (sikta.core.reads): the rows are those the ORM gives, whatever the
database; on PostgreSQL one batch is sent in one pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import DataError, connection, transaction
from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
)
from django.test.utils import CaptureQueriesContext

from sikta.core import reads
from sikta.core.reads import Reader, Rows, fetch, nothing, read, together
from sikta.organisation.models import Kommun
from sikta.participants.models import Participant
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db
# psycopg's pipeline exists only on PostgreSQL: these run in CI's second pass (.ci/run runs the
# whole suite on PostgreSQL too); on SQLite the other tests read the same batches query by query.
POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a pipeline is PostgreSQL's"
)


@pytest.fixture
def participants() -> list[Participant]:
    nykoping, flen = Kommun.objects.get(name="Nyköping"), Kommun.objects.get(name="Flen")
    found = []
    for i, (kommun, start, end) in enumerate(
        [
            (nykoping, dt.date(2026, 1, 5), None),
            (nykoping, dt.date(2026, 2, 1), dt.date(2026, 5, 15)),
            (flen, dt.date(2025, 12, 1), dt.date(2026, 2, 1)),
        ]
    ):
        found.append(
            ParticipantFactory(
                first_name=f"Deltagare{i}",
                kommun=kommun,
                start_date=start,
                end_date=end,
                status=Participant.Status.CLOSED if end else Participant.Status.ACTIVE,
            )
        )
    return found


def shapes() -> list[QuerySet[Any]]:
    """Querysets of the shapes the reports use: fields and annotations in a chosen order,
    grouped counts, and values Django converts (a date, a duration, a boolean)."""
    everyone = Participant.objects.order_by("pk")
    return [
        everyone.annotate(closed=ExpressionWrapper(Q(status="closed"), BooleanField())).values(
            "closed", "first_name", "start_date"
        ),
        everyone.filter(end_date__isnull=False)
        .annotate(days=ExpressionWrapper(F("end_date") - F("start_date"), DurationField()))
        .values("days", "kommun__name"),
        Participant.objects.values("kommun__name").annotate(n=Count("pk")).order_by("kommun__name"),
        Participant.objects.filter(pk__in=[]).values("pk"),  # matches nothing: not sent
    ]


def test_the_rows_are_the_orms(participants) -> None:
    fetched = fetch(shapes())
    assert [list(rows.dicts()) for rows in fetched] == [list(qs) for qs in shapes()]
    closed, days, per_kommun, nothing_found = fetched
    assert list(days.columns("kommun__name", "days")) == [
        ("Nyköping", dt.timedelta(days=103)),
        ("Flen", dt.timedelta(days=62)),
    ]
    assert [row["closed"] for row in closed.dicts()] == [False, True, True]
    assert list(per_kommun.columns("n")) == [(1,), (2,)]
    assert nothing_found.tuples == []


def test_a_batch_is_one_query_each(participants) -> None:
    with CaptureQueriesContext(connection) as queries:
        fetch(shapes())
    assert len(queries) == 3  # the fourth can match nothing


def _names(kommun: str) -> Reader[list[str]]:
    (rows,) = yield [Participant.objects.filter(kommun__name=kommun).values("first_name")]
    return sorted(name for (name,) in rows.columns("first_name"))


def _two_rounds() -> Reader[int]:
    """A reader whose second query depends on its first's rows."""
    (first,) = yield [Participant.objects.filter(end_date__isnull=True).values("kommun")]
    kommuner = [kommun for (kommun,) in first.columns("kommun")]
    (second,) = yield [Participant.objects.filter(kommun__in=kommuner).values("pk")]
    return len(second.tuples)


def test_readers_together_get_their_own_rows_in_rounds(participants, monkeypatch) -> None:
    sent: list[int] = []

    def counted_fetch(querysets: list[QuerySet[Any]]) -> list[Rows]:
        sent.append(len(querysets))
        return fetch(querysets)

    monkeypatch.setattr(reads, "fetch", counted_fetch)
    results = read(together(_names("Flen"), _two_rounds(), nothing("as is"), _names("Nyköping")))
    assert results == [["Deltagare2"], 2, "as is", ["Deltagare0", "Deltagare1"]]
    # The first round holds the three first queries; the second only the one that waited.
    assert sent == [3, 1]
    assert read(_two_rounds()) == 2
    assert read(nothing("no query")) == "no query"


@POSTGRESQL_ONLY
def test_on_postgresql_a_batch_is_sent_in_one_pipeline(participants) -> None:
    statuses = []

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statuses.append(connection.connection.pgconn.pipeline_status)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watch):
        fetched = fetch(shapes()[:3])
        fetch(shapes()[:1])  # a single query needs none
    assert [bool(status) for status in statuses] == [True, True, True, False]
    assert [list(rows.dicts()) for rows in fetched] == [list(qs) for qs in shapes()[:3]]


def test_rows_by_name() -> None:
    rows = Rows(("a", "b", "c"), [(1, 2, 3), (4, 5, 6)])
    assert list(rows.dicts()) == [{"a": 1, "b": 2, "c": 3}, {"a": 4, "b": 5, "c": 6}]
    assert list(rows.columns("c", "a")) == [(3, 1), (6, 4)]
    assert list(rows.columns("b")) == [(2,), (5,)]


def test_columns_added_for_distinct_order_are_not_rows_columns(participants) -> None:
    # DISTINCT with an ORDER BY outside the values: Django selects the order's column too.
    names = Participant.objects.values("kommun__name").distinct().order_by("-start_date")
    (rows,) = fetch([names])
    assert list(rows.dicts()) == list(names)


def test_only_values_querysets_are_read_and_a_failed_read_closes_its_reader(
    participants,
) -> None:
    closed = []

    def objects() -> Reader[int]:
        try:
            (rows,) = yield [Participant.objects.all()]
            return len(rows.tuples)
        finally:
            closed.append(True)

    with pytest.raises(ValueError, match="values"):
        read(objects())
    assert closed == [True]


@POSTGRESQL_ONLY
def test_on_postgresql_an_error_in_the_pipeline_is_djangos_and_the_connection_lives_on(
    participants,
) -> None:
    broken = Participant.objects.annotate(x=Value(1) / Value(0)).values("x")
    with pytest.raises(DataError), transaction.atomic():
        fetch([*shapes()[:2], broken])
    assert [list(rows.dicts()) for rows in fetch(shapes()[:3])] == [list(qs) for qs in shapes()[:3]]
