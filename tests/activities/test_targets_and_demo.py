"""The plan's targets come from the organisation file, idempotently; the demo meetings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from sikta.activities.demo import seed_activities
from sikta.activities.models import Activity, ActivityTarget, Minutes
from sikta.organisation.loader import OrganisationFileError, load_organisation
from sikta.organisation.models import Insats
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_the_plan_targets_are_loaded() -> None:
    targets = {
        t.kind: (t.per, t.min_per_half_year, t.max_per_half_year)
        for t in ActivityTarget.objects.filter(insats=Insats.objects.current())
    }
    assert targets == {
        "styrgrupp_central": ("programme", 2, 2),
        "styrgrupp_lokal": ("lansdel", 3, 4),
        "utbildning": ("programme", 2, 2),
        "personaltraff": ("programme", 4, 4),
        "konferens": ("programme", 0, 1),
    }


def test_loading_again_changes_no_target() -> None:
    before = list(ActivityTarget.objects.values())
    report = load_organisation(settings.SIKTA_ORGANISATION_FILE)
    assert not report.changed
    assert report.unchanged["activitytarget"] == 5
    assert list(ActivityTarget.objects.values()) == before


def test_an_edited_target_is_updated_in_place(tmp_path: Path) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    edited = text.replace(
        'name = "Personalträffar"\nper = "programme"\nmin_per_half_year = 4\nmax_per_half_year = 4',
        'name = "Personalträffar"\nper = "programme"\nmin_per_half_year = 3\nmax_per_half_year = 5',
    )
    assert edited != text
    path = tmp_path / "edited.toml"
    path.write_text(edited, encoding="utf-8")
    pk = ActivityTarget.objects.get(kind="personaltraff").pk
    report = load_organisation(path)
    assert report.updated == {"activitytarget": 1}
    target = ActivityTarget.objects.get(kind="personaltraff")
    assert (target.pk, target.min_per_half_year, target.max_per_half_year) == (pk, 3, 5)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('kind = "konferens"', 'kind = "fest"'),
        ('per = "lansdel"', 'per = "kommun"'),
        (
            "min_per_half_year = 3\nmax_per_half_year = 4",
            "min_per_half_year = 5\nmax_per_half_year = 4",
        ),
    ],
)
def test_a_wrong_target_is_refused_whole(tmp_path: Path, broken: str, message: str) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    assert broken in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(broken, message, 1), encoding="utf-8")
    before = list(ActivityTarget.objects.values())
    with pytest.raises(OrganisationFileError, match="activity_targets"):
        load_organisation(path)
    assert list(ActivityTarget.objects.values()) == before


def test_the_demo_meetings(personas: Personas) -> None:
    insats = Insats.objects.current()
    today = dt.date(2026, 11, 23)
    created = seed_activities(insats=insats, today=today)
    assert created == Activity.objects.count() > 30
    assert seed_activities(insats=insats, today=today) == 0  # only once
    days = Activity.objects.values_list("planned_date", flat=True)
    assert min(days) >= dt.date(2026, 1, 1) and max(days) <= dt.date(2026, 12, 31)
    assert not Activity.objects.filter(held_date__gt=today).exists()
    assert not Activity.objects.filter(status="planned", planned_date__lt=today).exists()
    assert Minutes.objects.exists()
    assert not Minutes.objects.exclude(activity__status="held").exists()
    # The page shows them, and a file downloads.
    client = personas.client("styrgrupp")
    assert client.get("/aktivitetsplan/?halvar=2026-1").status_code == 200
    minutes = Minutes.objects.first()
    response = client.get(f"/aktivitetsplan/{minutes.activity_id}/anteckningar/{minutes.pk}/")
    assert response.status_code == 200 and response.content.startswith(b"Minnesanteckningar")
