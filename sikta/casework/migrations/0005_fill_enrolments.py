"""Every participant's enrolments, from what was kept before they were records of their own:
each exit ends one (from its start date), and a participant enrolled now has an open one from
their start date."""

from django.db import migrations


def fill(apps, schema_editor):
    Participant = apps.get_model("participants", "Participant")
    Enrolment = apps.get_model("participants", "Enrolment")
    Exit = apps.get_model("casework", "Exit")
    for participant in Participant.objects.all().iterator():
        starts = set()
        for exit_ in Exit.objects.filter(participant=participant).order_by("start_date", "pk"):
            enrolment = Enrolment.objects.create(
                participant=participant,
                track_id=participant.track_id,
                start_date=min(exit_.start_date, exit_.end_date),
                end_date=exit_.end_date,
            )
            exit_.enrolment = enrolment
            exit_.save(update_fields=["enrolment"])
            starts.add(exit_.start_date)
        if participant.start_date in starts:
            continue
        enrolled = participant.status in ("active", "paused")
        Enrolment.objects.create(
            participant=participant,
            track_id=participant.track_id,
            start_date=participant.start_date,
            end_date=None if enrolled else max(participant.end_date or participant.start_date,
                                               participant.start_date),
        )


class Migration(migrations.Migration):
    dependencies = [("casework", "0004_exit_enrolment")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
