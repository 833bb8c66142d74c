"""The yardstick of `make bench`: the dashboard's figures and the exports' rows written by hand
as plain SQL, the least a database must do to answer them. The page's time over this time is
the figure we follow.

Each dashboard figure of sikta/reports/aggregates.py is one query here (the time in the
programme two when broken down: the groups and everyone), run on SQLite and PostgreSQL alike.
Only the breakdowns the benchmark uses are written: all together and by länsdel.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

# The tables the queries name, checked against the models before anything is timed.
TABLES = {
    "participants_participant": "participants.Participant",
    "organisation_kommun": "organisation.Kommun",
    "organisation_lansdel": "organisation.Lansdel",
    "organisation_track": "organisation.Track",
    "organisation_outcome": "organisation.Outcome",
    "organisation_referrerorganisation": "organisation.ReferrerOrganisation",
    "casework_exit": "casework.Exit",
    "referrals_referral": "referrals.Referral",
    "worktraining_placement": "worktraining.Placement",
}

# Per breakdown: the group's expression, and the joins that reach it from a participant (p), a
# referral (r), an exit (e) or a placement (w). "All together" groups nothing and joins nothing.
_LANSDEL = (
    "JOIN organisation_kommun k ON k.id = {}.kommun_id "
    "JOIN organisation_lansdel l ON l.id = k.lansdel_id"
)
_PARTICIPANT = "JOIN participants_participant p ON p.id = {}.participant_id "
GROUPS = {
    "all": {
        "group": "'all'",
        "by": "",
        "cols": "",
        "partition": "",
        "outer_group": "'all'",
        "outer_by": "",
        **dict.fromkeys(("p", "r", "e", "w"), ""),
    },
    "lansdel": {
        "group": "l.name",
        "by": "GROUP BY l.name",
        "cols": "l.name, ",
        "partition": "PARTITION BY l.name",
        "outer_group": "grp",
        "outer_by": "GROUP BY grp",
        "p": _LANSDEL.format("p"),
        "r": _LANSDEL.format("r"),
        "e": _PARTICIPANT.format("e") + _LANSDEL.format("p"),
        "w": _PARTICIPANT.format("w") + _LANSDEL.format("p"),
    },
}

# Days between two dates: SQLite has no date arithmetic.
DAYS = {
    "sqlite": "(julianday(e.end_date) - julianday(e.start_date))",
    "postgresql": "(e.end_date - e.start_date)",
}

PARTICIPANT_FLOW = """
SELECT {group} AS grp,
       COUNT(*) FILTER (WHERE p.start_date BETWEEN %(start)s AND %(end)s),
       COUNT(*) FILTER (WHERE p.end_date BETWEEN %(start)s AND %(end)s AND p.status = 'closed'),
       COUNT(*) FILTER (WHERE p.start_date <= %(end)s
                        AND (p.end_date IS NULL OR p.end_date > %(end)s))
FROM participants_participant p {p}
{by}"""

OUTCOMES = """
SELECT {group} AS grp, COUNT(*),
       COUNT(*) FILTER (WHERE o.destination),
       COUNT(*) FILTER (WHERE {days} > 365)
FROM casework_exit e
JOIN organisation_outcome o ON o.id = e.outcome_id {e}
WHERE e.end_date BETWEEN %(start)s AND %(end)s
{by}"""

# How many, how many over a year, and the median: the one or two rows in the middle of each
# group, numbered by a window function (SQLite has no percentile function).
TIME_IN_PROGRAMME = """
SELECT {outer_group}, COUNT(*), COUNT(*) FILTER (WHERE days > 365),
       AVG(days) FILTER (WHERE pos IN ((n + 1) / 2, n / 2 + 1))
FROM (SELECT {group} AS grp, {days} AS days,
             ROW_NUMBER() OVER ({partition} ORDER BY {days}, e.id) AS pos,
             COUNT(*) OVER ({partition}) AS n
      FROM casework_exit e {e}
      WHERE e.end_date BETWEEN %(start)s AND %(end)s) ranked
{outer_by}"""

REFERRALS_IN = """
SELECT {group} AS grp, r.status, COUNT(*)
FROM referrals_referral r {r}
WHERE r.received_at >= %(received_from)s AND r.received_at < %(received_to)s
GROUP BY {cols}r.status"""

REFERRALS_BY_ORGANISATION = """
SELECT {group} AS grp, o.code, o.name, COUNT(*)
FROM referrals_referral r
JOIN organisation_referrerorganisation o ON o.id = r.referrer_organisation_id {r}
WHERE r.received_at >= %(received_from)s AND r.received_at < %(received_to)s
GROUP BY {cols}o.code, o.name"""

WORK_TRAINING = """
SELECT {group} AS grp,
       COUNT(*) FILTER (WHERE w.start_date BETWEEN %(start)s AND %(end)s),
       COUNT(*) FILTER (WHERE w.start_date <= %(end)s
                        AND (w.end_date IS NULL OR w.end_date > %(end)s)
                        AND w.status <> 'avslutad'),
       COUNT(*) FILTER (WHERE w.end_date BETWEEN %(start)s AND %(end)s)
FROM worktraining_placement w {w}
{by}"""

# The evaluator's data set as one SELECT: a row per participant (and exit), streamed.
EVALUATION_ROWS = """
SELECT p.id, p.personnummer, p.start_date, p.end_date, p.status, k.name, l.name, t.slug,
       o.code, o.destination
FROM participants_participant p
JOIN organisation_kommun k ON k.id = p.kommun_id
JOIN organisation_lansdel l ON l.id = k.lansdel_id
JOIN organisation_track t ON t.id = p.track_id
LEFT JOIN casework_exit e ON e.participant_id = p.id
LEFT JOIN organisation_outcome o ON o.id = e.outcome_id
ORDER BY p.id"""


def check_tables() -> None:
    """The queries name tables directly: fail loudly if a model's table has moved."""
    from django.apps import apps

    for table, label in TABLES.items():
        actual = apps.get_model(label)._meta.db_table
        if actual != table:
            raise SystemExit(f"bench_sql: {label} is now in table {actual}, not {table}")


def dashboard(vendor: str, by: str) -> list[str]:
    """The dashboard's figures for one breakdown: one query each (two for the time)."""
    parts = {**GROUPS[by], "days": DAYS[vendor]}
    queries = [
        REFERRALS_IN.format(**parts),
        REFERRALS_BY_ORGANISATION.format(**parts),
        PARTICIPANT_FLOW.format(**parts),
        OUTCOMES.format(**parts),
        TIME_IN_PROGRAMME.format(**parts),
        WORK_TRAINING.format(**parts),
    ]
    if by != "all":  # the time figure's totals are over everyone, not a sum of the groups
        queries.insert(5, TIME_IN_PROGRAMME.format(**GROUPS["all"], days=DAYS[vendor]))
    return queries


def parameters(connection: Any, period: tuple[dt.date, dt.date]) -> dict[str, Any]:
    """Dates as the database stores them; the referral's timestamps as the local days' bounds
    (what the ORM's `received_at__date__range` means, written so an index could serve it)."""
    from django.utils import timezone

    start, end = period
    ops = connection.ops

    def midnight(day: dt.date) -> Any:
        local = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        return ops.adapt_datetimefield_value(local)

    return {
        "start": ops.adapt_datefield_value(start),
        "end": ops.adapt_datefield_value(end),
        "received_from": midnight(start),
        "received_to": midnight(end + dt.timedelta(days=1)),
    }
