"""Chain the records written before the chain existed, in pk order.

The append-only triggers refuse the UPDATE this needs, so they are dropped for the fill and
created again afterwards (on SQLite 0007 may also have rebuilt the table without them).
"""

from django.db import migrations

from sikta.audit.chain import GENESIS, record_hash

TABLE = "audit_auditevent"

DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE}",
        f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    ],
}
CREATE = {
    "sqlite": [
        f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
        f"""CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE}
            BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit events are append-only'; END;
           $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
        f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
    ],
}


def fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in DROP.get(vendor, []):
        schema_editor.execute(statement)
    AuditEvent = apps.get_model("audit", "AuditEvent")
    db = schema_editor.connection.alias
    previous, sequence, last_pk = GENESIS, 0, 0
    while True:
        chunk = list(AuditEvent.objects.using(db).filter(pk__gt=last_pk).order_by("pk")[:2000])
        if not chunk:
            break
        for event in chunk:
            sequence += 1
            event.sequence = sequence
            event.previous_hash = previous
            event.hash = previous = record_hash(previous, event)
            AuditEvent.objects.using(db).filter(pk=event.pk).update(
                sequence=event.sequence, previous_hash=event.previous_hash, hash=event.hash
            )
        last_pk = chunk[-1].pk
    for statement in DROP.get(vendor, []) + CREATE.get(vendor, []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_chain_and_review")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
