"""The loader under faults and real concurrency, on PostgreSQL: a connection killed in the
middle of a load, two loaders at once, two loaders and an editor at once.

Each scenario needs a server with concurrent connections (and pg_terminate_backend), so on
SQLite they skip; CI runs them in its PostgreSQL pass.
"""

import threading
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from rest_framework.test import APIClient

from events import ingest, roles
from events.annotate import resources_from_database
from events.extraction.pipeline import extract_document
from events.ingest import source_ingest
from events.models import Event, EventSearch, EventStatus, Metric, Provenance
from events.taxonomy import taxonomy_load
from sources.models import Source

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: concurrent writers and pg_terminate_backend "
        "(run with DATABASE_URL=postgres://…)",
    ),
]

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "fixtures" / "seeds"
PDF_CHRONICLE, WEB_CHRONICLE, REPORT, TOP_TEN = sorted(p.name for p in SEEDS.glob("*.txt"))
# Long enough for a load on a busy 2-core machine; a thread still waiting then is a hang.
PATIENCE = 120


@pytest.fixture(autouse=True)
def taxonomy():
    taxonomy_load()


def in_threads(*targets: Callable[[], object]) -> list[object]:
    """Run each target in its own thread (so on its own connection), started together; their
    results in order. A target's exception is raised here, not lost with its thread."""
    barrier = threading.Barrier(len(targets))
    results: list[object] = [None] * len(targets)
    errors: list[BaseException] = []

    def run(index: int, target: Callable[[], object]) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def query_elsewhere(sql: str, params: list) -> tuple:
    """One row of ``sql`` run on a connection of its own, outside the caller's transaction."""
    (row,) = in_threads(lambda: _fetch_one(sql, params))
    return row


def _fetch_one(sql: str, params: list) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def load(*paths: Path) -> str:
    out = StringIO()
    call_command("load_sources", *map(str, paths), stdout=out, stderr=StringIO())
    return out.getvalue()


def table_counts() -> dict[str, int]:
    """Rows of every table of the archive, history tables included."""
    labels = ("events", "sources")
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


# --- the database going away in the middle of a load ------------------------------------------


@pytest.mark.parametrize(
    "point",
    [
        # After the source row and the discovered organisations are written.
        "find_match",
        # While the events and their history go in.
        "bulk_create_with_history",
        # After events, provenance and metrics are written, before the index and the report.
        "search_index_update",
    ],
)
def test_a_connection_killed_mid_load_leaves_nothing_and_the_next_run_loads_it_whole(
    point, monkeypatch
):
    load(SEEDS / WEB_CHRONICLE)
    before = table_counts()
    original = getattr(ingest, point)
    killed: list[int] = []

    def kill_own_connection_then(*args, **kwargs):
        if not killed:
            killed.append(connection.connection.info.backend_pid)
            # As an administrator (or a failover) would, from another connection; waits
            # until the backend is gone.
            (gone,) = query_elsewhere("SELECT pg_terminate_backend(%s, 10000)", [killed[0]])
            assert gone
        return original(*args, **kwargs)

    monkeypatch.setattr(ingest, point, kill_own_connection_then)
    errors = StringIO()
    with pytest.raises(CommandError, match="1 of 2 files failed"):
        # The second file needs the database again: the run goes on after the failure.
        call_command(
            "load_sources",
            str(SEEDS / TOP_TEN),
            str(SEEDS / WEB_CHRONICLE),
            stdout=StringIO(),
            stderr=errors,
        )
    assert killed, f"{point} was not reached"
    assert f"failed: {TOP_TEN}: database error" in errors.getvalue()
    assert table_counts() == before
    assert not Source.objects.filter(file_name=TOP_TEN).exists()

    monkeypatch.undo()
    output = load(SEEDS / TOP_TEN)
    assert "sources: 1 new, 0 updated, 0 unchanged, 0 failed" in output
    source = Source.objects.get(file_name=TOP_TEN)
    expected = extract_document(
        (SEEDS / TOP_TEN).read_bytes(), name=TOP_TEN, resources=resources_from_database()
    ).extraction
    keys = sorted(candidate.key[:200] for candidate in expected.events)
    assert sorted(source.provenances.values_list("extraction_key", flat=True)) == keys
    spans = {(m.start, m.end) for c in expected.events for m in c.metrics}
    spans |= {(m.start, m.end) for m in expected.unattached_metrics}
    assert set(Metric.objects.filter(source=source).values_list("start", "end")) == spans
    told = Event.objects.filter(provenances__source=source).distinct()
    assert EventSearch.objects.filter(event__in=told).count() == told.count() > 0
    assert [entry["key"] for entry in source.report["events"]] != []


# --- loaders and editors at once ----------------------------------------------------------------


