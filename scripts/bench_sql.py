"""The yardstick of `make bench`: what each report shows, written by hand as plain SQL — the least
a database must do to answer it. The page's time over this time is the figure we follow.

Each function returns the queries one request of the page needs (every row read), with the
parameters they take (`parameters`). They are written for SQLite and PostgreSQL alike (SQLite
has no date arithmetic and no percentile function: the days and the median are spelled out).

- `dashboard(vendor, by, scoped)`: everything the dashboard shows for one breakdown — the
  referral figures, the participant flow, the exits (outcomes and time in the programme, with
  medians; the goal is their sum), work training, the goal by quarter, the caseload table and
  the survey answers its before/after summary is scored from. `scoped`: one insats (the
  insatsledare's view); otherwise the whole förbund.
- `survey_report(vendor)`: the response rates per länsdel and the answers of the default
  instrument.
- `status_report(vendor)`: the lägesrapport of a whole insats (by gender and by länsdel, and by
  outcome).
- `EVALUATION_ROWS`, `EVALUATION_ANSWERS`: the evaluator's data set, every row.
"""

# The queries are put together from this file's own fragments; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
from typing import Any

# The tables the queries name, checked against the models before anything is timed.
TABLES = {
    "participants_participant": "participants.Participant",
    "organisation_insats": "organisation.Insats",
    "organisation_kommun": "organisation.Kommun",
    "organisation_lansdel": "organisation.Lansdel",
    "organisation_track": "organisation.Track",
    "organisation_outcome": "organisation.Outcome",
    "organisation_role": "organisation.Role",
    "organisation_staffmember": "organisation.StaffMember",
    "organisation_referrerorganisation": "organisation.ReferrerOrganisation",
    "casework_exit": "casework.Exit",
    "referrals_referral": "referrals.Referral",
    "worktraining_placement": "worktraining.Placement",
    "surveys_instrument": "surveys.Instrument",
    "surveys_response": "surveys.Response",
    "surveys_answer": "surveys.Answer",
}

BREAKDOWNS = ("all", "insats", "lansdel", "kommun", "track", "gender", "age")
# The plan's age bands by their lower limits, oldest first (sikta.reports.aggregates.AGE_BANDS).
AGE_LIMITS = (50, 40, 30, 25)


def group(by: str, alias: str) -> tuple[str, str]:
    """The expression a breakdown groups by for rows of a participant or referral `alias`,
    and the joins that reach it."""
    if by == "insats":
        return "gi.name", (
            f"JOIN organisation_track gt ON gt.id = {alias}.track_id "
            "JOIN organisation_insats gi ON gi.id = gt.insats_id"
        )
    if by == "lansdel":
        return "gl.name", (
            f"JOIN organisation_kommun gk ON gk.id = {alias}.kommun_id "
            "LEFT JOIN organisation_lansdel gl ON gl.id = gk.lansdel_id"
        )
    if by == "kommun":
        return "gk.name", f"JOIN organisation_kommun gk ON gk.id = {alias}.kommun_id"
    if by == "track":
        return "gt.short_name", f"JOIN organisation_track gt ON gt.id = {alias}.track_id"
    if by == "gender":
        return (
            f"CASE WHEN substr({alias}.personnummer, 11, 1) IN ('0', '2', '4', '6', '8') "
            "THEN 'K' ELSE 'M' END"
        ), ""
    if by == "age":
        bands = " ".join(
            f"WHEN substr({alias}.personnummer, 1, 8) <= %(born_{years})s THEN '{years}'"
            for years in AGE_LIMITS
        )
        return f"CASE {bands} ELSE '0' END", ""
    return "'all'", ""


# Days between two dates: SQLite has no date arithmetic.
DAYS = {
    "sqlite": "(julianday(e.end_date) - julianday(e.start_date))",
    "postgresql": "(e.end_date - e.start_date)",
}
QUARTER = {
    "sqlite": "strftime('%%Y', e.end_date), (CAST(strftime('%%m', e.end_date) AS INTEGER) + 2) / 3",
    "postgresql": "EXTRACT(YEAR FROM e.end_date), EXTRACT(QUARTER FROM e.end_date)",
}


def _scope(scoped: bool, column: str) -> str:
    return f"{column} = %(insats)s" if scoped else "1 = 1"


