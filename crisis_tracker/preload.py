"""What a process that serves pages does before its first request, so that the first reader or
editor after a start (or, under gunicorn, every worker forked from the master) does not pay for
it: the collector set for serving (``collector``), and the URLconf loaded, which imports every
view, the admin's modules and the API's, with its reverse index.

Loading it reads nothing from the database (tested)."""

from django.urls import get_resolver

from crisis_tracker import collector


def for_serving() -> None:
    collector.tune()
    urls()


def urls() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports the URLconf and every URLconf it includes)
    resolver.reverse_dict  # noqa: B018  (the index ``reverse`` reads, built once)
