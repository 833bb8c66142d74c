"""Which HTTP methods a view answers.

Function views answer any method unless told otherwise: a PUT, PATCH, DELETE or OPTIONS would
otherwise be treated like a GET (and a POST to a page without a form like a GET too). Every view
says what it takes — `require_safe` for a page that only shows, `require_form_methods` for a
page with a form, `require_POST` for an action — and anything else is 405. The decorator goes
below the access check (`@requires`, `@login_required`), so a user who may not see the page is
refused the same way whatever the method.
"""

from __future__ import annotations

from django.views.decorators.http import require_http_methods

# A page with a form: shown with GET (and HEAD), sent with POST.
require_form_methods = require_http_methods(["GET", "HEAD", "POST"])
