from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sikta.access.policy import grants, staff_of, staff_records


def access(request: HttpRequest) -> dict[str, Any]:
    """What the menu needs: the staff record the user works as, their others (the switch
    between insatser), and the actions the role grants."""
    user = getattr(request, "user", None)
    staff = staff_of(user)
    return {
        "current_staff": staff,
        "staff_records": staff_records(user),
        "can": {action.name.lower(): True for action in grants(user)},
    }