def dashboard(vendor: str, by: str, scoped: bool = True) -> list[str]:
    """The dashboard's queries for one breakdown."""
    p_group, p_joins = group(by, "p")
    r_group, r_joins = group(by, "r")
    p_scope = _scope(scoped, "p.insats_id")
    # A referral's insats is its track's.
    r_scope = (
        "r.track_id IN (SELECT id FROM organisation_track WHERE insats_id = %(insats)s)"
        if scoped
        else "1 = 1"
    )
    days = DAYS[vendor]
    received = "r.received_at >= %(received_from)s AND r.received_at < %(received_to)s"
    queries = [
        f"""SELECT {r_group}, r.status, COUNT(*) FROM referrals_referral r {r_joins}
            WHERE {received} AND {r_scope} GROUP BY 1, 2""",
        f"""SELECT {r_group}, o.code, o.name, COUNT(*) FROM referrals_referral r
            JOIN organisation_referrerorganisation o ON o.id = r.referrer_organisation_id
            {r_joins} WHERE {received} AND {r_scope} GROUP BY 1, 2, 3""",
        f"""SELECT {p_group},
                   COUNT(*) FILTER (WHERE p.start_date BETWEEN %(start)s AND %(end)s),
                   COUNT(*) FILTER (WHERE p.end_date BETWEEN %(start)s AND %(end)s
                                    AND p.status = 'closed'),
                   COUNT(*) FILTER (WHERE p.start_date <= %(end)s
                                    AND (p.end_date IS NULL OR p.end_date > %(end)s))
            FROM participants_participant p {p_joins} WHERE {p_scope} GROUP BY 1""",
        f"""SELECT {p_group}, COUNT(*), COUNT(*) FILTER (WHERE o.destination),
                   COUNT(*) FILTER (WHERE {days} > 365)
            FROM casework_exit e JOIN organisation_outcome o ON o.id = e.outcome_id
            JOIN participants_participant p ON p.id = e.participant_id {p_joins}
            WHERE e.end_date BETWEEN %(start)s AND %(end)s AND {p_scope}
            GROUP BY 1""",
        _median(days, p_group, p_joins, p_scope),
        f"""SELECT {p_group},
                   COUNT(*) FILTER (WHERE w.start_date BETWEEN %(start)s AND %(end)s),
                   COUNT(*) FILTER (WHERE w.start_date <= %(end)s
                                    AND (w.end_date IS NULL OR w.end_date > %(end)s)
                                    AND w.status <> 'avslutad'),
                   COUNT(*) FILTER (WHERE w.end_date BETWEEN %(start)s AND %(end)s)
            FROM worktraining_placement w
            JOIN participants_participant p ON p.id = w.participant_id {p_joins}
            WHERE w.status <> 'installd' AND {p_scope} GROUP BY 1""",
        f"""SELECT {QUARTER[vendor]}, COUNT(*), COUNT(*) FILTER (WHERE o.destination)
            FROM casework_exit e JOIN organisation_outcome o ON o.id = e.outcome_id
            JOIN participants_participant p ON p.id = e.participant_id
            WHERE e.end_date BETWEEN %(span_start)s AND %(span_end)s AND {p_scope}
            GROUP BY 1, 2""",
        f"""SELECT s.first_name, s.last_name, ro.name, l.name,
                   (SELECT COUNT(*) FROM participants_participant a
                    WHERE a.assigned_to_id = s.id AND a.status = 'active')
            FROM organisation_staffmember s JOIN organisation_role ro ON ro.id = s.role_id
            LEFT JOIN organisation_lansdel l ON l.id = s.lansdel_id
            WHERE s.is_active AND ro.code IN ('coach', 'koordinator')
              AND {_scope(scoped, "s.insats_id")}
            ORDER BY l.ordering, ro.ordering, s.last_name, s.first_name, s.id LIMIT 100""",
        f"""SELECT r.participant_id, r.instrument_id, r.enrolment_start, r.timepoint,
                   a.item_id, a.value
            FROM surveys_response r JOIN surveys_answer a ON a.response_id = r.id
            WHERE r.completed_at IS NOT NULL AND r.instrument_id IN ({CURRENT_INSTRUMENTS})
              AND r.participant_id IN ({EXITED.format(p_scope=p_scope)})""",
    ]
    if by != "all":  # the time figure's totals are over everyone, not a sum of the groups
        queries.append(_median(days, "'all'", "", p_scope))
    return queries


# Those with an exit answer in the period: the only ones with a before/after pair in it.
EXITED = """SELECT x.participant_id FROM surveys_response x
    JOIN participants_participant p ON p.id = x.participant_id
    WHERE x.timepoint = 'exit' AND x.completed_at >= %(received_from)s
      AND x.completed_at < %(received_to)s AND {p_scope}"""
CURRENT_INSTRUMENTS = """SELECT i.id FROM surveys_instrument i WHERE i.version =
    (SELECT MAX(j.version) FROM surveys_instrument j WHERE j.code = i.code)"""


def _median(days: str, p_group: str, p_joins: str, p_scope: str) -> str:
    """The median time per group: the one or two rows in the middle of each group, numbered
    by a window function."""
    return f"""SELECT grp, AVG(days) FROM (
        SELECT {p_group} AS grp, {days} AS days,
               ROW_NUMBER() OVER (PARTITION BY {p_group} ORDER BY {days}, e.id) AS pos,
               COUNT(*) OVER (PARTITION BY {p_group}) AS n
        FROM casework_exit e JOIN participants_participant p ON p.id = e.participant_id {p_joins}
        WHERE e.end_date BETWEEN %(start)s AND %(end)s AND {p_scope}) ranked
      WHERE pos IN ((n + 1) / 2, n / 2 + 1) GROUP BY grp"""


def _answered(timepoint: str) -> str:
    return f"""EXISTS (SELECT 1 FROM surveys_response s WHERE s.participant_id = p.id
        AND s.timepoint = '{timepoint}' AND s.enrolment_start = p.start_date
        AND s.completed_at IS NOT NULL)"""


