"""The plain-text recovery codes of earlier versions become digests, and still work once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import UserFactory

BEFORE = [("accounts", "0002_recovery_codes_hashed")]
AFTER = [("accounts", "0003_move_recovery_codes")]


# SQLite cannot alter tables inside the test's transaction, so there the test is transactional; on
# PostgreSQL (DDL is transactional) it is not, because the flush after a transactional test would
# TRUNCATE the audit table, which its trigger refuses.
@pytest.mark.django_db(transaction=connection.vendor == "sqlite")
def test_plain_codes_are_moved_to_digests_and_removed() -> None:
    user = UserFactory()
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state([*BEFORE, ("otp_static", "0003_add_timestamps")]).apps
    static = old.get_model("otp_static", "StaticDevice").objects.create(
        user_id=user.pk, name="Reservkoder", confirmed=True
    )
    old.get_model("otp_static", "StaticToken").objects.create(device=static, token="abcd2345")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)

    from django_otp.plugins.otp_static.models import StaticToken

    from sikta.accounts.models import RecoveryCodeDevice

    assert not StaticToken.objects.exists()  # no code left in plain text
    device = RecoveryCodeDevice.objects.get(user=user)
    assert device.codes.count() == 1 and "abcd2345" not in device.codes.get().digest
    assert device.verify_token("ABCD 2345")  # typed as the user has it on paper
    assert not device.verify_token("abcd2345")  # once
