from django.core.management.base import BaseCommand, CommandError

from events import tallies
from events.models import Crisis


class Command(BaseCommand):
    help = (
        "Count every crisis's tally again (the front page's counts and centre, the sources the "
        "desk sees cited). Every revision keeps them current and a missing one is counted when "
        "first asked for; run this after an upgrade so no reader or editor waits for that."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these crises (default: all).")

    def handle(self, *args, slugs=(), **options):
        crises = Crisis.objects.order_by("pk")
        if slugs:
            crises = crises.filter(slug__in=slugs)
            unknown = sorted(set(slugs) - set(crises.values_list("slug", flat=True)))
            if unknown:
                raise CommandError(f"No crisis with the slug {', '.join(unknown)}.")
        found = list(crises.values_list("pk", "slug"))
        for n, (pk, slug) in enumerate(found, 1):
            tallies.refresh([pk])
            self.stdout.write(f"{n}/{len(found)} {slug}")
