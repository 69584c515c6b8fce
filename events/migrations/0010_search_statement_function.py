"""Ranked pages read the index rows in their own SQL, run by ``events_search_statement``.

The function runs one statement (a page's query, or EXPLAIN of it) with PostgreSQL's
planner allowed bitmap scans only, as ``events_search_ids`` (0006) does for one lookup:
the GIN index for every lookup of the index rows, never a scan of every row computing
each row's tokens. A page's lookups are then part of its statement, and no function
stores every row a lookup returns before the page reads them: about a fifth of a common
word's page (bench/search.py). The settings are the session's again when the function
returns or fails. Nor does it plan workers in parallel: starting them costs more than a
page's lookups, and the functions used before allowed none. A page's rank looks each word
up once and hashes the events found; PostgreSQL hashes a lookup only if it expects the
table to fit in hash memory, else it reads the lookup again for every result: 16 times
work_mem (64 MB at the default 4 MB) keeps that so for lookups of up to about 2 million
events, and a page's tables are far smaller.

``events_search_rows`` (0008), which the pages used before, goes; undone, it is created
again as 0008 wrote it. SQL written here, frozen, like 0006's.
"""

from importlib import import_module

from django.db import migrations

# Module names starting with a digit cannot be imported with ``import``.
rows_function = import_module("events.migrations.0008_search_rows_carry_event_columns")

STATEMENT_FUNCTION = """
CREATE FUNCTION events_search_statement(statement text) RETURNS SETOF record
    LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_indexscan = off SET jit = off
    SET max_parallel_workers_per_gather = 0 SET hash_mem_multiplier = 16
    AS $$ BEGIN RETURN QUERY EXECUTE statement; END $$
"""
DROP_STATEMENT_FUNCTION = "DROP FUNCTION IF EXISTS events_search_statement(text)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        rows_function.drop_rows_function(apps, schema_editor)
        schema_editor.execute(STATEMENT_FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_STATEMENT_FUNCTION)
        rows_function.create_rows_function(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_search_tokens_once_per_event"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
