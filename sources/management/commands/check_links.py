import datetime
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from sources.captures import CaptureFailed, capture, due_again
from sources.link_health import check_many, due


class Command(BaseCommand):
    help = (
        "Check the addresses of sources not checked for --days days (every source with an "
        "address the first time): one request at a time per host, LINK_CHECK_DELAY seconds "
        "apart. With --every, keep doing it."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=float, default=3.0, help="Check again after (3).")
        parser.add_argument("--hosts", type=int, default=4, help="Hosts checked at once (4).")
        parser.add_argument("--every", type=int, default=0, help="Seconds between runs.")
        parser.add_argument(
            "--recapture-after",
            type=float,
            default=30.0,
            help="Capture a live page again when it changed or its copy is this many days old "
            "(30); 0 never.",
        )

    def handle(self, *args, days: float, hosts: int, every: int, **options) -> None:
        recapture = options["recapture_after"]
        while True:
            sources = list(due(datetime.timedelta(days=days)))
            started = time.monotonic()
            counts = check_many(sources, hosts=hosts)
            found = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            seconds = time.monotonic() - started
            self.stdout.write(
                f"Checked {len(sources)} addresses in {seconds:.1f} s: {found or 'none due'}"
            )
            if recapture:
                self.capture_again(datetime.timedelta(days=recapture))
            if not every:
                return
            time.sleep(every)

    def capture_again(self, older_than: datetime.timedelta) -> None:
        made = failed = 0
        for n, source in enumerate(due_again(older_than)):
            if n:
                time.sleep(settings.LINK_CHECK_DELAY)
            try:
                capture(source)
                made += 1
            except CaptureFailed as error:
                failed += 1
                self.stderr.write(f"{source.key}: not captured: {error}")
        if made or failed:
            self.stdout.write(f"Captured again: {made}; could not: {failed}")
