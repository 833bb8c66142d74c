"""Load survey instruments from a TOML file, idempotently.

An instrument is matched on (code, version). Once it has responses its wording and scale are
fixed: answers must always refer to what was asked, so a changed text needs a new version.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from sikta.surveys.models import Instrument, Item, SubGoal

DEFAULT_FILE = Path(settings.BASE_DIR) / "sikta" / "surveys" / "data" / "instruments.toml"


ITEM_FIELDS = (
    "code",
    "ordering",
    "subgoal",
    "text_sv",
    "text_en",
    "reverse",
    "scale_min",
    "scale_max",
    "labels_sv",
    "labels_en",
)


class InstrumentFileError(ValueError):
    pass


def _instrument_values(row: dict[str, Any]) -> dict[str, Any]:
    scale = row.get("scale", {})
    return {
        "name_sv": row["name_sv"],
        "name_en": row.get("name_en", ""),
        "intro_sv": row.get("intro_sv", ""),
        "intro_en": row.get("intro_en", ""),
        "scoring": row.get("scoring", Instrument.Scoring.MEAN),
        "scale_min": scale["min"],
        "scale_max": scale["max"],
        "labels_sv": scale.get("labels_sv", []),
        "labels_en": scale.get("labels_en", []),
        "citation": row.get("citation", ""),
    }


@transaction.atomic
def load_instruments(path: Path = DEFAULT_FILE) -> dict[str, int]:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InstrumentFileError(f"{path}: {error}") from error
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for row in data.get("subgoals", []):
        values = {k: row.get(k, "") for k in ("name_sv", "name_en")} | {
            "ordering": row.get("ordering", 0)
        }
        _, created = SubGoal.objects.update_or_create(code=row["code"], defaults=values)
    subgoals = {s.code: s for s in SubGoal.objects.all()}
    for row in data.get("instruments", []):
        where = f"instrument {row.get('code')} v{row.get('version')}"
        try:
            values = _instrument_values(row)
        except KeyError as error:
            raise InstrumentFileError(f"{where}: missing {error}") from None
        if values["scoring"] not in Instrument.Scoring.values:
            raise InstrumentFileError(f"{where}: unknown scoring {values['scoring']!r}")
        items = []
        for ordering, item in enumerate(row.get("items", []), start=1):
            if item.get("subgoal") not in subgoals:
                raise InstrumentFileError(f"{where}: unknown sub-goal {item.get('subgoal')!r}")
            own_scale = item.get("scale", {})
            items.append(
                {
                    "code": item["code"],
                    "ordering": ordering,
                    "subgoal": subgoals[item["subgoal"]],
                    "text_sv": item["sv"],
                    "text_en": item.get("en", ""),
                    "reverse": bool(item.get("reverse", False)),
                    "scale_min": own_scale.get("min"),
                    "scale_max": own_scale.get("max"),
                    "labels_sv": own_scale.get("labels_sv", []),
                    "labels_en": own_scale.get("labels_en", []),
                }
            )
        instrument = Instrument.objects.filter(code=row["code"], version=row["version"]).first()
        if instrument is None:
            instrument = Instrument.objects.create(
                code=row["code"], version=row["version"], **values
            )
            Item.objects.bulk_create(Item(instrument=instrument, **i) for i in items)
            counts["created"] += 1
            continue
        current = [
            {f: getattr(i, f) for f in ITEM_FIELDS}
            for i in instrument.items.select_related("subgoal")
        ]
        same = all(getattr(instrument, k) == v for k, v in values.items()) and current == items
        if same:
            counts["unchanged"] += 1
            continue
        if instrument.responses.exists():
            raise InstrumentFileError(
                f"{where} has answers: its wording is fixed, give the change a new version"
            )
        Instrument.objects.filter(pk=instrument.pk).update(**values)
        instrument.items.all().delete()
        Item.objects.bulk_create(Item(instrument=instrument, **i) for i in items)
        counts["updated"] += 1
    return counts
