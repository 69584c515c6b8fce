"""Search index rows carry copies of their event's status, merge and dates.

A page of ranked results for readers (published, not merged), for an unfiltered search,
or for one within dates, then reads everything it needs from the index rows its lookup
visits: before, it visited the event of each match too, about half the time of a common
word's first page (bench/search.py). The copies are filled here from the events; from
then on the indexer writes them and a trigger keeps them equal (events/triggers.py,
installed after every migrate).

On PostgreSQL, ``events_search_rows`` is ``events_search_ids`` (0006) with the copies.
SQL written here, frozen, like 0006's.
"""

from django.db import migrations, models

COPY = {
    "postgresql": """
        UPDATE events_eventsearch s SET status = e.status, merged_into_id = e.merged_into_id,
            date_start = e.date_start, date_end = e.date_end
        FROM events_event e WHERE e.id = s.event_id
    """,
    "sqlite": """
        UPDATE events_eventsearch SET (status, merged_into_id, date_start, date_end) = (
            SELECT e.status, e.merged_into_id, e.date_start, e.date_end
            FROM events_event e WHERE e.id = events_eventsearch.event_id
        )
    """,
}
ROWS_FUNCTION = """
CREATE FUNCTION events_search_rows(query tsquery)
    RETURNS TABLE (event_id bigint, partial boolean, status varchar,
                   merged_into_id bigint, date_start date, date_end date)
    LANGUAGE sql STABLE PARALLEL RESTRICTED ROWS 5000
    SET enable_seqscan = off SET enable_indexscan = off SET jit = off
    AS $$
        SELECT s.event_id, s.partial, s.status, s.merged_into_id, s.date_start, s.date_end
        FROM events_eventsearch s
        WHERE events_search_document(s.tokens) @@ query
    $$;
"""
DROP_ROWS_FUNCTION = "DROP FUNCTION IF EXISTS events_search_rows(tsquery)"


def copy_event_columns(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in COPY:
        raise NotImplementedError(f"No search index written for {vendor}.")
    schema_editor.execute(COPY[vendor])


def create_rows_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ROWS_FUNCTION)


def drop_rows_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_ROWS_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_id_dates_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventsearch",
            name="status",
            field=models.CharField(blank=True, max_length=10, verbose_name="status"),
        ),
        migrations.AddField(
            model_name="eventsearch",
            name="merged_into_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="merged into"),
        ),
        migrations.AddField(
            model_name="eventsearch",
            name="date_start",
            field=models.DateField(blank=True, null=True, verbose_name="start date"),
        ),
        migrations.AddField(
            model_name="eventsearch",
            name="date_end",
            field=models.DateField(blank=True, null=True, verbose_name="end date"),
        ),
        migrations.RunPython(copy_event_columns, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_rows_function, drop_rows_function, elidable=False),
    ]
