"""Server errors that fuzzing every view (tests/security/test_fuzz.py) found in the log review."""

from __future__ import annotations

import pytest

from sikta.audit.models import LogReview
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_an_item_number_in_unicode_digits_is_not_found(personas: Personas) -> None:
    """ "²".isdigit() is true but int("²") fails: marking a read answered 500."""
    review = LogReview.objects.create(
        insats=personas.insatsledare.insats,
        period_from="2026-01-01",
        period_to="2026-06-30",
        sample_size=5,
        drawn_by_name="x",
    )
    client = personas.client("insatsledare")
    for item in ("²", "٣", "x"):
        response = client.post(f"/logg/granskning/{review.pk}/", {"item": item})
        assert response.status_code == 404
