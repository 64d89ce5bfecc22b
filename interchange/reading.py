"""Reading fixture files: as a stream, one object at a time, after a first pass that refuses a
file nested deeper, or with an object larger, than the format allows; broken JSON is reported
with its line and column when the file is small enough to read again."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import ijson

from events.registry import CONTENT_MODELS

from .problems import FixtureError, Problem

EXACT_ERRORS_UP_TO = 20 * 1024 * 1024  # re-read a broken file this small for line and column


@dataclass
class Entry:
    file: str
    index: int
    label: str
    data: dict

    def problem(self, message: str, **kwargs) -> Problem:
        return Problem(self.file, self.index, message, label=self.label, **kwargs)


def open_source(source) -> io.BufferedIOBase:
    """A binary stream of a fixture given as text, bytes, a path or an open file."""
    if isinstance(source, str):
        return io.BytesIO(source.encode("utf-8"))
    if isinstance(source, bytes):
        return io.BytesIO(source)
    if isinstance(source, Path):
        return source.open("rb")
    source.seek(0)
    return source


def read_fixture(name: str, source) -> Iterator[Entry | Problem]:
    """Each object of the fixture in turn (or a problem in its place), read as a stream."""
    stream = open_source(source)
    first = stream.read(64).lstrip()
    stream.seek(0)
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:].lstrip()
    if not first.startswith(b"["):
        if first.startswith(b"{"):
            yield Problem(name, None, "a fixture is a JSON list of objects")
            return
        yield Problem(name, None, json_error(stream))
        return
    index = 0
    try:
        for index, item in enumerate(ijson.items(stream, "item", use_float=True), start=1):
            yield entry_or_problem(name, index, item)
    except ijson.JSONError as error:
        yield Problem(name, None, json_error(stream, fallback=error))


def entry_or_problem(name: str, index: int, item) -> Entry | Problem:
    if not isinstance(item, dict) or not isinstance(item.get("fields", {}), dict):
        return Problem(name, index, "each object needs a 'model' and 'fields'")
    label = str(item.get("model", "")).lower()
    if label not in CONTENT_MODELS:
        known = ", ".join(CONTENT_MODELS)
        return Problem(name, index, f"unknown model '{label}'; expected one of {known}")
    entry = Entry(name, index, label, item)
    if "pk" in item:
        return entry.problem(
            "objects are matched by natural key only: remove the 'pk' "
            f"(it is {item['pk']!r}, which could name an unrelated row in this database)"
        )
    return entry


def json_error(stream, fallback=None) -> str:
    """Where the JSON breaks: line and column when the file is small enough to re-read."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size <= EXACT_ERRORS_UP_TO:
        stream.seek(0)
        try:
            json.loads(stream.read().decode("utf-8-sig"))
        except json.JSONDecodeError as error:
            return f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        except UnicodeDecodeError as error:
            return f"not UTF-8 text at byte {error.start + 1}"
    detail = str(fallback).splitlines()[0] if fallback else "not valid JSON"
    return f"not valid JSON: {detail}"


# A fixture nests four levels deep (the list, an object, its fields, a natural key) and five at
# most (a many-to-many's keys); an object has a few dozen fields. Anything deeper or larger is
# refused by a first pass that holds one parser event at a time, before any object is built.
MAX_DEPTH = 5
MAX_OBJECT_EVENTS = 10_000


def survey(files: list[tuple[str, object]]) -> int:
    """How many objects the files hold; raises FixtureError for a file nested deeper, or with
    an object larger, than the format allows (its memory is then never spent)."""
    total, problems = 0, []
    for name, source in files:
        found = survey_file(name, open_source(source))
        if isinstance(found, Problem):
            problems.append(found)
        else:
            total += found
    if problems:
        raise FixtureError(problems)
    return total


def survey_file(name: str, stream) -> int | Problem:
    objects = depth = events = 0
    try:
        for event, _value in ijson.basic_parse(stream):
            events += 1
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DEPTH:
                    message = f"nested deeper than a fixture can be (at most {MAX_DEPTH} levels)"
                    return Problem(name, objects or None, message)
                if depth == 2:
                    objects += 1
                    events = 0
            elif event in ("end_map", "end_array"):
                depth -= 1
            if events > MAX_OBJECT_EVENTS:
                message = f"larger than a fixture object can be ({MAX_OBJECT_EVENTS} values)"
                return Problem(name, objects, message)
    except ijson.JSONError:
        return 0  # reading the objects names the error, with its line and column
    finally:
        stream.seek(0)
    return objects
