"""Consent records what was consented to (purposes), how, and who recorded a withdrawal.

Defaults for the consents already stored, all of which came from accepted referrals:
- how = on the web referral form (paper and phone referrals were not yet recorded apart);
- processing = True: every stored text is a consent to processing in the programme;
- finsam = True only where the stored consent text names Finsam. The programme's text so far
  does not, so existing participants are counted anonymously in Uppföljning Finsam until staff
  record their Finsam consent on the case's Samtycke page. Registering someone by name on a
  consent they did not give would be the worse error.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def finsam_where_the_text_says_so(apps, schema_editor):
    Consent = apps.get_model("participants", "Consent")
    Consent.objects.filter(text__icontains="finsam").update(finsam=True)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0005_participant_education_level"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="contact_organisations",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The organisations we may contact about the participant, "
                    "e.g. Försäkringskassan."
                ),
                max_length=500,
                verbose_name="contact with organisations",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="finsam",
            field=models.BooleanField(
                default=False, verbose_name="registration in Uppföljning Finsam"
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="how",
            field=models.CharField(
                choices=[
                    ("webb", "Written, on the web referral form"),
                    ("papper", "Written, on paper"),
                    ("muntligt", "Orally, noted by staff"),
                ],
                default="webb",
                max_length=10,
                verbose_name="how",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="processing",
            field=models.BooleanField(default=True, verbose_name="processing in the programme"),
        ),
        migrations.AddField(
            model_name="consent",
            name="withdrawn_note",
            field=models.TextField(blank=True, verbose_name="note on the withdrawal"),
        ),
        migrations.AddField(
            model_name="consent",
            name="withdrawn_recorded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="withdrawal recorded by",
            ),
        ),
        migrations.RunPython(finsam_where_the_text_says_so, migrations.RunPython.noop),
    ]
