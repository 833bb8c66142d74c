"""Brings back which of their staff records (which insats) a signed-in user works as."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sikta.access.policy import choose_record

SESSION_KEY = "sikta_staff_record"


class ChosenRecordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.session.get(SESSION_KEY)
            if isinstance(chosen, int):
                choose_record(user, chosen)
        return self.get_response(request)
