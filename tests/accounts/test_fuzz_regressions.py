"""Server errors that fuzzing (tests/security/test_fuzz.py) found in the login."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_user_name_longer_than_any_login_is_refused_by_the_form() -> None:
    """Django limited only the input box: the name went on to authentication, and django-axes
    failed to store it in its 255-character column on PostgreSQL (a 500)."""
    response = Client().post("/konto/logga-in/", {"username": "x" * 5000, "password": "p"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()  # refused before anyone looked the name up
