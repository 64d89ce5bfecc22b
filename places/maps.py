"""Static maps drawn on the server as SVG: country outlines from Natural Earth (the same file
the interactive map draws) with a circle per point. They need no script and no network."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

OUTLINES = "map/countries-50m.geojson"
MIN_SPAN = 6.0  # degrees: a map of one town still shows its region
MARGIN = 0.25  # of the span, around the points
STEP = 3  # pixels between kept points of an outline: finer detail is invisible at this size


@dataclass(frozen=True)
class Marker:
    latitude: float
    longitude: float
    colour: str
    label: str
    count: int = 1


Ring = tuple[tuple[float, float], ...]


@lru_cache(maxsize=1)
def outlines() -> tuple[tuple[tuple[float, float, float, float], tuple[Ring, ...]], ...]:
    """Each country as (its bounding box, its rings of (lon, lat))."""
    path = settings.BASE_DIR / "static" / OUTLINES
    countries = []
    for country in json.loads(path.read_text())["features"]:
        shape = country["geometry"]
        polygons = (
            shape["coordinates"] if shape["type"] == "MultiPolygon" else [shape["coordinates"]]
        )
        rings = tuple(tuple(map(tuple, ring)) for polygon in polygons for ring in polygon)
        points = [point for ring in rings for point in ring]
        box = (
            min(x for x, _ in points), min(y for _, y in points),
            max(x for x, _ in points), max(y for _, y in points),
        )  # fmt: skip
        countries.append((box, rings))
    return tuple(countries)


@dataclass(frozen=True)
class View:
    """An equirectangular view of a box, scaled by the cosine of its middle latitude."""

    west: float
    south: float
    east: float
    north: float
    width: int

    @classmethod
    def around(cls, markers: list[Marker], width: int) -> View:
        lats = [m.latitude for m in markers] or [0.0]
        lons = [m.longitude for m in markers] or [0.0]
        span = max(max(lats) - min(lats), max(lons) - min(lons), MIN_SPAN)
        pad = span * MARGIN
        middle_lat, middle_lon = (max(lats) + min(lats)) / 2, (max(lons) + min(lons)) / 2
        half = span / 2 + pad
        return cls(
            middle_lon - half, middle_lat - half, middle_lon + half, middle_lat + half, width
        )

    @cached_property  # read for every point of every outline
    def scale(self) -> float:
        return self.width / ((self.east - self.west) * self.stretch)

    @cached_property
    def stretch(self) -> float:
        return math.cos(math.radians((self.north + self.south) / 2))

    @property
    def height(self) -> int:
        return round((self.north - self.south) * self.scale)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.stretch * self.scale, (self.north - lat) * self.scale

    def shows(self, box) -> bool:
        west, south, east, north = box
        return (
            west <= self.east and east >= self.west and south <= self.north and north >= self.south
        )


@lru_cache(maxsize=64)  # the same outlines for the same view: a page's map, again
def country_paths(view: View) -> str:
    paths = []
    for box, rings in outlines():
        if not view.shows(box):
            continue
        parts = []
        for ring in rings:
            points = visible(view, ring)
            if len(points) > 2:
                parts.append("M" + "L".join(f"{x} {y}" for x, y in points) + "Z")
        if parts:
            paths.append(f'<path d="{"".join(parts)}"/>')
    return "".join(paths)


def visible(view: View, ring: Ring) -> list[tuple[int, int]]:
    """A ring in whole pixels, each point within STEP pixels of the previous one dropped, and
    points far outside the view clamped to its edge (the shape stays closed, the path short)."""
    kept: list[tuple[int, int]] = []
    low_x, low_y, high_x, high_y = -20, -20, view.width + 20, view.height + 20
    for lon, lat in ring:
        x, y = view.xy(lon, lat)
        point = (round(min(max(x, low_x), high_x)), round(min(max(y, low_y), high_y)))
        if not kept or abs(kept[-1][0] - point[0]) + abs(kept[-1][1] - point[1]) >= STEP:
            kept.append(point)
    return kept


def radius(count: int) -> float:
    return 4 + 3 * math.sqrt(count - 1) if count > 1 else 4.0


def static_map(markers: list[Marker], title: str, width: int = 320) -> SafeString:
    """An SVG map of ``markers``, titled for screen readers; its list of events is the text
    alternative the page gives next to it."""
    view = View.around(markers, width)
    circles = "".join(
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}"><title>{}</title></circle>',
            f"{x:.1f}",
            f"{y:.1f}",
            f"{radius(marker.count):.1f}",
            marker.colour,
            marker.label,
        )  # fmt: skip
        for marker in markers
        for x, y in [view.xy(marker.longitude, marker.latitude)]
    )
    return mark_safe(
        f'<svg class="static-map" viewBox="0 0 {view.width} {view.height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f'<rect class="sea" width="{view.width}" height="{view.height}"/>'
        f'<g class="countries">{country_paths(view)}</g>'
        f'<g class="markers">{circles}</g></svg>'
    )
