"""Ids and years in markup are written as plain digits, never with the Swedish thousand separator.

USE_THOUSAND_SEPARATOR writes 10239 as "10 239" wherever a number is printed: in a hidden form
value that is an id no form accepts (the förbund's "work in it" buttons failed once the ids passed
a thousand, in CI only). Every id a template puts in an attribute goes through |unlocalize.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# {{ something.pk }} or {{ something_id }} with no filter: printed localised.
BARE_ID = re.compile(r"\{\{\s*[\w.]+(?:\.pk|_id|\.id)\s*\}\}")


def test_no_template_prints_a_bare_id() -> None:
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in BARE_ID.finditer(path.read_text(encoding="utf-8"))
        if not match.group(0).endswith(("auto_id }}",))
    ]
    assert found == []


def test_an_unlocalized_id_has_no_separator() -> None:
    with translation.override("sv"):
        bare = Template("{{ n }}").render(Context({"n": 10239}))
        plain = Template("{% load l10n %}{{ n|unlocalize }}").render(Context({"n": 10239}))
    assert bare != "10239"  # what the test above guards against
    assert plain == "10239"
