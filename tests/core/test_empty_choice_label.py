"""No select shows Django's "---------": every empty choice has a real, translated label.

Every page of the URLconf (tests/access/test_url_matrix.py's MATRIX) is requested as a persona
who may see it, in Swedish and in English, so a new form with a select is checked without being
listed here.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from sikta.core.forms import DJANGO_EMPTY_LABEL
from sikta.organisation.models import GoalArea, Outcome
from tests.access.test_url_matrix import MATRIX, OK
from tests.conftest import Personas

PAGES = sorted(name for name, (_kwargs, expected) in MATRIX.items() if OK in expected.values())


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("url_name", PAGES)
def test_no_page_shows_the_dashes(personas: Personas, url_name: str, language: str) -> None:
    kwargs_for, expected = MATRIX[url_name]
    persona = next(p for p, result in expected.items() if result == OK)
    client = personas.client(persona)
    client.cookies["django_language"] = language

    response = client.get(reverse(url_name, kwargs=kwargs_for(personas)))

    assert response.status_code == 200
    if response.get("Content-Type", "").startswith("text/html"):
        assert DJANGO_EMPTY_LABEL not in response.content.decode(), (url_name, persona)


@pytest.mark.parametrize("track", ["koordinering", "coachning"])
def test_the_public_referral_form_has_no_dashes(db, track: str) -> None:
    from django.test import Client

    page = (
        Client()
        .get(reverse("referral_form", kwargs={"insats": "sikta-mot-arbetslivet", "track": track}))
        .content.decode()
    )
    assert "<select" in page
    assert DJANGO_EMPTY_LABEL not in page


class _Form(forms.Form):
    area = forms.ModelChoiceField(queryset=GoalArea.objects.all())
    outcome = forms.ModelChoiceField(queryset=Outcome.objects.all(), required=False)
    answer = forms.ChoiceField(
        choices=[("", DJANGO_EMPTY_LABEL), ("ja", "Ja")], widget=forms.RadioSelect, required=False
    )
    kind = forms.ChoiceField(choices=[("", DJANGO_EMPTY_LABEL), ("a", "A")])
    own = forms.ModelChoiceField(queryset=GoalArea.objects.all(), empty_label="Alla")


@pytest.mark.parametrize(("language", "label"), [("sv", "Välj …"), ("en", "Choose…")])
def test_the_field_templates_label_the_empty_choice(db, language: str, label: str) -> None:
    form = _Form()
    with translation.override(language):
        html = "".join(
            render_to_string(template, {"field": form[name]})
            for name, template in (
                ("area", "includes/field.html"),
                ("outcome", "includes/field.html"),
                ("answer", "includes/choice_field.html"),
                ("kind", "includes/field.html"),
                ("own", "includes/field.html"),
            )
        )
    assert DJANGO_EMPTY_LABEL not in html
    assert len(re.findall(f'<option value=""( selected)?>{label}</option>', html)) == 3
    assert re.search(f'<label for="id_answer_0">{label}</label>', html)
    assert re.search('<option value=""( selected)?>Alla</option>', html)
