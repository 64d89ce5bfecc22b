"""What refuses an import: a problem names the file, the object and the field, and a problem
that only follows from another (an object naming an object refused above) says so."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Problem:
    file: str
    index: int | None  # counted from 1
    message: str
    label: str = ""
    natural_key: tuple | None = None
    field: str = ""
    refers_to: tuple | None = None  # (label, natural key) of the object it names but cannot find
    cause: tuple | None = None  # (label, natural key) of the refused object it follows from

    def __str__(self) -> str:
        where = [self.file]
        if self.index is not None:
            what = f"object {self.index}"
            if self.label:
                what += f" ({self.label}"
                what += f" {list(self.natural_key)})" if self.natural_key else ")"
            where.append(what)
        if self.field:
            where.append(f"field '{self.field}'")
        return ": ".join(where) + ": " + self.message

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "index": self.index,
            "label": self.label,
            "natural_key": list(self.natural_key) if self.natural_key else None,
            "field": self.field,
            "message": self.message,
            "text": str(self),
            "cause": [self.cause[0], list(self.cause[1])] if self.cause else None,
        }


class FixtureError(Exception):
    """The problems that refuse an import: their causes first, then one line per group of
    problems that only follow from them (objects naming an object refused above)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = [str(problem) for problem in problems if problem.cause is None]
        lines += consequence_lines([problem.as_json() for problem in problems])
        super().__init__("\n".join(lines))


def consequence_lines(problems: list[dict]) -> list[str]:
    """'22 actors.participation objects refer to the 7 events.event objects above', one line
    per kind of object refused only because an object it names was refused (``as_json`` form)."""
    groups: dict[tuple[str, str], tuple[int, set]] = {}
    for problem in problems:
        if problem.get("cause"):
            label, key = problem["cause"]
            count, causes = groups.get((problem["label"], label), (0, set()))
            groups[(problem["label"], label)] = (count + 1, causes | {tuple(key)})
    return [
        f"{count} {label} {'object refers' if count == 1 else 'objects refer'} to the "
        f"{len(causes)} {cause} {'object' if len(causes) == 1 else 'objects'} above"
        for (label, cause), (count, causes) in groups.items()
    ]


def problem_order(problem: Problem) -> tuple:
    return (problem.file, problem.index or 0)
