"""The evaluator's pseudonym is HMAC-SHA256 of the personnummer under PSEUDONYM_KEY: the export's
quicker construction gives exactly what the standard library's hmac gives, for any key."""

from __future__ import annotations

import hashlib
import hmac

from django.test import override_settings
from hypothesis import given, strategies as st

from sikta.reports.evaluation import _pseudonymiser


@given(
    key=st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=200),
    digits=st.text(alphabet="0123456789", min_size=12, max_size=12),
)
def test_the_pseudonym_is_the_standard_hmac(key: str, digits: str) -> None:
    with override_settings(PSEUDONYM_KEY=key):
        ours = _pseudonymiser()(digits)
    standard = hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()[:16]
    assert ours == standard
