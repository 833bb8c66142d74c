"""The worklist's tests run on one fixed day, with helpers to read the page's rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

TODAY = dt.date(2026, 11, 24)

Rows = Callable[..., set[tuple[str, str]]]


@pytest.fixture(autouse=True)
def _today(time_machine) -> None:
    time_machine.move_to("2026-11-24 12:00 +01:00", tick=False)


def task_rows(client: Client, query: str = "") -> set[tuple[str, str]]:
    """(kind, first name or referral's first name) of every row on the page."""
    response = client.get(f"/att-gora/?{query}")
    assert response.status_code == 200, response.status_code
    return {
        (
            task.kind.value,
            task.participant.first_name if task.participant else task.referral.first_name,
        )
        for task in response.context["tasks"]
    }
