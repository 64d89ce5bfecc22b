"""Where a source is cited: each narrative text (a lead, an infobox note, a section, an event)
that names its key and that the user may see."""

from crisis_tracker.narrative import cites, citing, crisis_of, narrative_models


def citing_places(key: str, user) -> list[dict]:
    """One query per model with narrative text; the text match is confirmed by parsing."""
    places = []
    for model in narrative_models():
        for obj in citing(model, key).visible_to(user).select_related():
            if cites(obj, key):
                places.append({"crisis": crisis_of(obj), "label": obj.citing_label(),
                               "url": obj.get_absolute_url()})  # fmt: skip
    return places
