"""What a process that serves pages does before its first request, so that the first reader or
editor after a start (or, under gunicorn, every worker forked from the master) does not pay for
it: the collector set for serving (``collector``), the URLconf loaded, which imports every
view, the admin's modules and the API's, with its reverse index, and every template compiled
into the cached loader (a worker's first admin page compiled some forty of them); then all of
it is frozen out of the collector's sight (``collector.freeze``).

Loading it reads nothing from the database (tested)."""

from pathlib import Path

from django.template import TemplateSyntaxError, engines
from django.urls import get_resolver

from crisis_tracker import collector


def for_serving() -> None:
    collector.tune()
    urls()
    templates()
    collector.freeze()  # what is loaded lives as long as the process: out of full collections


def urls() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018  (imports the URLconf and every URLconf it includes)
    resolver.reverse_dict  # noqa: B018  (the index ``reverse`` reads, built once)


def templates() -> None:
    """Compile each template the engines can find, as its name resolves (the project's before
    an app's); one that does not compile here is left to fail where it is used."""
    for engine in engines.all():
        for directory in engine.template_dirs:
            for path in Path(directory).rglob("*"):
                if path.is_file():
                    try:
                        engine.get_template(path.relative_to(directory).as_posix())
                    except (TemplateSyntaxError, UnicodeDecodeError):
                        continue
