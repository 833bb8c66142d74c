"""Organisation data has an English label, shown when English is chosen; Swedish stays default.

The lists (goal areas, outcomes, education levels, income sources, referrers, decline reasons),
tracks, roles and county areas carry `name_en` in the data file; the model's `label` (and
`__str__`, which the forms' choices use) picks it when the active language is English.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.html import escape

from sikta.organisation.models import GoalArea, Outcome, Track
from tests.conftest import Personas

ORGANISATION_FILES = sorted(Path(settings.BASE_DIR, "sikta/organisation/data").glob("*.toml"))
SURVEY_FILES = sorted(Path(settings.BASE_DIR, "sikta/surveys/data").glob("*.toml"))
# Proper names, the same in every language: the programme, the municipalities. The activity
# plan's kinds are named by sikta.activities (translated there), not from this label.
PROPER_NAMES = {"insats", "kommuner", "activity_targets"}


def _rows(data: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every table of a TOML document, with where it is, nested tables included."""
    rows: list[tuple[str, dict[str, Any]]] = []
    if isinstance(data, dict):
        rows.append((where, data))
        for key, value in data.items():
            rows += _rows(value, f"{where}.{key}" if where else key)
    elif isinstance(data, list):
        for number, value in enumerate(data, start=1):
            rows += _rows(value, f"{where}[{number}]")
    return rows


def _table(where: str) -> str:
    return where.split("[", 1)[0].split(".", 1)[0]


def test_the_files_are_found() -> None:
    assert ORGANISATION_FILES and SURVEY_FILES


@pytest.mark.parametrize("path", ORGANISATION_FILES, ids=lambda p: p.name)
def test_every_name_in_an_organisation_file_has_an_english_label(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = []
    named = 0
    for where, row in _rows(data):
        if _table(where) in PROPER_NAMES:
            continue
        for key in ("name", "short_name"):
            if key in row:
                named += 1
                if not str(row.get(f"{key}_en", "")).strip():
                    missing.append(f"{where} ({row.get('code', row.get('slug'))}): {key}_en")
    assert named > (50 if path.name == "sikta_mot_arbetslivet.toml" else 0)
    assert not missing, missing


@pytest.mark.parametrize("path", SURVEY_FILES, ids=lambda p: p.name)
def test_every_swedish_text_in_a_survey_file_has_an_english_one(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = []
    for where, row in _rows(data):
        for key, value in row.items():
            if key == "sv" or key.endswith("_sv"):
                twin = row.get("en" if key == "sv" else key[: -len("sv")] + "en")
                texts = twin if isinstance(twin, list) else [twin]
                if (
                    not twin
                    or not all(str(t or "").strip() for t in texts)
                    or (isinstance(value, list) and len(texts) != len(value))
                ):
                    missing.append(f"{where}: {key}")
    assert not missing, missing


def test_the_loader_keeps_the_english_label(db) -> None:
    area = GoalArea.objects.get(code="arbete")
    assert (area.name, area.name_en) == ("Arbete och arbetsträning", "Work and work training")
    with translation.override("sv"):
        assert str(area) == area.label == "Arbete och arbetsträning"
    with translation.override("en"):
        assert str(area) == area.label == "Work and work training"
        assert str(Track.objects.get(slug="coachning")) == "Coaching"


def test_without_an_english_label_the_swedish_name_is_shown(db) -> None:
    area = GoalArea(code="x", name="Fritid")
    with translation.override("en"):
        assert str(area) == "Fritid"


def _page(personas: Personas, path: str, language: str | None) -> str:
    client = personas.client("coach_sodra")
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [
        (None, ["Arbete", "Förstärkt samarbete AF/FK", "Flyttat"], ["Moved away"]),
        ("sv", ["Arbete", "Förstärkt samarbete AF/FK", "Flyttat"], ["Moved away"]),
        ("en", ["Work", "Enhanced cooperation AF/FK", "Moved away"], ["Flyttat"]),
    ],
)
def test_the_exit_forms_outcomes_follow_the_language(
    personas: Personas, language: str | None, shown: list[str], not_shown: list[str]
) -> None:
    page = _page(personas, f"/deltagare/{personas.alice_sodra.pk}/utskrivning/", language)
    for outcome in Outcome.objects.all():
        expected = outcome.name_en if language == "en" else outcome.name
        assert f">{escape(expected)}</" in page, expected
    for label in shown:
        assert f">{label}</" in page
    for label in not_shown:
        assert f">{label}</" not in page


@pytest.mark.parametrize("language", [None, "sv", "en"])
def test_the_plans_goal_areas_follow_the_language(personas: Personas, language: str | None) -> None:
    from sikta.casework.models import Goal

    area = GoalArea.objects.get(code="halsa")
    Goal.objects.create(participant=personas.alice_sodra, text="Sova bättre", area=area)
    page = _page(personas, f"/deltagare/{personas.alice_sodra.pk}/plan/", language)
    for each in GoalArea.objects.all():
        expected = each.name_en if language == "en" else each.name
        assert f">{escape(expected)}</option>" in page, expected
    if language == "en":
        assert "Health and well-being" in page and "Hälsa och välmående" not in page
    else:
        assert "Hälsa och välmående" in page and "Health and well-being" not in page
