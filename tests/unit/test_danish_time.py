"""Dates and deadlines read the same on every page and in every email."""

from datetime import UTC, date, datetime

from shared.danish_time import (
    datetime_local_value,
    days_text,
    format_date,
    format_datetime,
    format_month,
    format_period,
)

WINTER = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)  # 14.00 in Copenhagen
SUMMER = datetime(2026, 6, 12, 7, 0, tzinfo=UTC)  # 09.00 in Copenhagen


def test_dates_are_read_on_copenhagens_clock() -> None:
    assert format_datetime(WINTER) == "9. december 2026 kl. 14.00"
    assert format_datetime(WINTER, "en") == "9 December 2026 at 14:00"
    assert format_datetime(SUMMER, short=True) == "12. jun. 2026 kl. 09.00"
    assert format_date(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == "1. januar 2027"


def test_a_date_or_its_iso_text_is_shown_as_written() -> None:
    assert format_date(date(2026, 5, 1)) == "1. maj 2026"
    assert format_date("2026-05-01", "en") == "1 May 2026"
    assert format_datetime("2026-12-09T13:00:00+00:00") == "9. december 2026 kl. 14.00"


def test_a_period_on_one_day_names_the_day_once() -> None:
    end = WINTER.replace(hour=15)
    assert format_period(WINTER, end) == "9. december 2026 kl. 14.00–16.00"
    assert format_period(WINTER, end, "en") == "9 December 2026, 14:00–16:00"
    assert format_period(WINTER, None) == "9. december 2026 kl. 14.00"
    assert format_period(WINTER, SUMMER.replace(year=2027)).count("kl.") == 2


def test_months_and_form_values() -> None:
    assert format_month("2026-06") == "juni 2026"
    assert format_month("not-a-month") == "not-a-month"
    assert datetime_local_value(SUMMER) == "2026-06-12T09:00"
    assert datetime_local_value(None) == ""


def test_deadlines_relative_to_today() -> None:
    assert [days_text(d) for d in (3, 1, 0, -1, -4)] == [
        "om 3 dage",
        "i morgen",
        "i dag",
        "overskredet med 1 dag",
        "overskredet med 4 dage",
    ]
    assert days_text(None) == "–"
    assert days_text(3, "en") == "in 3 days"
    assert days_text(-1, "en") == "1 day overdue"
