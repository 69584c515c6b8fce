"""How fast load_sources turns documents into drafts, against jieba's own segmentation.

Loads the seeds, then a corpus 200× their size made from them (years shifted, items
shuffled, so every document is new to the archive), into a fresh database, and prints MB/s,
peak memory and the ratio to jieba's default-mode segmentation of the same texts, timed in
the same run. The goal: within 3× of jieba, and a cost per MB that does not grow with the
corpus.

    .venv/bin/python bench/ingest.py [--copies 200] [--database-url URL]

Without --database-url a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=\s*年)")
# Items of a markdown list, and blocks set apart by two or more blank lines.
MARKDOWN_ITEM = re.compile(r"(?m)^(?=## )")
BLOCK_GAP = re.compile(r"\n\s*\n\s*\n")


def shifted(text: str, years: int) -> str:
    return YEAR.sub(lambda m: str(int(m.group(1)) + years), text)


def shuffled(text: str, rng: random.Random) -> str:
    """The document with its items in another order; its head stays first."""
    if MARKDOWN_ITEM.search(text):
        head, *items = MARKDOWN_ITEM.split(text)
        rng.shuffle(items)
        return head + "".join(items)
    head, *blocks = BLOCK_GAP.split(text)
    rng.shuffle(blocks)
    return "\n\n\n".join([head, *blocks])


def make_corpus(seeds: list[Path], copies: int, folder: Path) -> list[Path]:
    rng = random.Random(2022)
    paths = []
    for copy in range(copies):
        years = copy % 40 - 20 or 21  # never 0: every copy differs from its seed
        for seed in seeds:
            text = shuffled(shifted(seed.read_text(encoding="utf-8"), years), rng)
            path = folder / f"{copy:03d}_{seed.name}"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionarchive.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from events.taxonomy import taxonomy_load

    taxonomy_load()


def load(paths: list[Path]) -> tuple[float, int]:
    from events.annotate import resources_from_database
    from events.ingest import documents_ingest
    from sources.manifest import collect_documents

    resources = resources_from_database()
    started = time.perf_counter()
    outcomes = documents_ingest(collect_documents(paths), resources=resources)
    elapsed = time.perf_counter() - started
    failed = [o.error for o in outcomes if o.status == "failed"]
    if failed:
        raise SystemExit("failed: " + "; ".join(failed[:3]))
    return elapsed, sum(o.events.created for o in outcomes)


def jieba_seconds(paths: list[Path]) -> float:
    from django.conf import settings

    from events.extraction.nlp import segment_words, tokenizer

    tok = tokenizer(
        cache_dir=settings.JIEBA_CACHE_DIR, user_dict=PROJECT_DIR / "fixtures" / "userdict.txt"
    )
    texts = [path.read_text(encoding="utf-8") for path in paths]
    started = time.perf_counter()
    for text in texts:
        segment_words(text, tokenizer=tok)
    return time.perf_counter() - started


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="unionarchive-bench-"))
    setup_django(args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}")
    seeds = sorted((PROJECT_DIR / "fixtures" / "seeds").glob("*.txt"))
    corpus = make_corpus(seeds, args.copies, workdir)

    print(f"machine: {os.cpu_count()} cores; database: {args.database_url or 'SQLite (file)'}")
    print(f"{'run':<10}{'files':>7}{'MB':>8}{'load s':>9}{'MB/s':>8}{'jieba s':>9}"
          f"{'ratio':>7}{'events':>8}{'peak MB':>9}")  # fmt: skip
    per_mb = []
    for name, paths in (("seeds", seeds), (f"{args.copies}x", corpus)):
        megabytes = sum(path.stat().st_size for path in paths) / 1e6
        seconds, events = load(paths)
        segmenting = jieba_seconds(paths)
        per_mb.append(seconds / megabytes)
        print(
            f"{name:<10}{len(paths):>7}{megabytes:>8.2f}{seconds:>9.2f}{megabytes / seconds:>8.2f}"
            f"{segmenting:>9.2f}{seconds / segmenting:>7.2f}{events:>8}{peak_memory_mb():>9.0f}"
        )
    print(
        f"cost per MB, {args.copies}x corpus / seeds: {per_mb[1] / per_mb[0]:.2f} (1.0 is linear)"
    )


if __name__ == "__main__":
    main()