def survey_report(vendor: str) -> list[str]:
    """The survey report of one insats with its defaults: the response rates per länsdel (at
    start and at exit) and the answers of the default instrument, scored into pairs."""
    lansdel = (
        "JOIN organisation_kommun k ON k.id = p.kommun_id "
        "LEFT JOIN organisation_lansdel l ON l.id = k.lansdel_id"
    )
    return [
        f"""SELECT l.name, COUNT(*), COUNT(*) FILTER (WHERE {_answered("start")})
            FROM participants_participant p {lansdel}
            WHERE p.insats_id = %(insats)s AND p.start_date BETWEEN %(start)s AND %(end)s
            GROUP BY 1""",
        f"""SELECT l.name, COUNT(*), COUNT(*) FILTER (WHERE {_answered("exit")})
            FROM participants_participant p {lansdel}
            WHERE p.insats_id = %(insats)s AND p.status = 'closed'
              AND p.end_date BETWEEN %(start)s AND %(end)s
            GROUP BY 1""",
        f"""SELECT r.participant_id, r.enrolment_start, r.timepoint, a.item_id, a.value
           FROM surveys_response r JOIN surveys_answer a ON a.response_id = r.id
           WHERE r.completed_at IS NOT NULL AND r.instrument_id = %(instrument)s
             AND r.participant_id IN ({EXITED.format(p_scope="p.insats_id = %(insats)s")})""",
    ]


def status_report(vendor: str) -> list[str]:
    """A whole insats's lägesrapport: its counts by gender and by länsdel, the exits by outcome
    (the goal figure is their sum) and the survey answers its before/after summary is scored
    from."""
    queries = []
    for by in ("gender", "lansdel"):
        figures = dashboard(vendor, by, scoped=True)
        queries += [figures[i] for i in (0, 2, 3, 5)]
    queries.append(figures[8])  # the survey answers
    queries.append(
        """SELECT e.outcome_id, COUNT(*) FROM casework_exit e
           JOIN participants_participant p ON p.id = e.participant_id
           WHERE e.end_date BETWEEN %(start)s AND %(end)s AND p.insats_id = %(insats)s
           GROUP BY 1"""
    )
    return queries


# The evaluator's data set as one SELECT: a row per participant (and exit), streamed; and the
# answers its survey columns are scored from.
EVALUATION_ROWS = """
SELECT p.id, p.personnummer, p.start_date, p.end_date, p.status, k.name, l.name, t.slug,
       o.code, o.destination
FROM participants_participant p
JOIN organisation_kommun k ON k.id = p.kommun_id
LEFT JOIN organisation_lansdel l ON l.id = k.lansdel_id
JOIN organisation_track t ON t.id = p.track_id
LEFT JOIN casework_exit e ON e.participant_id = p.id
LEFT JOIN organisation_outcome o ON o.id = e.outcome_id
WHERE p.insats_id = %(insats)s AND NOT p.protected_identity
ORDER BY p.id"""
EVALUATION_ANSWERS = """
SELECT r.participant_id, r.instrument_id, r.timepoint, r.enrolment_start, a.item_id, a.value
FROM surveys_response r JOIN surveys_answer a ON a.response_id = r.id
JOIN participants_participant p ON p.id = r.participant_id
WHERE r.completed_at IS NOT NULL AND p.insats_id = %(insats)s
ORDER BY r.participant_id"""


def check_tables() -> None:
    """The queries name tables directly: fail loudly if a model's table has moved."""
    from django.apps import apps

    for table, label in TABLES.items():
        actual = apps.get_model(label)._meta.db_table
        if actual != table:
            raise SystemExit(f"bench_sql: {label} is now in table {actual}, not {table}")


def parameters(
    connection: Any,
    period: tuple[dt.date, dt.date],
    *,
    insats: int,
    span: tuple[dt.date, dt.date],
    instrument: int | None = None,
) -> dict[str, Any]:
    """Dates as the database stores them; the timestamps (a referral received, an answer
    completed) as the local days' bounds (sikta.core.dates.on_days); the birth dates
    (YYYYMMDD) of those who have reached each age band's lower limit at the end of the
    period."""
    from django.utils import timezone

    start, end = period
    ops = connection.ops

    def midnight(day: dt.date) -> Any:
        local = timezone.make_aware(dt.datetime.combine(day, dt.time()))
        return ops.adapt_datetimefield_value(local)

    def born_by(years: int) -> str:
        try:
            limit = end.replace(year=end.year - years)
        except ValueError:  # 29 February
            limit = end.replace(year=end.year - years, day=28)
        return f"{limit:%Y%m%d}"

    return {
        "start": ops.adapt_datefield_value(start),
        "end": ops.adapt_datefield_value(end),
        "span_start": ops.adapt_datefield_value(span[0]),
        "span_end": ops.adapt_datefield_value(span[1]),
        "received_from": midnight(start),
        "received_to": midnight(end + dt.timedelta(days=1)),
        "insats": insats,
        "instrument": instrument,
        **{f"born_{years}": born_by(years) for years in AGE_LIMITS},
    }
