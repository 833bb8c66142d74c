from __future__ import annotations

from tests.conftest import Personas


def test_a_coach_starts_with_their_own_participants(personas: Personas) -> None:
    response = personas.client("coach_sodra").get("/")
    assert [r.participant.first_name for r in response.context["rows"]] == ["Alice"]
    assert "front/start_caseworker.html" in [t.name for t in response.templates]


def test_a_samordnare_starts_with_the_caseload_of_their_lansdel(personas: Personas) -> None:
    response = personas.client("samordnare_sodra").get("/")
    caseloads = {m.first_name: m.active_count for m in response.context["caseloads"].rows}
    assert caseloads == {"coach_sodra": 1, "coach_sodra_other": 0}
    assert response.context["lansdel_active"] == 1


def test_the_programme_lead_sees_all_lansdelar(personas: Personas) -> None:
    response = personas.client("insatsledare").get("/")
    counts = response.context["counts"]
    assert counts.total == 2
    assert [track.slug for track in counts.tracks] == ["koordinering", "coachning"]
    by_area = {area: total for area, _cells, total in counts.rows}
    assert by_area == {"Södra länsdelen": 1, "Norra länsdelen": 1, "Västra länsdelen": 0}
    assert {m.first_name for m in response.context["caseloads"].rows} >= {
        "coach_sodra",
        "koordinator_norra",
    }


def test_the_steering_group_sees_numbers_and_no_person(personas: Personas) -> None:
    response = personas.client("styrgrupp").get("/")
    assert response.context["counts"].total == 2
    assert "caseloads" not in response.context
    body = response.content.decode()
    assert "/deltagare/" not in body
    assert "Alice" not in body and "Zackrisson" not in body


def test_a_login_without_a_role_sees_nothing(personas: Personas) -> None:
    response = personas.client("no_role").get("/")
    assert "front/start_no_role.html" in [t.name for t in response.templates]
    assert "counts" not in response.context


def test_every_page_has_a_skip_link_landmarks_and_language(personas: Personas) -> None:
    for url in ("/", "/organisation/", "/deltagare/", "/logg/"):
        body = personas.client("insatsledare").get(url).content.decode()
        assert '<html lang="sv">' in body
        assert 'href="#main"' in body and '<main id="main"' in body
        assert "<header" in body and "<nav" in body and "<footer" in body


def test_the_stylesheet_is_found_by_the_static_files_finders() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("sikta/site.css") is not None


def test_overview_start_pages_do_not_grow_queries_with_the_data(personas: Personas) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ParticipantFactory

    def queries(name: str) -> int:
        client = personas.client(name)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    before = {name: queries(name) for name in ("insatsledare", "samordnare_sodra", "styrgrupp")}
    ParticipantFactory.create_batch(15, assigned_to=personas.coach_sodra)
    ParticipantFactory.create_batch(5, assigned_to=personas.coach_sodra_other)
    after = {name: queries(name) for name in before}
    assert after == before


def test_missing_and_forbidden_pages_explain_themselves_in_swedish(personas: Personas) -> None:
    missing = personas.client("coach_sodra_other").get(f"/deltagare/{personas.bo_norra.pk}/")
    assert missing.status_code == 404
    assert "Sidan kunde inte hittas" in missing.content.decode()
    assert "Qvarnström" not in missing.content.decode()
    forbidden = personas.client("styrgrupp").get("/deltagare/")
    assert forbidden.status_code == 403
    assert "Du har inte behörighet till den här sidan" in forbidden.content.decode()
