from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sikta.organisation.loader import load_organisation
from sikta.organisation.models import FinancingShare, Insats, Kommun, Lansdel, Role, Track

pytestmark = pytest.mark.django_db


def test_it_loads_the_plan() -> None:
    insats = Insats.objects.get()
    assert insats.name == "Sikta mot arbetslivet"
    assert str(insats.start_date) == "2023-10-01" and str(insats.end_date) == "2028-09-30"
    areas = {
        lansdel.name: (lansdel.main_town, sorted(k.name for k in lansdel.kommuner.all()))
        for lansdel in Lansdel.objects.all()
    }
    assert areas == {
        "Södra länsdelen": ("Nyköping", ["Gnesta", "Nyköping", "Oxelösund", "Trosa"]),
        "Norra länsdelen": ("Eskilstuna", ["Eskilstuna", "Strängnäs"]),
        "Västra länsdelen": ("Katrineholm", ["Flen", "Katrineholm", "Vingåker"]),
    }
    assert Kommun.objects.get(name="Vingåker").kommunkod == "0428"
    assert Kommun.objects.get(name="Eskilstuna").kommunkod == "0484"
    ages = {t.slug: (t.min_age, t.max_age) for t in Track.objects.all()}
    assert ages == {"koordinering": (18, 29), "coachning": (18, 65)}
    assert Role.objects.count() == 7


def test_the_financing_totals_are_computed_from_the_rows() -> None:
    totals = Insats.objects.get().financing_totals()
    assert totals == {"kommun": Decimal(625), "rar": Decimal(950), "region": Decimal(300)}
    eskilstuna = FinancingShare.objects.get(kommun__name="Eskilstuna")
    assert (eskilstuna.cofinancing_percent, eskilstuna.rar_percent) == (200, 250)


def test_loading_again_changes_nothing() -> None:
    counts = [m.objects.count() for m in (Insats, Lansdel, Kommun, Track, Role, FinancingShare)]
    report = load_organisation(settings.SIKTA_ORGANISATION_FILE)
    assert not report.changed
    assert counts == [
        m.objects.count() for m in (Insats, Lansdel, Kommun, Track, Role, FinancingShare)
    ]
    out = StringIO()
    call_command("load_organisation", stdout=out)
    assert "already up to date" in out.getvalue()


def test_an_edited_file_updates_in_place(tmp_path: Path) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    edited = text.replace("max_age = 65", "max_age = 64").replace(
        'kommun = "0484"\ncofinancing_percent = 200', 'kommun = "0484"\ncofinancing_percent = 210'
    )
    path = tmp_path / "edited.toml"
    path.write_text(edited, encoding="utf-8")
    coachning = Track.objects.get(slug="coachning")
    report = load_organisation(path)
    assert report.updated == {"track": 1, "financingshare": 1}
    coachning.refresh_from_db()
    assert coachning.max_age == 64
    assert Insats.objects.get().financing_totals()["kommun"] == 635


def test_a_broken_file_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    path.write_text(text.replace('lansdel = "vastra"', 'lansdel = "ostra"', 1), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown länsdel ostra"):
        call_command("load_organisation", str(path), stdout=StringIO())
    path.write_text("not = [valid", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_organisation", str(path), stdout=StringIO())


def test_it_loads_the_referral_rules() -> None:
    from sikta.organisation.models import EligibilityRule, IncomeSource, ReferrerOrganisation

    coachning = Track.objects.get(slug="coachning")
    assert set(coachning.referrers.values_list("code", flat=True)) == {"kommun", "fk"}
    assert not Track.objects.get(slug="koordinering").referrers.exists()
    kinds = list(coachning.eligibility_rules.values_list("kind", flat=True))
    assert kinds == [
        "age",
        "residence",
        "referrer",
        "insurance",
        "labour_market",
        "assessment",
        "assessment",
    ]
    insurance = coachning.eligibility_rules.get(kind=EligibilityRule.Kind.INSURANCE)
    assert insurance.parameters == {"insurers": ["kommun", "fk"]}
    insured = set(IncomeSource.objects.exclude(insured_by="").values_list("code", flat=True))
    assert {"ekonomiskt_bistand", "sjukpenning", "aktivitetsersattning", "livranta"} <= insured
    assert "lon" not in insured
    assert ReferrerOrganisation.objects.filter(code__in=["region", "af"]).count() == 2
    assert Insats.objects.get().default_caseload_capacity == 15


def test_a_criterion_taken_out_of_the_file_stops_applying(tmp_path: Path) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    last = text.rindex("[[tracks.eligibility]]")  # coachning's last criterion, up to a blank line
    path = tmp_path / "fewer.toml"
    path.write_text(text[:last] + text[text.index("\n\n", last) :], encoding="utf-8")
    coachning = Track.objects.get(slug="coachning")
    before = coachning.eligibility_rules.count()
    load_organisation(path)
    assert coachning.eligibility_rules.count() == before - 1


def test_an_unknown_kind_of_criterion_is_refused(tmp_path: Path) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    path = tmp_path / "odd.toml"
    path.write_text(text.replace('kind = "residence"', 'kind = "horoscope"', 1), encoding="utf-8")
    with pytest.raises(CommandError, match="unknown kind 'horoscope'"):
        call_command("load_organisation", str(path), stdout=StringIO())


def test_it_loads_the_casework_lists() -> None:
    from sikta.organisation.models import GoalArea, Outcome

    coachning = Track.objects.get(slug="coachning")
    assert [item["key"] for item in coachning.mapping_template] == [
        "arbete_studier",
        "kompetenser",
        "intressen",
        "yrkesinriktning",
        "halsa",
        "stodbehov",
    ]
    assert Outcome.objects.filter(destination=True).count() == 6
    assert Outcome.objects.filter(destination=False).exists()
    assert GoalArea.objects.filter(code="arbete").exists()
    insats = Insats.objects.get()
    assert (insats.limit_warning_days, insats.no_contact_weeks) == (30, 3)


def test_two_kartlaggning_headings_may_not_share_a_key(tmp_path: Path) -> None:
    text = Path(settings.SIKTA_ORGANISATION_FILE).read_text(encoding="utf-8")
    path = tmp_path / "twice.toml"
    path.write_text(text.replace('key = "ekonomi"', 'key = "aktivitet"'), encoding="utf-8")
    with pytest.raises(CommandError, match="share a key"):
        call_command("load_organisation", str(path), stdout=StringIO())
