"""Dates known to a year, a month or a day, and how they read in each interface language."""

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ENGLISH_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class Precision(models.TextChoices):
    YEAR = "year", _("year")
    MONTH = "month", _("month")
    DAY = "day", _("day")


def format_date(value: datetime.date | None, precision: str, language: str | None = None) -> str:
    """Format a date at its precision: 2001年 / 2024年12月 / 2025年6月27日 in Chinese,
    2001 / December 2024 / 27 June 2025 in English."""
    if value is None:
        return ""
    language = language or get_language() or "zh-hans"
    if language.startswith("zh"):
        if precision == Precision.YEAR:
            return f"{value.year}年"
        if precision == Precision.MONTH:
            return f"{value.year}年{value.month}月"
        return f"{value.year}年{value.month}月{value.day}日"
    if precision == Precision.YEAR:
        return str(value.year)
    month = ENGLISH_MONTHS[value.month - 1]
    if precision == Precision.MONTH:
        return f"{month} {value.year}"
    return f"{value.day} {month} {value.year}"


def truncate(value: datetime.date | str, precision: str) -> datetime.date:
    """The first day of the period a date stands for, so equal periods compare equal."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value)
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return value.replace(day=1)
    return value
