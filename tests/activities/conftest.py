from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from sikta.activities.models import Activity
from sikta.organisation.models import Insats, Lansdel

MakeActivity = Callable[..., Activity]


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """The tests read the English source strings; Swedish comes later from the catalogue."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def make_activity(db: Any) -> MakeActivity:
    """make_activity("styrgrupp_lokal", "2026-03-10", "sodra", held="2026-03-10")"""
    insats = Insats.objects.current()

    def make(
        kind: str,
        planned: str,
        lansdel: str | None = None,
        *,
        held: str | None = None,
        cancelled: bool = False,
        title: str = "",
    ) -> Activity:
        status = "cancelled" if cancelled else "held" if held else "planned"
        return Activity.objects.create(
            insats=insats,
            kind=kind,
            lansdel=Lansdel.objects.get(slug=lansdel) if lansdel else None,
            planned_date=dt.date.fromisoformat(planned),
            held_date=dt.date.fromisoformat(held) if held else None,
            status=status,
            title=title,
        )

    return make
