import datetime

import pytest

from crisis_tracker.dates import format_date


@pytest.mark.parametrize(
    ("value", "precision", "chinese", "english"),
    [
        (datetime.date(2001, 1, 1), "year", "2001年", "2001"),
        (datetime.date(2024, 12, 1), "month", "2024年12月", "December 2024"),
        (datetime.date(2025, 6, 27), "day", "2025年6月27日", "27 June 2025"),
    ],
)
def test_a_date_reads_at_its_own_precision_in_both_languages(value, precision, chinese, english):
    assert format_date(value, precision, "zh-hans") == chinese
    assert format_date(value, precision, "en") == english


def test_a_missing_date_reads_as_nothing():
    assert format_date(None, "day", "en") == ""
