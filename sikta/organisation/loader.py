"""Load an organisation data file into the database, idempotently.

Each file describes one insats; a förbund loads one file per insats (`manage.py
load_organisation FILE`). Rows are matched on natural keys (insats slug, länsdel slug, the
insats's kommunkod, track slug, role code,
financing kommun/label) and updated in place, so running the loader twice changes nothing and
editing the file then loading again updates what changed. Nothing is deleted (rows that the file
no longer lists are reported, because participants and staff may still refer to them) except a
track's eligibility criteria, which nothing refers to and which must stop applying.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from sikta.activities.models import ActivityTarget, Kind
from sikta.organisation.models import (
    ControllerRule,
    DeclineReason,
    EducationLevel,
    EligibilityRule,
    FinancingShare,
    GoalArea,
    IncomeSource,
    Insats,
    Kommun,
    Lansdel,
    MemberParty,
    Outcome,
    ReferrerOrganisation,
    Role,
    Track,
)


class OrganisationFileError(ValueError):
    pass


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    not_in_file: list[str] = field(default_factory=list)

    def note(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(
    model: type[Model], report: LoadReport, lookup: dict[str, Any], values: dict[str, Any]
) -> Any:
    obj = model.objects.filter(**lookup).first()
    kind = model._meta.model_name
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.note(kind, "created")
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save(update_fields=changed)
        report.note(kind, "updated")
    else:
        report.note(kind, "unchanged")
    return obj


def _mapping(row: dict[str, Any]) -> list[dict[str, str]]:
    items = []
    for item in row.get("mapping", []):
        _require(item, "key", "label", where=f"track {row['slug']}, [[tracks.mapping]]")
        items.append({"key": item["key"], "label": item["label"], "help": item.get("help", "")})
    if len({item["key"] for item in items}) != len(items):
        raise OrganisationFileError(f"track {row['slug']}: two kartläggning headings share a key")
    return items


def _load_referrers(
    track: Track, codes: list[str], known: dict[str, Any], report: LoadReport
) -> None:
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise OrganisationFileError(f"track {track.slug}: unknown referrers {unknown}")
    wanted = {known[code].pk for code in codes}
    if wanted != set(track.referrers.values_list("pk", flat=True)):
        track.referrers.set(wanted)
        report.note("track referrers", "updated")


# What each kind of rule reads from its row, beside kind and label; the evaluator uses the same.
RULE_PARAMETERS: dict[str, tuple[str, ...]] = {
    EligibilityRule.Kind.AGE: (),
    EligibilityRule.Kind.RESIDENCE: (),
    EligibilityRule.Kind.REFERRER: (),
    EligibilityRule.Kind.INSURANCE: ("insurers",),
    EligibilityRule.Kind.LABOUR_MARKET: (
        "excluded_af_statuses",
        "qualifying_sick_leave",
        "excluded_sick_leave",
    ),
    EligibilityRule.Kind.ASSESSMENT: (),
}


def _load_rules(track: Track, rows: list[dict[str, Any]], report: LoadReport) -> None:
    """A track's criteria, matched on their position in the file."""
    for ordering, row in enumerate(rows, start=1):
        where = f"track {track.slug}, criterion {ordering}"
        _require(row, "kind", where=where)
        if row["kind"] not in RULE_PARAMETERS:
            raise OrganisationFileError(f"{where}: unknown kind {row['kind']!r}")
        if row["kind"] != EligibilityRule.Kind.AGE and not row.get("label"):
            raise OrganisationFileError(f"{where}: a label says what the criterion is")
        extra = set(row) - {"kind", "label", *RULE_PARAMETERS[row["kind"]]}
        if extra:
            raise OrganisationFileError(f"{where}: unknown keys {sorted(extra)}")
        values = {
            "kind": row["kind"],
            "label": row.get("label", ""),
            "parameters": {key: row[key] for key in RULE_PARAMETERS[row["kind"]] if key in row},
        }
        _upsert(EligibilityRule, report, {"track": track, "ordering": ordering}, values)
    # Criteria the file no longer lists must stop applying; nothing refers to them.
    removed, _ = track.eligibility_rules.filter(ordering__gt=len(rows)).delete()
    if removed:
        report.note("eligibilityrule", "updated")


