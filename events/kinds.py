"""How each kind of event looks on maps and charts: one colour per kind, kinds of a family
in shades of one hue (violence red, law enforcement purple, diplomacy blue, measures green)."""

from .models import Event

Kind = Event.Kind

COLOURS = {
    Kind.KILLING: "#b3261e",
    Kind.OFFENSIVE: "#d9480f",
    Kind.SHOOT_DOWN: "#f08c00",
    Kind.ARREST: "#5f3dc4",
    Kind.RAID: "#7950f2",
    Kind.DETENTION: "#9775fa",
    Kind.DEATH_IN_CUSTODY: "#862e9c",
    Kind.PROSECUTION: "#be4bdb",
    Kind.STATEMENT: "#1864ab",
    Kind.MEETING: "#1c7ed6",
    Kind.CALL: "#4dabf7",
    Kind.SUMMONS: "#0b7285",
    Kind.SANCTION: "#2b8a3e",
    Kind.CANCELLATION: "#5c940d",
    Kind.BOYCOTT: "#82c91e",
    Kind.POLICY: "#087f5b",
    Kind.OTHER: "#868e96",
}


def colour(kind: str) -> str:
    return COLOURS.get(kind, COLOURS[Kind.OTHER])


def legend(kinds) -> list[dict]:
    """The kinds given, in the order of the kind list, with their labels and colours."""
    present = set(kinds)
    return [
        {"kind": value, "label": label, "colour": colour(value)}
        for value, label in Kind.choices
        if value in present
    ]
