"""Load source documents: read, repair and extract them, and store draft events.

Editors add documents every year; this is how they enter the archive. Each file is loaded
in its own transaction: a file that fails is named with the reason and rolled back, the
rest still load, and the command exits non-zero at the end. Loading a file again changes
nothing; loading a changed file never undoes an editor's work (see events/ingest.py).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from events.annotate import resources_from_database
from events.ingest import SourceOutcome, Tally, documents_ingest
from sources.manifest import MANIFEST_NAME, ManifestError, collect_documents

SEEDS_DIR = Path(settings.BASE_DIR) / "fixtures" / "seeds"
# Below this many files the per-file lines say enough; above it a bar shows progress.
PROGRESS_BAR_FROM = 5


class Command(BaseCommand):
    help = (
        "Load documents (files or folders; none: every document of "
        f"fixtures/seeds/{MANIFEST_NAME}) as sources with draft events, metrics and "
        "organisations."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Documents or folders to load.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Extract and report, then roll back."
        )

    def handle(self, *args, paths: list[Path], dry_run: bool, verbosity: int, **options):
        try:
            documents = collect_documents(paths or [SEEDS_DIR])
        except ManifestError as exc:
            raise CommandError(str(exc)) from None
        if not documents:
            raise CommandError("No documents found in " + ", ".join(map(str, paths)))
        resources = resources_from_database()
        show_bar = verbosity >= 1 and len(documents) >= PROGRESS_BAR_FROM
        outcomes = documents_ingest(
            # tqdm writes carriage returns; the wrapper's own write() would add line ends.
            tqdm(documents, disable=not show_bar, unit="file", file=self.stderr._out),
            resources=resources,
            dry_run=dry_run,
            on_outcome=lambda outcome: self._report_file(
                outcome, verbosity=verbosity, quiet=show_bar
            ),
        )
        self._summary(outcomes, verbosity=verbosity)
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        failed = [outcome for outcome in outcomes if outcome.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} of {len(outcomes)} files failed to load.")

    def _report_file(self, outcome: SourceOutcome, *, verbosity: int, quiet: bool) -> None:
        if outcome.status == "failed":
            self.stderr.write(self.style.ERROR(f"failed: {outcome.error}"))
        elif verbosity >= 2 or (verbosity >= 1 and not quiet):
            events = outcome.events
            self.stdout.write(
                f"{outcome.status}: {outcome.file} — events {events.created} new, "
                f"{events.updated} updated, {events.unchanged} unchanged, {events.removed} removed"
            )

    def _summary(self, outcomes: list[SourceOutcome], *, verbosity: int) -> None:
        if verbosity < 1:
            return
        statuses = [outcome.status for outcome in outcomes]
        totals = {name: Tally() for name in ("events", "metrics", "organisations")}
        for outcome in outcomes:
            for name, tally in totals.items():
                tally.add(getattr(outcome, name))
        self.stdout.write(
            "sources: "
            + ", ".join(
                f"{statuses.count(status)} {status}"
                for status in ("new", "updated", "unchanged", "failed")
            )
        )
        for name, tally in totals.items():
            self.stdout.write(
                f"{name}: {tally.created} new, {tally.updated} updated, "
                f"{tally.unchanged} unchanged, {tally.removed} removed"
            )
