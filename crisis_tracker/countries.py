"""Countries by their ISO 3166-1 alpha-2 code (pycountry's list), with names in both languages,
and the UN M49 sub-region each belongs to."""

from __future__ import annotations

import gettext
from functools import cache, lru_cache

import pycountry
from babel import Locale
from countryinfo import CountryInfo
from countryinfo.exceptions import CountryNotFoundError
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def validate_country_code(code: str) -> None:
    if code and (not code.isascii() or not code.isupper() or not lookup(code)):
        raise ValidationError(
            _("%(code)s is not an ISO 3166-1 country code (two capital letters, e.g. AZ)."),
            code="unknown_country",
            params={"code": code},
        )


def lookup(code: str):
    return pycountry.countries.get(alpha_2=code) if len(code) == 2 else None


@lru_cache(maxsize=4)
def _translation(language: str):
    locale = "zh_CN" if language.startswith("zh") else language
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def country_name(code: str, language: str) -> str:
    """The country's common name in the interface language, or the code if it is unknown."""
    country = lookup(code) if code else None
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _translation(language).gettext(name)


@cache
def _regions_by_english_name() -> dict[str, str]:
    """UN M49 region codes by their English names (CLDR's, as Babel ships them)."""
    return {name: code for code, name in Locale("en").territories.items() if code.isdigit()}


@lru_cache(maxsize=512)
def m49_region(code: str) -> str:
    """The UN M49 sub-region of a country ("145", Western Asia, for AZ), from countryinfo's
    data; empty when it has none."""
    try:
        name = CountryInfo(code).subregion()
    except (ValueError, KeyError, CountryNotFoundError):
        return ""
    return _regions_by_english_name().get(name or "", "")


def region_name(code: str, language: str) -> str:
    """An M49 region's name in the interface language (西亚 / Western Asia)."""
    locale = Locale.parse("zh_Hans" if language.startswith("zh") else "en")
    return locale.territories.get(code, code)
