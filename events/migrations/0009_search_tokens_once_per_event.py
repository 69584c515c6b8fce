"""Search index rows keep each token once, under the first field holding it.

Before, a token was kept under every field holding it: 工会 in the title, the summary
and the body of an event was three entries of the GIN index, and every lookup of a
common word read all three. Now the title's tokens come first, then the summary's that
the title lacks, then the body's, then the rest's (events/search.py), and on PostgreSQL
each token once more under ``z_``, any field: a word anywhere is one entry to read, not
four, and the lookup of a one-token word under a field finds the events where it ranks
there, with no need to leave out the fields above.

The rows indexed before are rewritten here from their own tokens: no event is read or
tokenised again (on PostgreSQL about 40 s per 100 000 events, and as long again to build
the GIN index afresh). Each step commits on its own, so that the index is built from the
rewritten rows alone: in the transaction that rewrote them it would hold the old rows
too, dead, at over three times the size. Each step may run again, so a migration
stopped midway is finished by running it again.

Going back leaves the rows so: the earlier code finds the same events in them and ranks
them as it would, but for a long word spread over the title and the summary, which it
ranks as in neither; ``rebuild_search_index`` writes them as it indexes. SQL written
here, frozen, like 0006's.
"""

from django.db import migrations, transaction

# 0006's index, rebuilt after the rows: cheaper than updating it row by row.
POSTGRESQL = (
    "DROP INDEX IF EXISTS events_eventsearch_document",
    """
UPDATE events_eventsearch s SET tokens = coalesce((
    -- Each token under its first field, and under z_ (any field) too.
    SELECT string_agg(
        CASE WHEN substr(kept.lexeme, 2, 1) = '_'
            THEN kept.lexeme || ' z_' || substr(kept.lexeme, 3) ELSE kept.lexeme END,
        ' '
    )
    FROM (
        SELECT min(lexeme COLLATE "C") AS lexeme
        FROM unnest(string_to_array(s.tokens, ' ')) AS lexeme
        -- a_工会, b_工会 (and z_工会, when run again) are one token; the partial mark has
        -- no field prefix.
        GROUP BY CASE WHEN substr(lexeme, 2, 1) = '_' THEN substr(lexeme, 3) ELSE lexeme END
    ) kept
), '')
WHERE s.tokens <> ''
""",
    """
CREATE INDEX events_eventsearch_document ON events_eventsearch
    USING gin (events_search_document(tokens))
""",
)
SQLITE_TABLE = "events_eventsearch_fts"
SQLITE_FIELDS = ("title", "summary", "body", "extra")
BATCH = 1000


def first_field_only(columns):
    """Each field's space-separated tokens less those of the fields before it."""
    held, kept = set(), []
    for column in columns:
        tokens = [token for token in dict.fromkeys((column or "").split()) if token not in held]
        held.update(tokens)
        kept.append(" ".join(tokens))
    return kept


def keep_tokens_once(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for statement in POSTGRESQL:
            schema_editor.execute(statement)
        return
    if vendor != "sqlite":
        raise NotImplementedError(f"No search index written for {vendor}.")
    fields = ", ".join(SQLITE_FIELDS)
    assignments = ", ".join(f"{field} = %s" for field in SQLITE_FIELDS)
    connection = schema_editor.connection
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                f"SELECT rowid, {fields} FROM {SQLITE_TABLE} WHERE rowid > %s "
                f"ORDER BY rowid LIMIT {BATCH}",
                [last],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            cursor.executemany(
                f"UPDATE {SQLITE_TABLE} SET {assignments} WHERE rowid = %s",
                [(*first_field_only(row[1:]), row[0]) for row in rows],
            )
            last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("events", "0008_search_rows_carry_event_columns"),
    ]

    operations = [
        migrations.RunPython(keep_tokens_once, migrations.RunPython.noop, elidable=False),
    ]
