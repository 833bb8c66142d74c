from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sikta.access.policy import grants, staff_of


def access(request: HttpRequest) -> dict[str, Any]:
    """What the menu needs: the user's staff record and the actions their role grants."""
    user = getattr(request, "user", None)
    staff = staff_of(user)
    return {
        "current_staff": staff,
        "can": {action.name.lower(): True for action in grants(user)},
    }
