import time

from django.core.management.base import BaseCommand

from desk.scheduling import publish_scheduled
from interchange.import_jobs import expire_uploads


class Command(BaseCommand):
    help = (
        "Publish and unpublish the crises and events whose scheduled time has come, and delete "
        "uploaded import files that no job waits for (IMPORT_KEEP_SECONDS for a checked import)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="Keep running, checking every SECONDS (make run uses 60); without it, check once.",
        )

    def handle(self, *args, every=None, **options):
        while True:
            for line in publish_scheduled():
                self.stdout.write(line)
            expired = expire_uploads()
            if expired:
                self.stdout.write(f"deleted the uploads of {expired} import(s)")
            if not every:
                return
            time.sleep(every)