def _require(row: dict[str, Any], *keys: str, where: str) -> None:
    missing = [key for key in keys if key not in row]
    if missing:
        raise OrganisationFileError(f"{where}: missing {', '.join(missing)}")


def _name_controllers(insats: Insats, report: LoadReport) -> None:
    """Records of the insats without a named controller get theirs from the rules (records
    from before the rules; a record keeps the controller it was given)."""
    from sikta.participants.models import Participant

    unnamed = Participant.objects.filter(insats=insats, controller__isnull=True).select_related(
        "track", "kommun"
    )
    for participant in unnamed:
        party = ControllerRule.objects.controller_for(
            insats, participant.track, participant.kommun.lansdel
        )
        if party is not None:
            participant.controller = party
            participant.save(update_fields=["controller"])
            report.note("participant controller", "updated")


@transaction.atomic
def load_organisation(path: Path) -> LoadReport:
    """Create or update the organisation described by the TOML file at `path`."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise OrganisationFileError(f"{path}: {error}") from error
    report = LoadReport()

    spec = data.get("insats")
    if not isinstance(spec, dict):
        raise OrganisationFileError("the file has no [insats] table")
    _require(spec, "slug", "name", "owner", "start_date", "end_date", where="[insats]")
    insats = _upsert(
        Insats,
        report,
        {"slug": spec["slug"]},
        {key: value for key, value in spec.items() if key != "slug"},
    )

    lansdelar: dict[str, Lansdel] = {}
    for row in data.get("lansdelar", []):
        _require(row, "slug", "name", "main_town", where="[[lansdelar]]")
        values = {key: value for key, value in row.items() if key != "slug"}
        lansdelar[row["slug"]] = _upsert(
            Lansdel, report, {"insats": insats, "slug": row["slug"]}, values
        )

    kommuner: dict[str, Kommun] = {}
    for row in data.get("kommuner", []):
        # The kommuner the insats covers; a kommun may be in several insatser, each with a row
        # of its own. With länsdelar, each kommun names its own; without, none does.
        _require(row, "kommunkod", "name", where="[[kommuner]]")
        if lansdelar and row.get("lansdel") not in lansdelar:
            raise OrganisationFileError(
                f"kommun {row['name']}: unknown länsdel {row.get('lansdel')}"
            )
        if not lansdelar and row.get("lansdel"):
            raise OrganisationFileError(f"kommun {row['name']}: the insats has no länsdelar")
        kommuner[row["kommunkod"]] = _upsert(
            Kommun,
            report,
            {"insats": insats, "kommunkod": row["kommunkod"]},
            {"name": row["name"], "lansdel": lansdelar.get(row.get("lansdel", ""))},
        )

    coded: dict[type[Model], dict[str, Any]] = {}
    for model, key in (
        (ReferrerOrganisation, "referrer_organisations"),
        (IncomeSource, "income_sources"),
        (EducationLevel, "education_levels"),
        (DeclineReason, "decline_reasons"),
        (GoalArea, "goal_areas"),
        (Outcome, "outcomes"),
    ):
        coded[model] = {}
        for row in data.get(key, []):
            _require(row, "code", "name", where=f"[[{key}]]")
            values = {name: value for name, value in row.items() if name != "code"}
            coded[model][row["code"]] = _upsert(model, report, {"code": row["code"]}, values)

    for row in data.get("tracks", []):
        _require(row, "slug", "name", "min_age", "max_age", "caseworker_role", where="[[tracks]]")
        values = {
            key: value
            for key, value in row.items()
            if key not in ("slug", "referrers", "eligibility", "mapping")
        }
        values["mapping_template"] = _mapping(row)
        track = _upsert(Track, report, {"insats": insats, "slug": row["slug"]}, values)
        _load_referrers(track, row.get("referrers", []), coded[ReferrerOrganisation], report)
        _load_rules(track, row.get("eligibility", []), report)

    for row in data.get("roles", []):
        _require(row, "code", "name", where="[[roles]]")
        values = {key: value for key, value in row.items() if key != "code"}
        _upsert(Role, report, {"code": row["code"]}, values)

    for row in data.get("financing", []):
        _require(row, "funder", where="[[financing]]")
        values = {
            "funder": row["funder"],
            "label": row.get("label", ""),
            "cofinancing_percent": row.get("cofinancing_percent", 0),
            "rar_percent": row.get("rar_percent", 0),
        }
        if "kommun" in row:
            if row["kommun"] not in kommuner:
                raise OrganisationFileError(f"financing: unknown kommunkod {row['kommun']}")
            lookup = {"insats": insats, "kommun": kommuner[row["kommun"]]}
        else:
            lookup = {"insats": insats, "kommun": None, "label": values.pop("label")}
        _upsert(FinancingShare, report, lookup, values)

    # The activity plan's targets per half-year (steering groups, trainings, staff meetings …).
    for ordering, row in enumerate(data.get("activity_targets", []), start=1):
        where = "[[activity_targets]]"
        _require(row, "kind", "name", "per", "min_per_half_year", "max_per_half_year", where=where)
        if row["kind"] not in Kind.values:
            raise OrganisationFileError(f"{where}: unknown kind {row['kind']!r}")
        if row["per"] not in ActivityTarget.Per.values:
            raise OrganisationFileError(f"{where} {row['kind']}: per is programme or lansdel")
        low, high = row["min_per_half_year"], row["max_per_half_year"]
        if not (type(low) is int and type(high) is int and 0 <= low <= high):
            raise OrganisationFileError(f"{where} {row['kind']}: need 0 <= min <= max")
        values = {
            "name": row["name"],
            "per": row["per"],
            "min_per_half_year": low,
            "max_per_half_year": high,
            "ordering": ordering,
        }
        _upsert(ActivityTarget, report, {"insats": insats, "kind": row["kind"]}, values)

    # The member parties (shared by the förbund's insatser) and which is the controller of
    # this insats's records: its own rules replace what an earlier load said.
    parties = {}
    for row in data.get("parties", []):
        _require(row, "code", "name", "kind", where="[[parties]]")
        values = {key: value for key, value in row.items() if key != "code"}
        parties[row["code"]] = _upsert(MemberParty, report, {"code": row["code"]}, values)
    if "controllers" in data:
        tracks = {t.slug: t for t in insats.tracks.all()}
        wanted = []
        for row in data["controllers"]:
            _require(row, "party", where="[[controllers]]")
            party = (
                parties.get(row["party"]) or MemberParty.objects.filter(code=row["party"]).first()
            )
            if party is None:
                raise OrganisationFileError(f"controllers: unknown party {row['party']}")
            if row.get("track") and row["track"] not in tracks:
                raise OrganisationFileError(f"controllers: unknown track {row['track']}")
            if row.get("lansdel") and row["lansdel"] not in lansdelar:
                raise OrganisationFileError(f"controllers: unknown länsdel {row['lansdel']}")
            wanted.append(
                (tracks.get(row.get("track", "")), lansdelar.get(row.get("lansdel", "")), party)
            )
        have = {(r.track_id, r.lansdel_id, r.party_id) for r in insats.controller_rules.all()}
        if have != {(getattr(t, "pk", None), getattr(ld, "pk", None), p.pk) for t, ld, p in wanted}:
            insats.controller_rules.all().delete()
            for track, lansdel, party in wanted:
                ControllerRule.objects.create(
                    insats=insats, track=track, lansdel=lansdel, party=party
                )
            report.note("controllerrule", "updated")
        _name_controllers(insats, report)

    report.not_in_file = [
        *(f"länsdel {x}" for x in insats.lansdelar.exclude(slug__in=lansdelar)),
        *(
            f"kommun {x}"
            for x in Kommun.objects.filter(insats=insats).exclude(kommunkod__in=kommuner)
        ),
    ]
    return report
