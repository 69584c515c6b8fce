"""Make a fresh database ready to look at: taxonomy, seed sources, demo events, an editor.

``make run`` calls this after ``migrate``. Every step is keyed on a stable reference, so
running it again changes nothing and never touches what an editor has changed.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from events import demo, taxonomy


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
            self._report(name, counts)
        self._report("sources", demo.demo_sources_load())
        self._report("demo events", demo.demo_events_load())
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

    def _report(self, name: str, counts: taxonomy.ImportCounts) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"{name}: {counts}")
