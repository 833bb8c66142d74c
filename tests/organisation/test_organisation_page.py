from __future__ import annotations

from tests.conftest import Personas


def test_it_shows_the_organisation_as_the_plan_describes_it(personas: Personas) -> None:
    response = personas.client("styrgrupp").get("/organisation/")
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Sikta mot arbetslivet",
        "2023-10-01",
        "2028-09-30",
        "Södra länsdelen",
        "Nyköping",
        "Oxelösund (0481)",
        "Sikta mot arbetslivet – koordinering",
        "18–29",
        "18–65",
    ):
        assert text in body, text
    assert 'data-total="kommun">625\xa0%' in body
    assert 'data-total="rar">950\xa0%' in body
    assert 'data-total="region">300\xa0%' in body


def test_it_lists_the_staff_of_each_lansdel_with_role(personas: Personas) -> None:
    response = personas.client("coach_sodra").get("/organisation/")
    sodra = next(area for area in response.context["lansdelar"] if area.slug == "sodra")
    assert {(m.first_name, m.role.code) for m in sodra.staff.all()} == {
        ("samordnare_sodra", "samordnare"),
        ("coach_sodra", "coach"),
        ("coach_sodra_other", "coach"),
    }


def test_it_uses_a_fixed_number_of_queries(
    personas: Personas, django_assert_max_num_queries
) -> None:
    client = personas.client("insatsledare")
    with django_assert_max_num_queries(16):  # +1: the two-factor device
        client.get("/organisation/")


def test_the_admin_requires_a_lansdel_for_lansdel_roles(personas: Personas) -> None:
    from sikta.organisation.models import Role

    client = personas.client("admin")
    from sikta.organisation.models import Insats

    coach = Role.objects.get(code="coach")
    form = {
        "first_name": "Ny",
        "last_name": "Coach",
        "role": coach.pk,
        "insats": Insats.objects.get().pk,
        "lansdel": "",
        "is_active": "on",
    }
    response = client.post("/admin/organisation/staffmember/add/", form)
    assert response.status_code == 200
    assert "arbetar i en länsdel" in response.content.decode()
    assert response.context["adminform"].form.data["first_name"] == "Ny"
