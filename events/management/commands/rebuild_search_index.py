"""Index every event for full-text search afresh (events/search.py).

Needed after anything that writes events without the search service — a bulk import by
SQL, the benchmark's generated data, an upgrade that adds the index to an existing
archive, a change to fixtures/userdict.txt — and harmless otherwise: it rewrites each
event's row in batches, in their own transactions, so searches keep answering while it
runs, and a second run changes nothing.
"""

from django.core.management.base import BaseCommand

from events.models import Event, EventSearch
from events.search import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search index of every event."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say how far the index is behind; write nothing."
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="Events per transaction.")

    def handle(self, *args, dry_run: bool, batch_size: int, verbosity: int, **options):
        if dry_run:
            events = Event.objects.count()
            missing = Event.objects.filter(search__isnull=True).count()
            self.stdout.write(
                f"{events} events, {events - missing} indexed, {missing} not indexed "
                "(rows of changed events may also be stale); nothing written."
            )
            return

        def progress(done: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {done}/{total}")

        counts = search_index_rebuild(batch_size=batch_size, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Search index rebuilt: {counts['indexed']} events indexed, "
                f"{counts['removed']} rows of deleted events removed "
                f"({EventSearch.objects.count()} rows)."
            )
        )
