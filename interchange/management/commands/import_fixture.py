import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from crisis_tracker.history import reason_problem
from interchange import import_jobs
from interchange.fixture_import import FixtureError, import_fixtures
from interchange.import_display import change_lines
from interchange.problems import consequence_lines
from interchange.views import job_url

SHOWN_PROBLEMS = 200
LISTED_CHANGES = 2000  # changes a dry run lists field by field; the summary counts them all


class Command(BaseCommand):
    help = (
        "Import Django JSON fixtures with natural keys, recording history. Objects are matched by "
        "natural key only: missing ones are created, differing ones updated, identical ones left "
        "alone (no history row). Everything is validated, citation keys included; all files are "
        "one transaction, so any problem leaves the database untouched. Runs as --user NAME "
        "(whose publishing rights apply) or --system (a maintenance task with every right)."
    )

    # An import needs no system checks (they read every template and URL pattern: a quarter of
    # a second of a 25,000-object import); `manage.py check` and deployment run them.
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", help="Fixture files (JSON).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=f"Show what would change, field by field (the first {LISTED_CHANGES} changes).",
        )
        parser.add_argument(
            "--reason", help="Edit summary for the history, at most 100 characters."
        )
        parser.add_argument(
            "--submit",
            action="store_true",
            help="Check the files as --user and submit them for review: what that user may not "
            "publish waits, with the rest of the files, for a publisher to approve on the desk.",
        )
        who = parser.add_mutually_exclusive_group()
        who.add_argument("--user", help="Username the import runs as and is recorded under.")
        who.add_argument(
            "--system",
            action="store_true",
            help="Run as the system: every publishing right, no user in the history.",
        )

    def handle(self, *args, **options) -> None:
        if not options["user"] and not options["system"]:
            raise CommandError(
                "Say who imports: --user NAME (their publishing rights apply) or --system."
            )
        if reason_problem(options["reason"]):
            raise CommandError(f"--reason: {reason_problem(options['reason'])}.")
        user = self.find_user(options["user"]) if options["user"] else None
        files = []
        for name in options["paths"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            files.append((str(path), path))
        self.started = time.monotonic()
        if options["submit"]:
            return self.submit(files, options["reason"] or "", user)
        try:
            report = import_fixtures(
                files=files,
                reason=options["reason"],
                user=user,
                dry_run=options["dry_run"],
                progress=self.show_progress,
                details=LISTED_CHANGES if options["dry_run"] else 0,
            )
        except FixtureError as error:
            raise CommandError(self.refusal(error), returncode=1) from None
        if options["dry_run"]:
            for line in change_lines(report):
                self.stdout.write(line)
        for line in report.summary_lines():
            self.stdout.write(line)
        created, changed = report.outcome("created"), report.outcome("changed")
        unchanged = report.outcome("unchanged")
        verb = "Would create" if options["dry_run"] else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {created}, changed {changed}, left {unchanged} unchanged "
                f"({report.total} objects in {len(files)} file(s))."
            )
        )

    def submit(self, files, reason: str, user) -> None:
        if user is None:
            raise CommandError("--submit needs --user NAME: the system publishes without review.")
        try:
            job = import_jobs.submit_files(
                paths=[path for _name, path in files], reason=reason, user=user
            )
        except FixtureError as error:
            raise CommandError(self.refusal(error), returncode=1) from None
        except ValueError as error:
            raise CommandError(f"Nothing was submitted: {error}.") from None
        for line in job.preview["review_lines"]:
            self.stdout.write(line)
        url = settings.SITE_URL.rstrip("/") + job_url(job)
        self.stdout.write(self.style.SUCCESS(f"Submitted for review ({job.total} objects): {url}"))

    def refusal(self, error: FixtureError) -> str:
        count = len(error.problems)
        causes = [problem for problem in error.problems if problem.cause is None]
        shown = [str(problem) for problem in causes[:SHOWN_PROBLEMS]]
        if len(causes) > SHOWN_PROBLEMS:
            shown.append(f"… and {len(causes) - SHOWN_PROBLEMS} more.")
        shown += consequence_lines([problem.as_json() for problem in error.problems])
        return f"Nothing was imported: {count} problem(s).\n" + "\n".join(shown)

    def find_user(self, username: str):
        try:
            return get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named '{username}'.") from None

    def show_progress(self, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        rate = done / elapsed if elapsed > 0 else 0
        left = f", {(total - done) / rate:.0f} s left" if rate and total > done else ""
        line = f"{done}/{total} objects, {rate:.0f}/s{left}"
        if self.stderr.isatty():
            width = 30
            filled = width * done // total if total else width
            self.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {line}", ending="")
            if done >= total:
                self.stderr.write("")
        else:
            self.stderr.write(f"  {line}")
