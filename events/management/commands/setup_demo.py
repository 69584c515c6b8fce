"""Make a fresh database ready to look at: taxonomy, the seed documents, an editor.

``make run`` calls this after ``migrate``. The seeds go through the real loader, and every
step only adds what is missing, so running it again changes nothing and never touches
what an editor has changed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events import demo, taxonomy
from events.annotate import resources_from_database
from events.ingest import documents_ingest
from events.management.commands.load_sources import SEEDS_DIR
from events.models import Event
from events.search import search_index_update
from sources.manifest import collect_documents


class RollBack(Exception):
    """Raised to undo a --dry-run."""


class Command(BaseCommand):
    help = "Load categories, the organisation gazetteer, the seed documents and a demo editor."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-editor", action="store_true", help="Do not create the demo editor account."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be added, then roll back."
        )

    def handle(self, *args, no_editor: bool, dry_run: bool, verbosity: int, **options):
        self.verbosity = verbosity
        try:
            with transaction.atomic():
                self._load(no_editor=no_editor)
                if dry_run:
                    raise RollBack
        except RollBack:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _load(self, *, no_editor: bool) -> None:
        for name, counts in taxonomy.taxonomy_load().items():
            self._say(f"{name}: {counts}")
        outcomes = documents_ingest(
            collect_documents([SEEDS_DIR]), resources=resources_from_database()
        )
        failed = [outcome for outcome in outcomes if outcome.status == "failed"]
        if failed:
            raise CommandError("; ".join(outcome.error for outcome in failed))
        statuses = [outcome.status for outcome in outcomes]
        self._say(
            f"seed documents: {statuses.count('new')} new, "
            f"{statuses.count('updated')} updated, {statuses.count('unchanged')} unchanged"
        )
        # A database migrated from before the search index existed has events without
        # entries; the loader indexes only what it writes.
        unindexed = Event.objects.filter(search__isnull=True)
        if unindexed.exists():
            indexed = search_index_update(events=unindexed.values_list("pk", flat=True))
            self._say(f"search index: {indexed} events indexed")
        published = demo.demo_publish()
        if published:
            self._say(
                f"demo: published {published} drafts of confidence ≥ "
                f"{demo.DEMO_PUBLISH_CONFIDENCE} so the public pages have content"
            )
        if no_editor:
            return
        user, created = demo.demo_editor_ensure()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo editor created: user “{user.username}”, "
                    f"password “{demo.DEMO_EDITOR_PASSWORD}”"
                )
            )
        else:
            self.stdout.write(
                f"Demo editor “{user.username}” already exists; its password was left as it is "
                f"(first set to “{demo.DEMO_EDITOR_PASSWORD}”)."
            )

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)
