"""A report's independent queries read together.

A page such as the dashboard runs about ten queries that do not depend on each other, and
builds each in Python (the ORM) before the database can start on it. Read one at a time, the
page takes the database's time plus Python's. On PostgreSQL `fetch` sends them one after the
other in psycopg's pipeline mode, without waiting: the database works on the first while Python
compiles the next. The rows are then read in the order sent, each as soon as it is there, so
the longest query is best sent last: the others' rows are read while it runs. Elsewhere
(SQLite) the queries run one at a time, with the same result.

A report says what it needs as a reader: a generator that yields a list of values()
querysets, receives their rows (one `Rows` per queryset, in the same order) and returns its
result. `read` runs a reader; `together` makes one reader of several, so that their queries go
in the same batch:

    def per_track(participants):
        (rows,) = yield [participants.values("track").annotate(n=Count("pk"))]
        return {track: n for track, n in rows.columns("track", "n")}

    by_track, staff = read(together(per_track(participants), caseloads_reader(insats)))

A reader may yield more than once (a query that needs the rows of another); it may run other
queries of its own between its yields, but those are not batched.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet

T = TypeVar("T")
Reader = Generator[list[QuerySet[Any]], list["Rows"], T]


@dataclass(frozen=True)
class Rows:
    """A query's rows as the database returned them (Django's conversions applied), with the
    names of their columns (those of a values() queryset)."""

    names: tuple[str, ...]
    tuples: list[tuple[Any, ...]]

    def dicts(self) -> Iterator[dict[str, Any]]:
        """Each row by column name (as a values() queryset gives it)."""
        names = self.names
        return (dict(zip(names, row, strict=True)) for row in self.tuples)

    def columns(self, *names: str) -> Iterator[tuple[Any, ...]]:
        """Each row as a tuple of the named columns, in that order (one column: a 1-tuple)."""
        index = [self.names.index(name) for name in names]
        if len(index) == 1:
            return ((row[index[0]],) for row in self.tuples)
        pick = itemgetter(*index)
        return (pick(row) for row in self.tuples)


def nothing(result: T) -> Reader[T]:
    """A reader that needs no query: `result` as it is."""
    return result
    yield  # a generator (never reached)


def read(reader: Reader[T]) -> T:
    """Runs a reader: its querysets are fetched (`fetch`) each time it yields. If a fetch
    fails, the reader is closed (its `finally` blocks run) and the error raised."""
    rows: list[Rows] | None = None
    while True:
        try:
            querysets = next(reader) if rows is None else reader.send(rows)
        except StopIteration as done:
            return done.value
        try:
            rows = fetch(querysets)
        except BaseException:
            reader.close()
            raise


def together(*readers: Reader[Any]) -> Reader[list[Any]]:
    """One reader of several: each round, the queries of all that still want some are yielded
    as one batch. Returns their results in order."""
    results: list[Any] = [None] * len(readers)
    waiting: dict[int, list[QuerySet[Any]]] = {}

    def step(i: int, rows: list[Rows] | None) -> None:
        try:
            waiting[i] = next(readers[i]) if rows is None else readers[i].send(rows)
        except StopIteration as done:
            waiting.pop(i, None)
            results[i] = done.value

    for i in range(len(readers)):
        step(i, None)
    while waiting:
        batch = list(waiting.items())
        rows = yield [queryset for _i, querysets in batch for queryset in querysets]
        start = 0
        for i, querysets in batch:
            step(i, rows[start : start + len(querysets)])
            start += len(querysets)
    return results


def fetch(querysets: list[QuerySet[Any]]) -> list[Rows]:
    """The rows of each values() queryset, sent in one pipeline on PostgreSQL. All of them must
    read from the same database (ValueError otherwise)."""
    if not querysets:
        return []
    using = querysets[0].db
    if any(queryset.db != using for queryset in querysets):
        raise ValueError("A batch reads from one database.")
    connection = connections[using]
    compilers = [queryset.query.get_compiler(using=using) for queryset in querysets]
    if connection.vendor != "postgresql" or len(querysets) == 1:
        return [_run(connection, compiler) for compiler in compilers]
    # The health check of a reused connection (conn_health_checks) before the pipeline, not in
    # it: a dead connection is replaced here, as the ORM's first query would.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.connection.pipeline():
        sent = [_send(connection, compiler) for compiler in compilers]
        return [_read(compiler, cursor) for compiler, cursor in sent]


def _send(connection: Any, compiler: Any) -> tuple[Any, Any]:
    """Compiles and sends one query; its cursor (None: the query can match nothing)."""
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return compiler, None
    if not sql:
        return compiler, None
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
    except BaseException:
        cursor.close()
        raise
    return compiler, cursor


def _run(connection: Any, compiler: Any) -> Rows:
    return _read(*_send(connection, compiler))


def _read(compiler: Any, cursor: Any) -> Rows:
    """The rows of a sent query with Django's conversions (SQLCompiler.results_iter's)."""
    query = compiler.query
    # The columns' names as QuerySet.values() names them (ValuesIterable).
    if query.selected:
        names = tuple(query.selected)
    else:
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    if cursor is None:
        return Rows(names, [])
    with cursor:
        rows = cursor.fetchall()
    if compiler.has_extra_select:  # columns added for DISTINCT with ORDER BY: not the query's
        rows = [row[: compiler.col_count] for row in rows]
    if len(names) != compiler.col_count:
        raise ValueError("Only values() querysets are read together.")
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = compiler.get_converters(fields)
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return Rows(names, rows)
