"""Words that mean different things get different msgids (or pgettext contexts).

One msgid has one translation per language: a shared msgid makes the second use say what the
first one means (the employer's address labelled "IP-adress", a survey's change "Byt").
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise

# Field types whose values read alike (a name, a person, a date, a status): a label may be shared
# within a group. Other types (an IP address, a number, a flag, a file) have their own words.
KINDS = {
    **dict.fromkeys(
        [
            "CharField",
            "TextField",
            "SlugField",
            "EmailField",
            "URLField",
            "ForeignKey",
            "OneToOneField",
            "ManyToManyField",
            "DateField",
            "DateTimeField",
        ],
        "text",
    ),
    **dict.fromkeys(
        [
            "IntegerField",
            "SmallIntegerField",
            "BigIntegerField",
            "PositiveIntegerField",
            "PositiveSmallIntegerField",
            "PositiveBigIntegerField",
            "DecimalField",
        ],
        "number",
    ),
}


def _msgid(label: object) -> str | None:
    if isinstance(label, Promise):
        return label._args[0]  # type: ignore[attr-defined]
    return None


def test_a_field_label_is_shared_only_by_fields_of_one_kind() -> None:
    """An IP address and a postal address are both "address" in English, not in Swedish."""
    kinds: dict[str, set[str]] = defaultdict(set)
    fields: dict[str, list[str]] = defaultdict(list)
    for model in apps.get_models():
        if not model.__module__.startswith("sikta."):
            continue
        for field in model._meta.get_fields():
            msgid = _msgid(getattr(field, "verbose_name", None))
            if msgid is None:
                continue
            kind = field.get_internal_type()
            kinds[msgid].add(KINDS.get(kind, kind))
            fields[msgid].append(f"{model._meta.label}.{field.name} ({kind})")
    shared = {msgid: fields[msgid] for msgid, found in kinds.items() if len(found) > 1}
    assert not shared, f"one label for different kinds of field: give each its own: {shared}"


_TAG = re.compile(r'{%\s*translate\s+"([^"]+)"(\s+context\s+"[^"]*")?\s*%}')


def _uses(element: str) -> set[str]:
    """The msgids translated without a context inside the given element in any template."""
    found: set[str] = set()
    pattern = re.compile(rf"<{element}\b[^>]*>(.*?)</{element}>", re.S)
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for inner in pattern.findall(path.read_text(encoding="utf-8")):
            found |= {msgid for msgid, context in _TAG.findall(inner) if not context}
    return found


# Headings of a column of buttons, which name the buttons' action: the same verb.
ACTION_COLUMNS = {"Delete"}


def test_a_word_is_not_both_a_button_and_a_column_heading_without_a_context() -> None:
    """A button's word is a verb ("Byt"), a column's a noun ("Förändring"): one msgid each."""
    both = (_uses("button") & _uses("th")) - ACTION_COLUMNS
    assert not both, f"give the heading a context ({{% translate ... context ... %}}): {both}"


def test_the_employer_has_an_address_and_the_audit_log_an_ip_address(personas) -> None:
    client = personas.client("coach_sodra")
    page = client.get("/arbetsgivare/ny/").content.decode()
    assert re.search(r"<label for=\"id_address\">Adress</label>", page), page
    assert "IP-adress" not in page
    client.cookies["django_language"] = "en"
    page = client.get("/arbetsgivare/ny/").content.decode()
    assert re.search(r"<label for=\"id_address\">Address</label>", page)

    from django.utils import translation

    from sikta.audit.models import AuditEvent

    label = AuditEvent._meta.get_field("ip_address").verbose_name
    with translation.override("sv"):
        assert str(label) == "IP-adress"
    with translation.override("en"):
        assert str(label) == "IP address"


def test_a_change_in_the_survey_is_förändring_and_the_language_button_byt(personas) -> None:
    from sikta.surveys.models import Instrument

    sikta = Instrument.objects.get(code="sikta")
    client = personas.client("coach_sodra")
    item = f"i{sikta.items.get(code='tilltro_1').pk}"
    base = f"/deltagare/{personas.alice_sodra.pk}/enkat/{sikta.pk}/"
    client.post(base + "start/papper/", {item: "2"})
    client.post(base + "exit/papper/", {item: "4"})
    page = client.get(f"/deltagare/{personas.alice_sodra.pk}/enkat/").content.decode()
    assert '<th scope="col" class="num">Förändring</th>' in page
    assert '<button type="submit">Byt</button>' in page
    client.cookies["django_language"] = "en"
    page = client.get(f"/deltagare/{personas.alice_sodra.pk}/enkat/").content.decode()
    assert '<th scope="col" class="num">Change</th>' in page
    assert '<button type="submit">Change</button>' in page
