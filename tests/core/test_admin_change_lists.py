"""The admin's change lists answer dates no date can hold like any wrong filter (?e=1).

Found by fuzzing (tests/security/test_fuzz.py): Django's change list builds the date
hierarchy's and the date filters' dates itself, and an OverflowError (a year of 20 digits),
the year after 9999, or year 1 moved across the time zone was a server error.
"""

from __future__ import annotations

import pytest
from django.contrib import admin

from sikta.core.admin import SafeDateChangeListMixin
from tests.conftest import Personas

pytestmark = pytest.mark.django_db


def test_every_registered_admin_has_the_safe_change_list() -> None:
    assert all(isinstance(a, SafeDateChangeListMixin) for a in admin.site._registry.values())


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/admin/audit/auditevent/", {"at__year": "99999999999999999999"}),
        ("/admin/audit/auditevent/", {"at__year": "9999"}),
        ("/admin/audit/auditevent/", {"at__year": "1"}),
        ("/admin/audit/auditevent/", {"at__year": "2026", "at__month": "²"}),
        ("/admin/activities/activity/", {"planned_date__year": "9999"}),
        ("/admin/axes/accesslog/", {"attempt_time__year": "99999999999999999999"}),
        ("/admin/otp_totp/totpdevice/", {"created_at__gte": "0001-01-01 00:00:00+00:00"}),
    ],
)
def test_an_impossible_date_is_a_wrong_filter(personas: Personas, path: str, query: dict) -> None:
    client = personas.client("admin")
    response = client.get(path, query)
    assert response.status_code == 302
    assert response["Location"] == f"{path}?e=1"


def test_a_real_date_still_filters(personas: Personas) -> None:
    client = personas.client("admin")
    assert client.get("/admin/audit/auditevent/", {"at__year": "2026"}).status_code == 200
    assert (
        client.get("/admin/activities/activity/", {"planned_date__year": "2026"}).status_code == 200
    )
