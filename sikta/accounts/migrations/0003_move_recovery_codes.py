"""Recovery codes kept in plain text (django-otp's static tokens) become digests."""

import hashlib

from django.db import migrations


def forwards(apps, schema_editor):
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    for static in StaticDevice.objects.prefetch_related("token_set"):
        tokens = [t.token for t in static.token_set.all()]
        if tokens:
            device = RecoveryCodeDevice.objects.create(
                user_id=static.user_id, name=static.name, confirmed=static.confirmed
            )
            RecoveryCode.objects.bulk_create(
                RecoveryCode(
                    device=device,
                    digest=hashlib.sha256("".join(t.split()).lower().encode()).hexdigest(),
                )
                for t in tokens
            )
        static.delete()  # its tokens with it: no code stays in plain text


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_recovery_codes_hashed"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
