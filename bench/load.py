"""How much traffic the site takes: gunicorn on PostgreSQL with 100 000 events, driven by wrk.

Fills a PostgreSQL database with seed-like events (bench/datagen.py, through the set-up
bench/api.py uses: bench/harness.py), collects the static files, serves the project with
gunicorn as in production (DEBUG off, a benchmark SECRET_KEY, ALLOWED_HOSTS 127.0.0.1,
persistent database connections, sync workers) and drives it from 127.0.0.1 with wrk for
--duration seconds at --connections concurrent clients. Every client walks a shuffled list of
URLs drawn from the database in a reader's mix: event pages, the event list filtered by year,
month, category or organisation and paged, search for 工匠 (page and API), organisation
pages, /api/events/ by year (and organisation), single events from the API, timeline JSON
for a month, and the home page (the weights are in MIX).

After a 10 s warm-up at the same load (not counted), every kind of request is fetched a few
times on the idle server: that checks each answers 200 and gives its unloaded median. Then
wrk runs, and the script prints the throughput (requests/s), latency p50/p90/p99/max, the
responses by status, and the errors: non-2xx/3xx responses (429s, the API throttle, counted
apart) and socket errors (connect, read, write, timeout). Goal: zero errors. The machine's
load average is printed before and after: other work on the machine shows in the figures.

    .venv/bin/python bench/load.py [--events 100000] [--duration 60] [--connections 32]
                                   [--workers N] [--database-url URL] [--reuse]

wrk is Debian's package: apt-get update && apt-get install -y wrk. Without --database-url
the database unionarchive_bench_load on postgres://postgres@127.0.0.1:5432 is dropped and
created afresh (with --reuse it is kept when it already holds --events events). gunicorn is
always stopped at the end, whatever happened.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.harness import (  # noqa: E402 - needs the project on sys.path
    SECRET_KEY,
    database_for,
    fetch,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    prepare,
    server_version,
)

DEFAULT_NAME = "unionarchive_bench_load"
SEARCH = "工匠"
# Kinds of request and their share of the traffic, in percent.
MIX = {
    "event page": 22,
    "list by year": 8,
    "list by month": 5,
    "list by year + category": 5,
    "list by organisation": 5,
    "list, page n": 3,
    f"search page q={SEARCH}": 5,
    f"search API q={SEARCH}": 5,
    "organisation page": 10,
    "API by year": 10,
    "API by year + organisation": 5,
    "API event": 7,
    "timeline JSON, a month": 5,
    "home page": 5,
}
URLS = 6000
PROBES = 3
WARM_UP = 10
# A request slower than this counts as an error (a timeout), as a reader would give up.
REQUEST_TIMEOUT = 10
WRK_INSTALL = "apt-get update && apt-get install -y wrk"


def wrk_executable() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(f"wrk is not installed. On Debian or Ubuntu: {WRK_INSTALL}")
    return found


# --- what readers ask for --------------------------------------------------------------------


def request_mix(url: str, seed: int = 2022) -> list[tuple[str, str]]:
    """(kind, path) pairs in MIX's proportions, of real ids, years, slugs of the database."""
    import calendar

    import psycopg

    from bench.datagen import FIRST_YEAR, LAST_YEAR

    published = "status = 'published' AND merged_into_id IS NULL"
    with psycopg.connect(url) as connection:
        event_ids = [
            row[0] for row in connection.execute(f"SELECT id FROM events_event WHERE {published}")
        ]
        categories = [
            row[0] for row in connection.execute("SELECT slug FROM events_category ORDER BY slug")
        ]
        # Readers go to the organisations many events name more often than to the rest.
        named = connection.execute(
            "SELECT o.slug, count(*) FROM events_organisation o"
            " JOIN events_event_organisations eo ON eo.organisation_id = o.id"
            f" JOIN events_event e ON e.id = eo.event_id WHERE e.{published}"
            " GROUP BY o.slug ORDER BY o.slug"
        ).fetchall()
    if not event_ids or not named:
        raise SystemExit("no published event names an organisation: generate more events")
    rng = random.Random(seed)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    slugs, weights = [slug for slug, _ in named], [count for _, count in named]

    def organisation() -> str:
        return rng.choices(slugs, weights)[0]

    def month_window() -> dict[str, str]:
        year, month = rng.choice(years), rng.randint(1, 12)
        last = calendar.monthrange(year, month)[1]
        return {"date_after": f"{year}-{month:02}-01", "date_before": f"{year}-{month:02}-{last}"}

    makers = {
        "event page": lambda: f"/events/{rng.choice(event_ids)}/",
        "list by year": lambda: "/events/?" + urlencode({"year": rng.choice(years)}),
        "list by month": lambda: (
            "/events/?" + urlencode({"year": rng.choice(years), "month": rng.randint(1, 12)})
        ),
        "list by year + category": lambda: (
            "/events/?" + urlencode({"year": rng.choice(years), "category": rng.choice(categories)})
        ),
        "list by organisation": lambda: "/events/?" + urlencode({"organisation": organisation()}),
        "list, page n": lambda: "/events/?" + urlencode({"page": rng.randint(2, 20)}),
        f"search page q={SEARCH}": lambda: "/events/?" + urlencode({"q": SEARCH}),
        f"search API q={SEARCH}": lambda: "/api/events/?" + urlencode({"q": SEARCH}),
        "organisation page": lambda: f"/organisations/{quote(organisation())}/",
        "API by year": lambda: "/api/events/?" + urlencode({"year": rng.choice(years)}),
        "API by year + organisation": lambda: (
            "/api/events/?" + urlencode({"year": rng.choice(years), "organisation": organisation()})
        ),
        "API event": lambda: f"/api/events/{rng.choice(event_ids)}/",
        "timeline JSON, a month": lambda: "/api/timeline/?" + urlencode(month_window()),
        "home page": lambda: "/",
    }
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=URLS)
    return [(kind, makers[kind]()) for kind in kinds]


