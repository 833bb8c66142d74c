from __future__ import annotations

from django.test import Client


def test_swedish_is_the_default_even_for_an_english_browser(db) -> None:
    response = Client().get("/konto/logga-in/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="sv">' in response.content.decode()
    assert "Logga in" in response.content.decode()


def test_english_can_be_chosen(db) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/konto/logga-in/"})
    assert response.status_code == 302
    page = client.get("/konto/logga-in/").content.decode()
    assert '<html lang="en">' in page and "Log in to Sikta" in page
    client.post("/i18n/setlang/", {"language": "sv", "next": "/"})
    assert '<html lang="sv">' in client.get("/konto/logga-in/").content.decode()


def test_an_unknown_language_falls_back_to_swedish(db) -> None:
    client = Client()
    client.cookies["django_language"] = "xx"
    assert '<html lang="sv">' in client.get("/konto/logga-in/").content.decode()


def test_the_swedish_catalogue_is_complete() -> None:
    from pathlib import Path

    import polib
    from django.conf import settings

    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale/sv/LC_MESSAGES/django.po"))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing and not fuzzy, {"untranslated": missing, "fuzzy": fuzzy}
