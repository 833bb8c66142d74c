"""Load an organisation data file into the database, idempotently.

Rows are matched on natural keys (insats slug, länsdel slug, kommunkod, track slug, role code,
financing kommun/label) and updated in place, so running the loader twice changes nothing and
editing the file then loading again updates what changed. Nothing is deleted: rows that the file
no longer lists are reported, because participants and staff may still refer to them.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Model

from sikta.organisation.models import (
    FinancingShare,
    Insats,
    Kommun,
    Lansdel,
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


def _require(row: dict[str, Any], *keys: str, where: str) -> None:
    missing = [key for key in keys if key not in row]
    if missing:
        raise OrganisationFileError(f"{where}: missing {', '.join(missing)}")


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
        _require(row, "kommunkod", "name", "lansdel", where="[[kommuner]]")
        if row["lansdel"] not in lansdelar:
            raise OrganisationFileError(f"kommun {row['name']}: unknown länsdel {row['lansdel']}")
        kommuner[row["kommunkod"]] = _upsert(
            Kommun,
            report,
            {"kommunkod": row["kommunkod"]},
            {"name": row["name"], "lansdel": lansdelar[row["lansdel"]]},
        )

    for row in data.get("tracks", []):
        _require(row, "slug", "name", "min_age", "max_age", "caseworker_role", where="[[tracks]]")
        values = {key: value for key, value in row.items() if key != "slug"}
        _upsert(Track, report, {"insats": insats, "slug": row["slug"]}, values)

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

    report.not_in_file = [
        *(f"länsdel {x}" for x in insats.lansdelar.exclude(slug__in=lansdelar)),
        *(
            f"kommun {x}"
            for x in Kommun.objects.filter(lansdel__insats=insats).exclude(kommunkod__in=kommuner)
        ),
    ]
    return report