# --- wrk ----------------------------------------------------------------------------------


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(paths: list[str]) -> str:
    """Each wrk thread walks the list from its own offset; the statuses of every thread are
    summed at the end, and the summary is printed as one JSON line."""
    listed = ",\n".join(f"  {lua_string(path)}" for path in paths)
    return (
        "local paths = {\n"
        + listed
        + "\n}\n"
        + """
local threads = {}

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  position = (number * 7919) % #paths
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counted[#counted + 1] = string.format("[%d, %d]", status, count)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, '
    .. '"max": %d, "mean": %.1f, "statuses": [%s]}\\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read,
    errors.write, errors.status, errors.timeout, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(counted, ", ")))
end
"""
    )


def wrk_run(base: str, script: Path, *, duration: int, connections: int) -> dict:
    threads = max(1, min(connections, os.cpu_count() or 1))
    command = [wrk_executable(), "--threads", str(threads), "--connections", str(connections)]
    command += ["--duration", f"{duration}s", "--timeout", f"{REQUEST_TIMEOUT}s"]
    command += ["--script", str(script), base]
    # wrk stops by itself after --duration; the margin covers its start and its summary.
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 60, check=False
    )
    lines = [line for line in finished.stdout.splitlines() if line.startswith("RESULT ")]
    if finished.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}")
    result = json.loads(lines[-1].removeprefix("RESULT "))
    # Each thread's statuses come separately, as [status, count] pairs: add them up.
    statuses: dict[int, int] = {}
    for status, count in result.pop("statuses"):
        statuses[status] = statuses.get(status, 0) + count
    result["statuses"] = statuses
    return result


# --- the run -------------------------------------------------------------------------------


