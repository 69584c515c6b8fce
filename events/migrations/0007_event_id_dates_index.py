"""A covering index for ranking search results on PostgreSQL.

Search results are ordered by rank, then by date, and readers see only published events
that were not merged: the database reads ``date_start``, ``date_end``, ``status`` and
``merged_into_id`` of every match. From this index it reads them without visiting the
event rows (an index-only scan), three times faster at 10 000 matches (bench/search.py).
SQLite reads them from the table's own b-tree, keyed by id, already: nothing to add there.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS events_event_id_dates "
    "ON events_event (id) INCLUDE (date_start, date_end, status, merged_into_id)"
)
DROP = "DROP INDEX IF EXISTS events_event_id_dates"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_search_ngrams"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
