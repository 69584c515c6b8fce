"""What the benchmarks that serve the site share: a PostgreSQL database filled with
bench/datagen.py's seed-like events, and gunicorn serving it on 127.0.0.1.

Imported by bench/api.py and bench/load.py (run as scripts: they put the project on
sys.path first).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SECRET_KEY = "benchmark-only-not-a-secret-" + "x" * 40


# --- the database ---------------------------------------------------------------------------


def event_count(url: str) -> int | None:
    """Events in the database at ``url``; None before it is migrated."""
    import psycopg

    with psycopg.connect(url) as connection:
        if connection.execute("SELECT to_regclass('events_event')").fetchone()[0] is None:
            return None
        return connection.execute("SELECT count(*) FROM events_event").fetchone()[0]


def fresh_database(name: str, events: int, *, reuse: bool) -> tuple[str, bool]:
    """The URL of the benchmark database ``name`` on DEFAULT_SERVER and whether it must be
    filled: dropped and created afresh, unless ``reuse`` and it holds ``events`` events."""
    import psycopg
    from psycopg import sql

    url = f"{DEFAULT_SERVER}/{name}"
    with psycopg.connect(f"{DEFAULT_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() and reuse and event_count(url) == events:
            return url, False
        identifier = sql.Identifier(name)
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(identifier))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(identifier))
    return url, True


def database_for(args, name: str) -> tuple[str, bool]:
    """The database a benchmark measures and whether it must be filled, from its
    --database-url, --events and --reuse: a --database-url database is never dropped; it is
    filled when empty and measured as it is with --reuse."""
    if not args.database_url:
        return fresh_database(name, args.events, reuse=args.reuse)
    found = event_count(args.database_url)
    if found and not args.reuse:
        raise SystemExit(
            f"{args.database_url} holds {found} events: pass --reuse to measure it as it is"
        )
    return args.database_url, not found


def prepare(url: str, events: int, *, fill: bool) -> list[str]:
    """Migrate, fill when asked (events, then the search index), analyse; lines saying what
    it took."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionarchive.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command, get_commands
    from django.db import connections

    from bench.datagen import generate

    lines = []
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    lines.append(f"migrate: {time.perf_counter() - started:.1f} s")
    if fill:
        counts = generate(events=events)
        rows = ", ".join(f"{value} {name}" for name, value in counts.items() if name != "seconds")
        lines.append(f"generate: {counts['seconds']:.1f} s ({rows})")
    if fill and "rebuild_search_index" in get_commands():
        # q goes through the search index, which bulk_create does not write.
        started = time.perf_counter()
        call_command("rebuild_search_index", verbosity=0)
        lines.append(f"rebuild_search_index: {time.perf_counter() - started:.1f} s")
    connections.close_all()
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    lines.append(f"vacuum analyze: {time.perf_counter() - started:.1f} s")
    return lines


def server_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0]


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_start(
    url: str,
    port: int,
    log,
    *,
    workers: int = 2,
    env: Mapping[str, str] | None = None,
    options: tuple[str, ...] = (),
) -> subprocess.Popen:
    """gunicorn serving the project on 127.0.0.1:``port`` with production settings (DEBUG
    off, a benchmark SECRET_KEY, ALLOWED_HOSTS 127.0.0.1, persistent connections); ``env``
    adds or overrides variables."""
    executable = PROJECT_DIR / ".venv" / "bin" / "gunicorn"
    if not executable.exists():
        executable = shutil.which("gunicorn") or "gunicorn"
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONN_MAX_AGE": "60",
        "SESSION_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    command = [str(executable), "unionarchive.wsgi", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), *options]
    return subprocess.Popen(
        command, cwd=PROJECT_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT
    )


def gunicorn_wait(
    server: subprocess.Popen, base: str, log_path: Path, *, path: str = "/api/events/?page_size=1"
) -> None:
    """Until gunicorn answers ``path`` (any status), or say why not."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}{path}", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers; the scenarios report the status
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log_path.read_text()[-3000:]}")


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
