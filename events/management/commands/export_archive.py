"""Write the whole archive as one JSON file in the shapes of CONTRACT.md.

For backups, for consumers who want everything at once, and for diffing what extraction
produces between two versions of the loader: the output is sorted and stable. Its
``restore`` section holds what the contract's shapes leave out, so that ``import_archive``
can restore the file exactly into an empty database.
"""

from django.core.management.base import BaseCommand, CommandError

from events.archive import archive_build, archive_dumps


class Command(BaseCommand):
    help = "Export sources, organisations, events and metrics (every status) as JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o", "--output", help="File to write; standard output when left out.", default="-"
        )

    def handle(self, *args, output: str, **options):
        text = archive_dumps(archive_build())
        if output == "-":
            self.stdout.write(text, ending="")
            return
        try:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise CommandError(f"{output}: cannot write the archive ({exc.strerror})") from None
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Wrote {output} ({len(text.encode())} bytes)."))
