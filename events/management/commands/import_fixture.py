from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from events.fixture_import import FixtureError, import_fixtures


class Command(BaseCommand):
    help = (
        "Import Django JSON fixtures with natural keys, recording history. Objects are matched by "
        "natural key (or pk when given): missing ones are created, differing ones updated, "
        "identical ones left alone (no history row). Everything is validated, citation keys "
        "included; all files are one transaction, so any problem leaves the database untouched."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="Fixture files (JSON).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what would change, field by field."
        )
        parser.add_argument("--reason", help="Edit summary for the history (default: file name).")
        parser.add_argument("--user", help="Username recorded as the author of the changes.")

    def handle(self, *args, **options) -> None:
        user = self.find_user(options["user"])
        files = []
        for name in options["paths"]:
            path = Path(name)
            try:
                files.append((str(path), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{name}: cannot read the file: {error}") from None
        try:
            report = import_fixtures(
                files=files,
                reason=options["reason"],
                user=user,
                dry_run=options["dry_run"],
                progress=self.show_progress,
            )
        except FixtureError as error:
            count = len(error.problems)
            raise CommandError(
                f"Nothing was imported: {count} problem(s).\n{error}", returncode=1
            ) from None
        if options["dry_run"]:
            self.show_diff(report)
        for line in report.summary_lines():
            self.stdout.write(line)
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {report.total} objects from {len(files)} file(s).")
        )

    def find_user(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named '{username}'.") from None

    def show_progress(self, done: int, total: int) -> None:
        self.stderr.write(f"  … {done}/{total} objects checked")

    def show_diff(self, report) -> None:
        for change in report.changes:
            self.stdout.write(f"{change.action}: {change.label} {list(change.natural_key)}")
            for name, old, new in change.fields:
                self.stdout.write(f"    {name}: {old!r} → {new!r}")
