"""Restore an ``export_archive`` file into an empty database: the backup's other half.

After ``migrate`` on a new database, this brings back every source (with its raw text,
versions and ingestion report), organisation, category, tag, event of every status,
provenance record, metric, merge, dismissed duplicate and chronicle (editions included),
with their ids, and rebuilds the search index; exporting again gives the same file but for
``exported_at``. It refuses a database that already holds archive rows, and a file that is
not a readable archive, naming the file and each problem; it writes in one transaction, so
a refusal leaves nothing.
``--dry-run`` reads the file and tries the whole restore, then rolls it back.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction

from events.archive import ArchiveNotEmpty, archive_restore, archive_section_readers
from events.restore import ArchiveError, archive_read


class RollBack(Exception):
    """Raised to undo a --dry-run."""


class Command(BaseCommand):
    help = "Restore an export_archive file (every row with its id) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A file written by export_archive.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and restore, then roll back."
        )

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options):
        def say(message: str) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {message}")

        try:
            rows = archive_read(file.read_bytes(), sections=archive_section_readers())
        except OSError as exc:
            raise CommandError(f"{file}: cannot read the archive ({exc.strerror})") from None
        except ArchiveError as exc:
            raise CommandError(f"{file}: not restored: {exc}") from None
        try:
            with transaction.atomic():
                restored = archive_restore(rows=rows, progress=say)
                if dry_run:
                    raise RollBack
        except RollBack:
            pass
        except ArchiveNotEmpty as exc:
            raise CommandError(
                f"{file}: not restored: the database is not empty ({exc}). Restore into a "
                "freshly migrated database."
            ) from None
        except DatabaseError as exc:
            raise CommandError(f"{file}: not restored: the database refused it ({exc})") from None
        if verbosity >= 1:
            self._report(file, restored, dry_run=dry_run)

    def _report(self, file: Path, restored: dict, *, dry_run: bool) -> None:
        counts = ", ".join(
            f"{restored[name]} {name}"
            for name in ("sources", "organisations", "categories", "tags", "events")
        )
        self.stdout.write(
            f"{counts}; {restored['provenances']} provenance records, "
            f"{restored['metrics']} metrics, {restored['merges']} merges, "
            f"{restored['dismissals']} dismissed duplicates; "
            f"{restored['indexed']} events indexed for search"
        )
        for name, counts in restored["sections"].items():
            self.stdout.write(f"{name}: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
        if restored["users created"]:
            self.stdout.write(
                self.style.WARNING(
                    "Users named in the archive but not in this database "
                    + ("would be" if dry_run else "were")
                    + " created inactive, without a password: "
                    + ", ".join(restored["users created"])
                )
            )
        if dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Restored {file}."))