def collect_static(static_root: Path) -> None:
    """The hashed static files production serves (whitenoise's manifest storage)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "STATIC_ROOT": str(static_root),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )


def probe(base: str, mix: list[tuple[str, str]]) -> list[tuple[str, float, list[int], str]]:
    """Each kind's first PROBES paths on the idle server: median ms, statuses, a bad path."""
    rows = []
    for kind in MIX:
        paths = [path for k, path in mix if k == kind][:PROBES]
        seconds, statuses, bad = [], [], ""
        for path in paths:
            started = time.perf_counter()
            status, _ = fetch(base + path)
            seconds.append(time.perf_counter() - started)
            statuses.append(status)
            if status != 200 and not bad:
                bad = path
        rows.append((kind, statistics.median(seconds) * 1000, sorted(set(statuses)), bad))
    return rows


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog=f"wrk is needed: {WRK_INSTALL}",
    )
    parser.add_argument("--events", type=int, default=100_000, help="default: 100000")
    parser.add_argument("--duration", type=int, default=60, help="seconds of load (default 60)")
    parser.add_argument(
        "--connections", type=int, default=32, help="concurrent clients (default 32)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * cores + 1,
        help=f"gunicorn sync workers (default 2 × cores + 1 = {2 * cores + 1})",
    )
    parser.add_argument("--database-url", help="default: a fresh database " + DEFAULT_NAME)
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # the set-up lines show as they happen
    if min(args.events, args.duration, args.connections, args.workers) < 1:
        parser.error("--events, --duration, --connections and --workers must be at least 1")
    wrk_executable()  # before minutes of set-up, not after

    url, fill = database_for(args, DEFAULT_NAME)
    setup = prepare(url, args.events, fill=fill)
    mix = request_mix(url)
    print(f"machine: {cores} cores, shared with other work; PostgreSQL {server_version(url)}")
    print(f"database: {url} ({'filled now' if fill else 'reused'}, {args.events} events)")
    for line in setup:
        print(line)

    work = Path(tempfile.mkdtemp(prefix="unionarchive-bench-load-"))
    script = work / "mix.lua"
    script.write_text(wrk_script([path for _, path in mix]), encoding="utf-8")
    collect_static(work / "static")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = work / "gunicorn.log"
    with log_path.open("w") as log:
        server = gunicorn_start(
            url,
            port,
            log,
            workers=args.workers,
            # High enough that the API throttle never answers 429 to the one client here.
            env={"API_ANON_RATE": "100000000/minute", "STATIC_ROOT": str(work / "static")},
        )
        try:
            gunicorn_wait(server, base, log_path, path="/")
            # Each worker's first requests import, compile templates and load jieba's
            # dictionary: not what a running site does.
            warm_up = wrk_run(base, script, duration=WARM_UP, connections=args.connections)
            probes = probe(base, mix)
            before = load_average()
            result = wrk_run(base, script, duration=args.duration, connections=args.connections)
            after = load_average()
        finally:
            gunicorn_stop(server)
            shutil.rmtree(work / "static", ignore_errors=True)  # the log stays, for errors
    report(args, mix, probes, result, before=before, after=after, log_path=log_path)
    print(f"(warm-up, not counted: {warm_up['requests']} requests in {WARM_UP} s)")


def report(args, mix, probes, result, *, before: str, after: str, log_path: Path) -> None:
    print(
        f"\ngunicorn unionarchive.wsgi: {args.workers} sync workers on 127.0.0.1; wrk "
        f"{args.connections} connections for {args.duration} s over {len(mix)} URLs "
        f"({len({path for _, path in mix})} distinct) after a {WARM_UP} s warm-up; "
        f"timeout {REQUEST_TIMEOUT} s"
    )
    print(f"\n{'kind':<30}{'share':>6}{'idle median':>13}  statuses")
    for kind, median_ms, statuses, bad in probes:
        codes = ",".join(map(str, statuses))
        print(
            f"{kind:<30}{MIX[kind]:>5}%{median_ms:>10.0f} ms  {codes}" + (f"  {bad}" if bad else "")
        )

    seconds = result["duration_us"] / 1e6
    statuses = result["statuses"]
    throttled = statuses.get(429, 0)
    failed = sum(count for status, count in statuses.items() if status >= 400) - throttled
    sockets = {name: result[name] for name in ("connect", "read", "write", "timeout")}
    print(f"\nload average (1, 5, 15 min) before: {before}; after: {after}")
    print(
        f"requests: {result['requests']} in {seconds:.1f} s = {result['requests'] / seconds:.1f}/s"
    )
    print(
        f"latency: p50 {result['p50'] / 1000:.0f} ms, p90 {result['p90'] / 1000:.0f} ms, "
        f"p99 {result['p99'] / 1000:.0f} ms, max {result['max'] / 1000:.0f} ms, "
        f"mean {result['mean'] / 1000:.0f} ms"
    )
    print(f"transferred: {result['bytes'] / 1e6:.1f} MB")
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(
        f"errors: {failed} non-2xx/3xx, {throttled} throttled (429); sockets: "
        + ", ".join(f"{name} {count}" for name, count in sockets.items())
    )
    total = failed + throttled + sum(sockets.values())
    print("goal: zero errors — " + ("met" if total == 0 else f"NOT met ({total})"))
    if total:
        print(f"gunicorn's log: {log_path}")


if __name__ == "__main__":
    main()
