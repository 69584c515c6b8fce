"""The search index holds 1- to 4-grams and long jieba words per field (events/search.py).

The four token columns go. On PostgreSQL the search service writes the field-prefixed
tokens into one ``tokens`` column, and a GIN index over ``events_search_document(tokens)``
(their tsvector) finds them; on SQLite the FTS5 table stays, with the new tokens. The old rows are of the old kind, so they are dropped: ``setup_demo``
(run by ``make run`` and at container start) and ``rebuild_search_index`` index every
event without a row. SQL written here, frozen, like 0005's.
"""

from django.db import migrations, models

OLD_POSTGRES_INDEX = """
ALTER TABLE events_eventsearch ADD COLUMN document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
    || setweight(to_tsvector('simple'::regconfig, summary_tokens), 'B')
    || setweight(to_tsvector('simple'::regconfig, body_tokens), 'C')
    || setweight(to_tsvector('simple'::regconfig, extra_tokens), 'D')
) STORED;
CREATE INDEX events_eventsearch_document ON events_eventsearch USING gin (document);
"""
DROP_POSTGRES_INDEX = """
DROP INDEX IF EXISTS events_eventsearch_document;
ALTER TABLE events_eventsearch DROP COLUMN IF EXISTS document;
"""
# The tsvector lives in the index only. The function is costed high so that no plan
# evaluates it row by row (which would read and convert every row's tokens); and the
# lookups go through events_search_ids, which allows the planner nothing but the index:
# a bitmap scan of the GIN index answers the service's plain lexeme queries exactly,
# without reading tokens, whatever share of the rows they match. The row keeps only the
# event id and the partial flag inline: text and tokens go out of line as soon as a row
# passes 128 bytes, so the rows a lookup visits are narrow.
NEW_POSTGRES_INDEX = """
CREATE FUNCTION events_search_document(tokens text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 10000
    AS $$ BEGIN RETURN array_to_tsvector(string_to_array(tokens, ' ')); END $$;
ALTER TABLE events_eventsearch ADD COLUMN tokens text NOT NULL DEFAULT '';
ALTER TABLE events_eventsearch SET (toast_tuple_target = 128);
CREATE INDEX events_eventsearch_document ON events_eventsearch
    USING gin (events_search_document(tokens));
CREATE FUNCTION events_search_ids(query tsquery)
    RETURNS TABLE (event_id bigint, partial boolean)
    LANGUAGE sql STABLE PARALLEL RESTRICTED ROWS 5000
    SET enable_seqscan = off SET enable_indexscan = off SET jit = off
    AS $$
        SELECT s.event_id, s.partial FROM events_eventsearch s
        WHERE events_search_document(s.tokens) @@ query
    $$;
"""
DROP_NEW_POSTGRES_INDEX = """
DROP FUNCTION IF EXISTS events_search_ids(tsquery);
DROP INDEX IF EXISTS events_eventsearch_document;
ALTER TABLE events_eventsearch DROP COLUMN IF EXISTS tokens;
ALTER TABLE events_eventsearch RESET (toast_tuple_target);
DROP FUNCTION IF EXISTS events_search_document(text);
"""
SQLITE_INDEX = """
CREATE VIRTUAL TABLE IF NOT EXISTS events_eventsearch_fts
USING fts5(title, summary, body, extra, tokenize = 'ascii')
"""
DROP_SQLITE_INDEX = "DROP TABLE IF EXISTS events_eventsearch_fts"


def _run(schema_editor, *, postgresql=(), sqlite=()):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": postgresql, "sqlite": sqlite}.get(vendor)
    if statements is None:
        raise NotImplementedError(f"No search index written for {vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def old_index_drop(apps, schema_editor):
    _run(schema_editor, postgresql=[DROP_POSTGRES_INDEX], sqlite=[DROP_SQLITE_INDEX])


def old_index_create(apps, schema_editor):
    apps.get_model("events", "EventSearch").objects.all().delete()
    _run(schema_editor, postgresql=[OLD_POSTGRES_INDEX], sqlite=[SQLITE_INDEX])


def new_index_create(apps, schema_editor):
    apps.get_model("events", "EventSearch").objects.all().delete()
    _run(schema_editor, postgresql=[NEW_POSTGRES_INDEX], sqlite=[SQLITE_INDEX])


def new_index_drop(apps, schema_editor):
    apps.get_model("events", "EventSearch").objects.all().delete()
    _run(
        schema_editor,
        postgresql=[DROP_NEW_POSTGRES_INDEX],
        sqlite=[DROP_SQLITE_INDEX],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_event_search"),
    ]

    operations = [
        migrations.RunPython(old_index_drop, old_index_create, elidable=False),
        migrations.RemoveField(model_name="eventsearch", name="title_tokens"),
        migrations.RemoveField(model_name="eventsearch", name="summary_tokens"),
        migrations.RemoveField(model_name="eventsearch", name="body_tokens"),
        migrations.RemoveField(model_name="eventsearch", name="extra_tokens"),
        migrations.AddField(
            model_name="eventsearch",
            name="partial",
            field=models.BooleanField(
                default=False,
                help_text="Some fields were too long for tokens; the text decides every query.",
                verbose_name="partly tokenised",
            ),
        ),
        migrations.RunPython(new_index_create, new_index_drop, elidable=False),
    ]
