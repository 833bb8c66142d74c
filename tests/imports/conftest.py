from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from sikta.audit.services import Actor
from sikta.imports import services
from sikta.imports.columns import PARTICIPANTS, guess_mapping
from sikta.imports.models import ImportBatch
from sikta.imports.parsing import read_upload
from sikta.organisation.loader import load_organisation
from sikta.organisation.models import Insats, Kommun, StaffMember, Track
from tests.conftest import Personas
from tests.factories import StaffMemberFactory, UserFactory
from tests.imports.support import upload, xlsx

SECOND = settings.BASE_DIR / "sikta" / "organisation" / "data" / "steg_for_steg.toml"


@pytest.fixture(autouse=True)
def _swedish():
    """The messages are read as a Swedish samordnare reads them."""
    with translation.override("sv"):
        yield


MakeBatch = Callable[..., ImportBatch]


@pytest.fixture
def make_batch(personas: Personas) -> MakeBatch:
    """An uploaded list, its columns guessed and confirmed, as `staff` (default: samordnare_sodra)
    uploaded it."""

    def make(
        rows: list[list[Any]],
        *,
        staff: StaffMember | None = None,
        kind: str = PARTICIPANTS,
        headers: list[str] | None = None,
    ) -> ImportBatch:
        staff = staff or personas.samordnare_sodra
        table = read_upload(upload(xlsx(rows, headers), "lista.xlsx"))
        batch = services.import_batch_create(
            table=table,
            kind=kind,
            staff=staff,
            mapping=guess_mapping(kind, table.headers),
            actor=Actor(user=staff.user),
        )
        batch.mapped = True
        batch.save(update_fields=["mapped"])
        return batch

    return make


@pytest.fixture
def steg(personas: Personas) -> dict[str, Any]:
    """The demo's second insats "Steg för steg" (Flen, Katrineholm; no länsdelar; one track),
    with its own samordnare and coach."""
    load_organisation(SECOND)
    insats = Insats.objects.get(slug="steg-for-steg")

    def staff(name: str, role: str) -> StaffMember:
        return StaffMemberFactory(
            user=UserFactory(username=name), role_code=role, insats=insats, first_name=name
        )

    return {
        "insats": insats,
        "track": Track.objects.get(insats=insats),
        "flen": Kommun.objects.get(insats=insats, name="Flen"),
        "samordnare": staff("samordnare_steg", "samordnare"),
        "coach": staff("coach_steg", "coach"),
    }