def test_two_loaders_at_once_load_a_document_once():
    resources = resources_from_database()
    data = (SEEDS / TOP_TEN).read_bytes()

    def ingest_top_ten():
        return source_ingest(data=data, name=TOP_TEN, resources=resources)

    outcomes = in_threads(ingest_top_ten, ingest_top_ten)
    assert sorted(outcome.status for outcome in outcomes) == ["new", "unchanged"]
    assert Source.objects.count() == 1
    assert Event.objects.filter(title__contains="首都工匠学院").count() == 4


def chief_editor_client() -> APIClient:
    roles.roles_sync()  # a transactional test starts from a flushed database
    user = get_user_model().objects.create_user(username="chief", password="x")
    user.groups.add(Group.objects.get(name=roles.CHIEF_EDITOR))
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_two_loaders_and_an_editor_at_once_lose_nothing(tmp_path, monkeypatch):
    """The editor edits and publishes an event of an earlier load while one loader is
    rewriting that load's events from a changed file, and the other loader waits."""
    chronicle = tmp_path / WEB_CHRONICLE
    chronicle.write_bytes((SEEDS / WEB_CHRONICLE).read_bytes())
    (tmp_path / "manifest.json").write_bytes((SEEDS / "manifest.json").read_bytes())
    load(chronicle)
    forum = Event.objects.get(title="第十一届金砖国家工会论坛举行")
    # The new version renames the forum and rewords its account: an untouched draft takes
    # both, an edited one keeps what the editor set.
    text = chronicle.read_text(encoding="utf-8")
    text = text.replace("第十一届金砖国家工会论坛举行", "金砖国家工会论坛举行")
    chronicle.write_text(text.replace("一项重要的外事活动", "一项重要外事活动"))
    client = chief_editor_client()

    # The editor acts once the loader that reloads the chronicle has read the events it may
    # rewrite, inside its transaction; the loader goes on once the editor is done or is
    # waiting for the loader's locks.
    loader_has_read = threading.Event()
    editor_done = threading.Event()
    editor_pid: list[int] = []
    read = ingest._Writer._prior_provenances

    def editor_waits_for_a_lock() -> bool:
        sql = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = %s AND NOT granted)"
        return bool(editor_pid) and query_elsewhere(sql, editor_pid)[0]

    def read_then_let_the_editor_in(writer, previous):
        prior = read(writer, previous)
        if previous is not None and not loader_has_read.is_set():
            loader_has_read.set()
            deadline = time.monotonic() + PATIENCE
            while not editor_done.is_set() and time.monotonic() < deadline:
                if editor_waits_for_a_lock():
                    break
                time.sleep(0.05)
        return prior

    monkeypatch.setattr(ingest._Writer, "_prior_provenances", read_then_let_the_editor_in)

    def loader(*paths):
        return lambda: load(*paths)

    def editor():
        assert loader_has_read.wait(PATIENCE)
        connection.ensure_connection()
        editor_pid.append(connection.connection.info.backend_pid)
        url = reverse("api:event-detail", args=[forum.pk])
        edited = client.patch(url, {"title": "第十一届金砖国家工会论坛在北京举行"}, format="json")
        published = client.post(reverse("api:event-publish", args=[forum.pk]))
        editor_done.set()
        return edited.status_code, published.status_code

    first, second, decisions = in_threads(
        loader(chronicle, SEEDS / PDF_CHRONICLE, SEEDS / TOP_TEN),
        loader(SEEDS / TOP_TEN, SEEDS / PDF_CHRONICLE, chronicle),
        editor,
    )

    assert decisions == (200, 200)
    forum.refresh_from_db()
    assert forum.title == "第十一届金砖国家工会论坛在北京举行"
    assert forum.edited_fields == ["title"]
    # The load came first, so the fields the editor left alone are the new version's.
    assert "一项重要外事活动" in forum.summary
    assert forum.status == EventStatus.PUBLISHED
    assert forum.reviewed_by.username == "chief"
    # Every document once: the two runs together loaded each file once, and the other run
    # found it already there.
    together = [line for output in (first, second) for line in output.splitlines()]
    statuses = [line.split(":")[0] for line in together if ": " in line and "— events" in line]
    assert sorted(statuses) == ["new", "new", "unchanged", "unchanged", "unchanged", "updated"]
    assert Source.objects.count() == 4
    assert sorted(Source.objects.current().values_list("file_name", flat=True)) == sorted(
        [PDF_CHRONICLE, WEB_CHRONICLE, TOP_TEN]
    )
    # Nothing twice: no account twice in a source, no event without one, one index row each.
    twice = Provenance.objects.values("source", "extraction_key").annotate(n=Count("id"))
    assert not twice.filter(n__gt=1).exists()
    assert not Event.objects.filter(provenances__isnull=True).exists()
    assert EventSearch.objects.count() == Event.objects.count()
    same_day = Event.objects.current().values("title", "date_start").annotate(n=Count("id"))
    assert not same_day.filter(n__gt=1).exists()
    # The edited event is still told by the chronicle and by its PDF copy.
    told_by = set(forum.provenances.values_list("source__file_name", flat=True))
    assert told_by == {WEB_CHRONICLE, PDF_CHRONICLE}
