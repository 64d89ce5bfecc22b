import json

from django.core.management.base import BaseCommand, CommandError

from sources.fetching import FetchFailed, FetchRefused
from sources.metadata import NotCitable, from_url


class Command(BaseCommand):
    help = (
        "Print the source proposed for a URL as JSON: the source's fields, and where each value "
        "came from. Exits non-zero with the reason when the URL is refused or unreachable."
    )
    requires_system_checks = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("url", help="The page's address (http or https).")

    def handle(self, *args, url: str, **options) -> None:
        try:
            proposal = from_url(url)
        except FetchRefused as error:
            raise CommandError(f"refused: {error}") from None
        except (FetchFailed, NotCitable) as error:
            raise CommandError(f"unreachable: {error}") from None
        self.stdout.write(json.dumps(proposal.as_json(), ensure_ascii=False, indent=2))
