"""The field's exchange formats as DRF renderers, chosen with ``?format=``: GeoJSON (RFC 7946)
for events, CSL-JSON for sources. Each renders the objects of the page it is given and keeps the
cursor links as a foreign member, so a client pages through them as through the JSON."""

from __future__ import annotations

import io
import json

from rest_framework.renderers import BaseRenderer

from crisis_tracker.spreadsheets import write_csv

from .acled import COLUMNS as ACLED_COLUMNS


def is_error(renderer_context) -> bool:
    """Errors and answers that are not objects (OPTIONS metadata) stay JSON in every format."""
    context = renderer_context or {}
    response, request = context.get("response"), context.get("request")
    if response is not None and response.status_code >= 400:
        return True
    return request is not None and request.method not in ("GET", "HEAD")


def page_parts(data) -> tuple[list, dict]:
    if isinstance(data, dict) and "results" in data:
        links = {name: data.get(name) for name in ("next", "previous")}
        return data["results"], links
    return (data if isinstance(data, list) else [data]), {}


def dumps(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


class FormatRenderer(BaseRenderer):
    """A format of a page of objects; errors and OPTIONS answers stay JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if is_error(renderer_context):
            return dumps(data)
        rows, links = page_parts(data)
        return self.document(rows, links)

    def document(self, rows: list[dict], links: dict) -> bytes:
        raise NotImplementedError


class GeoJSONRenderer(FormatRenderer):
    """Events with a point as a FeatureCollection: [longitude, latitude], as RFC 7946 orders."""

    media_type = "application/geo+json"
    format = "geojson"

    def document(self, rows: list[dict], links: dict) -> bytes:
        features = [feature(row) for row in rows if row.get("longitude") is not None]
        return dumps({"type": "FeatureCollection", "features": features, "links": links})


def feature(event: dict) -> dict:
    properties = {k: v for k, v in event.items() if k not in ("latitude", "longitude")}
    return {
        "type": "Feature",
        "id": f"{event['crisis']}/{event['slug']}",
        "geometry": {"type": "Point", "coordinates": [event["longitude"], event["latitude"]]},
        "properties": properties,
    }


class CSLJSONRenderer(FormatRenderer):
    """Sources as CSL-JSON items, which Zotero and every citation processor import as they are."""

    media_type = "application/vnd.citationstyles.csl+json"
    format = "csl-json"

    def document(self, rows: list[dict], links: dict) -> bytes:
        return json.dumps([csl_item(row) for row in rows], ensure_ascii=False).encode()


def csl_date(iso: str | None) -> dict | None:
    if not iso:
        return None
    return {"date-parts": [[int(part) for part in iso.split("-")]]}


def csl_names(authors: str) -> list[dict]:
    """ "Doe, Jane; Roe, Richard" (the source's own list) as CSL names."""
    names = []
    for author in (part.strip() for part in authors.split(";")):
        if not author:
            continue
        family, _comma, given = author.partition(",")
        names.append({"family": family.strip(), "given": given.strip()} if given else
                     {"literal": family.strip()})  # fmt: skip
    return names


def csl_item(source: dict) -> dict:
    item = {
        "id": source["key"],
        "type": "article-newspaper" if source.get("work") else "webpage",
        "title": source["title"],
        "container-title": source.get("work") or None,
        "author": csl_names(source.get("authors") or ""),
        "issued": csl_date(source.get("published")),
        "accessed": csl_date(source.get("accessed")),
        "URL": source.get("source_url") or None,
        "ISSN": source.get("issn") or None,
        "language": source.get("language") or None,
        "note": source.get("reliability_note") or None,
        "archive_location": source.get("archived_copy") or None,
    }
    return {name: value for name, value in item.items() if value not in (None, [])}


class ACLEDRenderer(FormatRenderer):
    """Events as an ACLED-compatible CSV: ACLED's header, one row per event, formula-looking
    cells escaped. The next page's address is in the Link header."""

    media_type = "text/csv"
    format = "acled"
    charset = "utf-8"

    def document(self, rows: list[dict], links: dict) -> bytes:
        out = io.StringIO()
        write_csv(out, [ACLED_COLUMNS, *([row[name] for name in ACLED_COLUMNS] for row in rows)])
        return out.getvalue().encode("utf-8")
