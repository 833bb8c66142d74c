"""Skyddad identitet: a participant can be marked as protected, with when and by whom.

Every existing participant starts unprotected: nothing changes for them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0006_consent_purposes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="protected_identity",
            field=models.BooleanField(
                default=False,
                help_text="Name, personal identity number and contact details are shown only to the responsible coach or care coordinator and the samordnare of the county area.",
                verbose_name="protected identity",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="protected_identity_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="protected identity changed by",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="protected_identity_since",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="protected identity since"
            ),
        ),
    ]
