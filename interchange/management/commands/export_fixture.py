from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.models import Crisis
from interchange.fixture_export import crisis_objects, everything, serialize


class Command(BaseCommand):
    help = (
        "Write one crisis (its sections, events, participations, and the actors and sources "
        "they use), or with --all every crisis, actor and source, as a fixture with natural "
        "keys in creation order, for import_fixture. A restore reads exactly the same."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", nargs="?", help="The crisis, e.g. azerbaijan-russia-2025.")
        parser.add_argument(
            "--all", action="store_true", help="Everything, unused actors and sources included."
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        if bool(options["slug"]) == options["all"]:
            raise CommandError("Name one crisis by its slug, or give --all.")
        if options["all"]:
            objects = everything()
        else:
            try:
                objects = crisis_objects(Crisis.objects.get(slug=options["slug"]))
            except Crisis.DoesNotExist:
                raise CommandError(f"No crisis with slug '{options['slug']}'.") from None
        text = serialize(objects) + "\n"
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {len(objects)} objects to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
