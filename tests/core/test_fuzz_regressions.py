"""sikta.core.forms.ModelMultipleChoiceField: keys beyond any database integer are refused.

Found by fuzzing every view (tests/security/test_fuzz.py): Django's field looks the keys up
with `pk__in`, and SQLite raises OverflowError on an integer beyond 64 bits — a server error
wherever a form has a multiple choice of rows.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from sikta.core.forms import ModelMultipleChoiceField
from sikta.organisation.models import IncomeSource

pytestmark = pytest.mark.django_db


def test_keys_in_range_are_looked_up_as_by_django() -> None:
    field = ModelMultipleChoiceField(queryset=IncomeSource.objects.all())
    first = IncomeSource.objects.first()
    assert list(field.clean([str(first.pk)])) == [first]
    with pytest.raises(ValidationError) as error:
        field.clean([str(2**62)])  # in range, but no such row
    assert error.value.code == "invalid_choice"
    with pytest.raises(ValidationError) as error:
        field.clean(["²"])  # not a number
    assert error.value.code == "invalid_pk_value"


@pytest.mark.parametrize("key", [str(2**63), str(-(2**63) - 1), "9" * 40, " 99999999999999999999 "])
def test_keys_beyond_64_bits_are_invalid_choices(key: str) -> None:
    field = ModelMultipleChoiceField(queryset=IncomeSource.objects.all())
    with pytest.raises(ValidationError) as error:
        field.clean([str(IncomeSource.objects.first().pk), key])
    assert error.value.code == "invalid_choice"
