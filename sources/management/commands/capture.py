from django.core.management.base import BaseCommand, CommandError

from sources.captures import CaptureFailed, capture
from sources.models import Source


class Command(BaseCommand):
    help = "Capture a source's page now (WARC, main text); prints what was kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("key", help="The source's key, e.g. reuters-2024-12-26.")

    def handle(self, *args, key: str, **options) -> None:
        source = Source.objects.filter(key=key).first()
        if source is None:
            raise CommandError(f"no source has the key {key!r}")
        try:
            made = capture(source)
        except CaptureFailed as error:
            raise CommandError(f"not captured: {error}") from None
        self.stdout.write(
            f"Captured {made.final_url} ({made.status}, {made.content_type}, "
            f"{made.body_size} bytes; text {len(made.text)} characters, SHA-256 "
            f"{made.text_sha256[:12]}…; WARC {made.warc_size} bytes)"
        )
