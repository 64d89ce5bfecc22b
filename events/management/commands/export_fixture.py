from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.fixture_export import crisis_objects, export_crisis
from events.models import Crisis


class Command(BaseCommand):
    help = (
        "Write one crisis (its sections, events, participations, and the actors and sources "
        "they use) as a fixture with natural keys, in a stable order, for import_fixture."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The crisis, e.g. azerbaijan-russia-2025.")
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        try:
            crisis = Crisis.objects.get(slug=options["slug"])
        except Crisis.DoesNotExist:
            raise CommandError(f"No crisis with slug '{options['slug']}'.") from None
        text = export_crisis(crisis) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            count = len(crisis_objects(crisis))
            self.stderr.write(f"Wrote {count} objects to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
