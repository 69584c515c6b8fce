"""Rules across tables that the database holds itself, on both databases.

Spans must lie inside their source's normalised text and quote it exactly. A check
constraint cannot look at another table, so triggers hold this rule: inserting or moving
a provenance or metric span, and changing a source's text under existing spans, are
refused with an integrity error.

A search index row's copies of its event's columns (``EventSearch.CARRIED``) stay equal
to the event's: a trigger copies them whenever an event's are written, by a save, a bulk
update or raw SQL alike, in the same transaction.

They live outside the migrations: SQLite alters a table by copying it into a new one,
which drops the table's triggers (and trips over triggers that name other tables). So
every ``migrate`` removes them first and installs them afresh at the end (see apps.py).
"""

from events.models import EventSearch

# (table, column holding the quoted text)
SPAN_TABLES = (("events_provenance", "excerpt"), ("events_metric", "text"))

SQLITE_SPAN_TRIGGER = """
CREATE TRIGGER {table}_span_{when} BEFORE {event} ON {table}
FOR EACH ROW WHEN NOT EXISTS (
    SELECT 1 FROM sources_source s
    WHERE s.id = NEW.source_id
      AND NEW."end" <= length(s.text)
      AND substr(s.text, NEW.start + 1, NEW."end" - NEW.start) = NEW.{column}
)
BEGIN
    SELECT RAISE(ABORT,
        'CHECK constraint failed: {table} span is outside its source text or misquotes it');
END;
"""

SQLITE_SOURCE_TRIGGER = """
CREATE TRIGGER sources_source_text_keeps_spans BEFORE UPDATE OF text ON sources_source
FOR EACH ROW WHEN EXISTS (
    SELECT 1 FROM events_provenance p WHERE p.source_id = NEW.id
      AND (p."end" > length(NEW.text)
           OR substr(NEW.text, p.start + 1, p."end" - p.start) <> p.excerpt)
) OR EXISTS (
    SELECT 1 FROM events_metric m WHERE m.source_id = NEW.id
      AND (m."end" > length(NEW.text)
           OR substr(NEW.text, m.start + 1, m."end" - m.start) <> m.text)
)
BEGIN
    SELECT RAISE(ABORT,
        'CHECK constraint failed: the new source text moves spans that point into it');
END;
"""

POSTGRES_SQL = """
CREATE FUNCTION unionarchive_check_span() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source_text text;
    quoted text := to_jsonb(NEW) ->> TG_ARGV[0];
BEGIN
    SELECT s.text INTO source_text FROM sources_source s WHERE s.id = NEW.source_id;
    IF NEW."end" <= NEW.start THEN
        -- An empty or reversed span is the check constraints' to refuse, with their name.
        RETURN NEW;
    END IF;
    IF source_text IS NULL
       OR NEW."end" > char_length(source_text)
       OR substr(source_text, NEW.start + 1, NEW."end" - NEW.start) IS DISTINCT FROM quoted THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            MESSAGE = format('%s span [%s, %s) is outside source %s''s text or does not quote it',
                             TG_TABLE_NAME, NEW.start, NEW."end", NEW.source_id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER events_provenance_span BEFORE INSERT OR UPDATE ON events_provenance
FOR EACH ROW EXECUTE FUNCTION unionarchive_check_span('excerpt');
CREATE TRIGGER events_metric_span BEFORE INSERT OR UPDATE ON events_metric
FOR EACH ROW EXECUTE FUNCTION unionarchive_check_span('text');

CREATE FUNCTION unionarchive_check_source_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM events_provenance p WHERE p.source_id = NEW.id
          AND (p."end" > char_length(NEW.text)
               OR substr(NEW.text, p.start + 1, p."end" - p.start) <> p.excerpt)
    ) OR EXISTS (
        SELECT 1 FROM events_metric m WHERE m.source_id = NEW.id
          AND (m."end" > char_length(NEW.text)
               OR substr(NEW.text, m.start + 1, m."end" - m.start) <> m.text)
    ) THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            MESSAGE = format('the new text of source %s moves spans that point into it', NEW.id);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER sources_source_text_keeps_spans BEFORE UPDATE OF text ON sources_source
FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
EXECUTE FUNCTION unionarchive_check_source_text();
"""

CARRIED = EventSearch.CARRIED
_COPY = ", ".join(f"{column} = NEW.{column}" for column in CARRIED)

SQLITE_SEARCH_COPY_TRIGGER = f"""
CREATE TRIGGER events_event_search_copy AFTER UPDATE OF {", ".join(CARRIED)} ON events_event
FOR EACH ROW BEGIN
    UPDATE events_eventsearch SET {_COPY} WHERE event_id = NEW.id;
END;
"""

POSTGRES_SEARCH_COPY = f"""
CREATE FUNCTION unionarchive_copy_to_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE events_eventsearch SET {_COPY} WHERE event_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER events_event_search_copy AFTER UPDATE OF {", ".join(CARRIED)} ON events_event
FOR EACH ROW WHEN ({" OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CARRIED)})
EXECUTE FUNCTION unionarchive_copy_to_search();
"""

POSTGRES_DROP = """
DROP FUNCTION IF EXISTS unionarchive_check_source_text() CASCADE;
DROP FUNCTION IF EXISTS unionarchive_check_span() CASCADE;
DROP FUNCTION IF EXISTS unionarchive_copy_to_search() CASCADE;
"""


def _sqlite_statements():
    for table, column in SPAN_TABLES:
        yield SQLITE_SPAN_TRIGGER.format(table=table, column=column, when="insert", event="INSERT")
        yield SQLITE_SPAN_TRIGGER.format(
            table=table,
            column=column,
            when="update",
            event=f'UPDATE OF start, "end", {column}, source_id',
        )
    yield SQLITE_SOURCE_TRIGGER
    yield SQLITE_SEARCH_COPY_TRIGGER


def install(connection) -> None:
    """Create the triggers (after removing any), on the tables as they are now."""
    uninstall(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_SQL)
            cursor.execute(POSTGRES_SEARCH_COPY)
        elif connection.vendor == "sqlite":
            for statement in _sqlite_statements():
                cursor.execute(statement)
        else:
            raise NotImplementedError(f"No span triggers written for {connection.vendor}.")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE takes the triggers along, and works before the tables exist.
            cursor.execute(POSTGRES_DROP)
            return
        for table, _column in SPAN_TABLES:
            for when in ("insert", "update"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_span_{when}")
        cursor.execute("DROP TRIGGER IF EXISTS sources_source_text_keeps_spans")
        cursor.execute("DROP TRIGGER IF EXISTS events_event_search_copy")
