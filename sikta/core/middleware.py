"""Language from the user's explicit choice only.

Django's LocaleMiddleware also honours the browser's Accept-Language, which would show English
to a Swedish coordinator whose browser happens to be English. Sikta is Swedish unless the user
picks English with the language switcher (which sets the language cookie).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers


class CookieLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class NoStoreForSignedInMiddleware:
    """Nothing shown to a signed-in user is kept by the browser or a proxy.

    Pages and downloads for staff carry personal data; without this, the browser's cache (and
    its back button after logout, on a shared computer) would keep them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


# When the session's idle timeout was last pushed forward (seconds since the epoch).
TOUCHED = "_sikta_touched"


class IdleTimeoutMiddleware:
    """A signed-in session ends SESSION_COOKIE_AGE after its last request, to the minute.

    Django keeps a sliding expiry by saving the session on every request
    (SESSION_SAVE_EVERY_REQUEST): a write to the primary database on every page, a report read
    from the replica included. Here the expiry is pushed forward when it is at least
    SESSION_TOUCH_SECONDS old (or the session changed anyway): a session then ends between
    SESSION_COOKIE_AGE minus that and SESSION_COOKIE_AGE after the last request.

    Sits right after the session middleware: its response phase runs just before the session is
    saved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        if not session.is_empty():  # a visitor with no session gets none
            now = int(time.time())
            if session.modified or now - session.get(TOUCHED, 0) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED] = now
        return response
