import datetime
import time

from django.core.management.base import BaseCommand

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

    def handle(self, *args, days: float, hosts: int, every: int, **options) -> None:
        while True:
            sources = list(due(datetime.timedelta(days=days)))
            started = time.monotonic()
            counts = check_many(sources, hosts=hosts)
            found = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
            seconds = time.monotonic() - started
            self.stdout.write(
                f"Checked {len(sources)} addresses in {seconds:.1f} s: {found or 'none due'}"
            )
            if not every:
                return
            time.sleep(every)
