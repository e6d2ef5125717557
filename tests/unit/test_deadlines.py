"""The promise in numbers: 14 days to a decision, 30 to the work, events due when they start."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import holidays
import pytest

from shared.deadlines import (
    COPENHAGEN,
    PUBLIC_SECTOR_CLOSED_DAYS,
    add_days,
    compute_deadlines,
    days_left,
    is_working_day,
    too_soon,
)
from shared.settings import DeadlineSettings

# A Monday morning in Copenhagen (summer time): 10:00 UTC is 12:00 local.
MONDAY = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def deadline_settings(day_count: str = "calendar", closed_days: bool = True) -> DeadlineSettings:
    """The promise spelled out, so that no BESTIL_DEADLINES_* variable changes a test."""
    return DeadlineSettings(
        day_count=day_count,
        public_sector_closed_days=closed_days,
        decision_days=14,
        execution_days=30,
        urgent_decision_lead_days=2,
        min_event_notice_hours=48,
    )


def copenhagen(*args: int) -> datetime:
    return datetime(*args, tzinfo=COPENHAGEN)


# --- calendar days ----------------------------------------------------------------------


def test_ordinary_order_is_decided_within_14_and_carried_out_within_30_calendar_days():
    due = compute_deadlines(MONDAY, deadline_settings())

    assert due.decision_due == MONDAY + timedelta(days=14)
    assert due.execution_due == MONDAY + timedelta(days=30)
    assert due.urgent is False


def test_calendar_days_run_through_weekends_and_holidays():
    christmas_eve = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)

    assert add_days(christmas_eve, 14, "calendar") == datetime(2027, 1, 7, 9, 0, tzinfo=UTC)


def test_event_starting_in_20_days_is_due_at_its_start_and_not_urgent():
    start = MONDAY + timedelta(days=20)

    due = compute_deadlines(MONDAY, deadline_settings(), event_start=start)

    assert due.execution_due == start
    assert due.decision_due == MONDAY + timedelta(days=14)
    assert due.urgent is False


def test_event_starting_in_10_days_is_urgent_and_decided_2_days_before_it_starts():
    start = MONDAY + timedelta(days=10)

    due = compute_deadlines(MONDAY, deadline_settings(), event_start=start)

    assert due.urgent is True
    assert due.decision_due == start - timedelta(days=2)
    assert due.execution_due == start


def test_event_far_ahead_is_carried_out_at_its_start_even_after_30_days():
    start = MONDAY + timedelta(days=60)

    due = compute_deadlines(MONDAY, deadline_settings(), event_start=start)

    assert due.execution_due == start
    assert due.urgent is False


@pytest.mark.parametrize(
    ("starts_in", "urgent"),
    [
        pytest.param(timedelta(days=3), True, id="3-days"),
        pytest.param(timedelta(days=13, hours=23), True, id="just-under-14-days"),
        pytest.param(timedelta(days=14), False, id="exactly-14-days"),
        pytest.param(timedelta(days=15), False, id="15-days"),
    ],
)
def test_event_is_urgent_when_it_starts_before_the_ordinary_decision_deadline(starts_in, urgent):
    due = compute_deadlines(MONDAY, deadline_settings(), event_start=MONDAY + starts_in)

    assert due.urgent is urgent


@pytest.mark.parametrize(
    "starts_in",
    [
        pytest.param(timedelta(days=3), id="3-days"),
        pytest.param(timedelta(days=10), id="10-days"),
        pytest.param(timedelta(days=20), id="20-days"),
    ],
)
def test_decision_is_never_due_before_submission_nor_after_the_event_starts(starts_in):
    start = MONDAY + starts_in

    due = compute_deadlines(MONDAY, deadline_settings(), event_start=start)

    assert MONDAY <= due.decision_due <= start


# --- working days -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param(date(2026, 6, 1), True, id="monday"),
        pytest.param(date(2026, 6, 6), False, id="saturday"),
        pytest.param(date(2026, 6, 7), False, id="sunday"),
        pytest.param(date(2026, 12, 25), False, id="christmas-day-2026"),
        pytest.param(date(2026, 12, 28), True, id="monday-after-christmas-2026"),
        pytest.param(date(2027, 1, 1), False, id="new-years-day-2027"),
        pytest.param(date(2027, 3, 25), False, id="maundy-thursday-2027"),
        pytest.param(date(2027, 3, 26), False, id="good-friday-2027"),
        pytest.param(date(2027, 3, 29), False, id="easter-monday-2027"),
        pytest.param(date(2027, 3, 30), True, id="tuesday-after-easter-2027"),
        pytest.param(date(2027, 5, 6), False, id="ascension-day-2027"),
        pytest.param(date(2027, 5, 17), False, id="whit-monday-2027"),
        pytest.param(date(2023, 5, 5), False, id="store-bededag-2023"),
        pytest.param(date(2024, 4, 26), True, id="store-bededag-abolished-2024"),
    ],
)
def test_working_days_are_weekdays_that_are_not_danish_public_holidays(day, working):
    assert is_working_day(day) is working


def test_the_holidays_the_examples_rely_on_are_danish_public_holidays():
    danish = holidays.country_holidays("DK", years=[2026, 2027])

    for day in (date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 25), date(2027, 3, 29)):
        assert day in danish


def test_one_working_day_after_friday_is_monday():
    friday = copenhagen(2026, 6, 12, 15, 30)

    assert add_days(friday, 1, "working") == copenhagen(2026, 6, 15, 15, 30)


def test_working_days_from_a_saturday_start_counting_on_monday():
    saturday = copenhagen(2026, 6, 13, 11, 0)

    assert add_days(saturday, 1, "working") == copenhagen(2026, 6, 15, 11, 0)


def test_14_working_days_over_christmas_2026_skip_the_holidays_weekends_and_closed_days():
    # Mon 21 Dec: 22, 23, [24 closed, 25 Fri, 26-27 weekend], 28, 29, 30, [31 closed,
    # 1 Jan, 2-3 weekend], 4, 5, 6, 7, 8, 11, 12, 13, 14 Jan.
    submitted = copenhagen(2026, 12, 21, 9, 0)

    assert add_days(submitted, 14, "working") == copenhagen(2027, 1, 14, 9, 0)


def test_without_closed_days_christmas_eve_and_new_years_eve_count_as_working_days():
    # Mon 21 Dec: 22, 23, 24 (Christmas Eve is no public holiday), [25 Fri, 26-27 weekend],
    # 28, 29, 30, 31, [1 Jan, 2-3 weekend], 4, 5, 6, 7, 8, 11, 12 Jan.
    submitted = copenhagen(2026, 12, 21, 9, 0)

    assert add_days(submitted, 14, "working", closed_days=False) == copenhagen(2027, 1, 12, 9, 0)


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 6, 5), id="grundlovsdag-2026-friday"),
        pytest.param(date(2026, 12, 24), id="christmas-eve-2026-thursday"),
        pytest.param(date(2026, 12, 31), id="new-years-eve-2026-thursday"),
        pytest.param(date(2029, 6, 5), id="grundlovsdag-2029-tuesday"),
    ],
)
def test_the_public_sectors_closed_days_are_no_working_days_unless_switched_off(day):
    assert day.weekday() < 5 and day not in holidays.country_holidays("DK", years=day.year)
    assert is_working_day(day) is False
    assert is_working_day(day, closed_days=False) is True


def test_only_grundlovsdag_christmas_eve_and_new_years_eve_are_closed_days():
    # 1 May is among the `holidays` package's optional Danish days, but no closed day by law.
    assert {(6, 5), (12, 24), (12, 31)} == PUBLIC_SECTOR_CLOSED_DAYS
    assert is_working_day(date(2026, 5, 1)) is True


def test_the_closed_days_setting_is_on_by_default_and_moves_the_deadlines():
    # Monday 1 June 2026: 14 working days skip Grundlovsdag (Friday 5 June) when it is closed.
    submitted = copenhagen(2026, 6, 1, 12, 0)

    assert DeadlineSettings.model_fields["public_sector_closed_days"].default is True
    on = compute_deadlines(submitted, deadline_settings("working"))
    off = compute_deadlines(submitted, deadline_settings("working", closed_days=False))

    assert on.decision_due == copenhagen(2026, 6, 22, 12, 0)
    assert off.decision_due == copenhagen(2026, 6, 19, 12, 0)


def test_closed_days_do_not_change_calendar_days():
    submitted = copenhagen(2026, 12, 21, 9, 0)

    due = compute_deadlines(submitted, deadline_settings("calendar"))

    assert due.decision_due == copenhagen(2027, 1, 4, 9, 0)


def test_14_working_days_over_easter_2027_skip_the_holidays_and_keep_danish_wall_time():
    # Mon 22 Mar: 23, 24, [25-26 Maundy Thursday/Good Friday, 27-28 weekend, 29 Easter
    # Monday], 30, 31 Mar, 1, 2, 5, 6, 7, 8, 9, 12, 13, 14 Apr. Summer time starts on
    # 28 March, so 10:00 in Copenhagen is 09:00 UTC before and 08:00 UTC after.
    submitted = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)

    due = add_days(submitted, 14, "working")

    assert due == datetime(2027, 4, 14, 8, 0, tzinfo=UTC)
    assert due.astimezone(COPENHAGEN).hour == 10


def test_working_day_deadlines_are_given_in_the_callers_time_zone():
    due = add_days(MONDAY, 1, "working")

    assert due.tzinfo == UTC
    assert due == MONDAY + timedelta(days=1)


def test_working_day_setting_moves_both_deadlines():
    submitted = copenhagen(2026, 12, 21, 9, 0)

    due = compute_deadlines(submitted, deadline_settings("working"))

    assert due.decision_due == copenhagen(2027, 1, 14, 9, 0)
    # 30 working days: the 14 above (24 and 31 Dec closed), then 15 Jan … 5 Feb.
    assert due.execution_due == copenhagen(2027, 2, 5, 9, 0)
    assert due.urgent is False


def test_working_day_setting_keeps_an_urgent_events_decision_2_days_before_it_starts():
    submitted = copenhagen(2026, 12, 21, 9, 0)
    start = copenhagen(2027, 1, 5, 18, 0)  # before the working-day decision deadline (14 Jan)

    due = compute_deadlines(submitted, deadline_settings("working"), event_start=start)

    assert due.urgent is True
    assert due.decision_due == start - timedelta(days=2)
    assert due.execution_due == start


# --- events too close to screen ----------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_in", "expected"),
    [
        pytest.param(timedelta(hours=-1), True, id="already-started"),
        pytest.param(timedelta(hours=1), True, id="in-an-hour"),
        pytest.param(timedelta(hours=47, minutes=59), True, id="just-under-48h"),
        pytest.param(timedelta(hours=48), False, id="exactly-48h"),
        pytest.param(timedelta(days=5), False, id="in-five-days"),
    ],
)
def test_event_within_48_hours_is_too_soon_to_screen(starts_in, expected):
    assert too_soon(MONDAY, MONDAY + starts_in, deadline_settings()) is expected


# --- days left --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "day_count", "expected"),
    [
        pytest.param(copenhagen(2027, 1, 4, 9, 0), "calendar", 14, id="calendar-ahead"),
        pytest.param(copenhagen(2027, 1, 4, 9, 0), "working", 6, id="working-ahead"),
        pytest.param(copenhagen(2026, 12, 21, 18, 0), "calendar", 0, id="calendar-later-today"),
        pytest.param(copenhagen(2026, 12, 21, 18, 0), "working", 0, id="working-later-today"),
        pytest.param(copenhagen(2026, 12, 18, 12, 0), "calendar", -3, id="calendar-passed"),
        pytest.param(copenhagen(2026, 12, 18, 12, 0), "working", -1, id="working-passed"),
        pytest.param(copenhagen(2026, 12, 7, 12, 0), "calendar", -14, id="calendar-long-passed"),
        pytest.param(copenhagen(2026, 12, 7, 12, 0), "working", -10, id="working-long-passed"),
    ],
)
def test_days_left_until_a_deadline(due, day_count, expected):
    # Monday 21 Dec 2026; 24 and 31 Dec are closed days, 25 Dec and 1 Jan holidays.
    now = copenhagen(2026, 12, 21, 10, 0)

    assert days_left(now, due, day_count) == expected


def test_days_left_defaults_to_calendar_days():
    now = copenhagen(2026, 12, 21, 10, 0)

    assert days_left(now, copenhagen(2027, 1, 4, 9, 0)) == 14


def test_days_left_counts_danish_dates_not_utc_dates():
    # 23:30 UTC on 21 Dec is already 22 Dec in Copenhagen.
    now = datetime(2026, 12, 21, 23, 30, tzinfo=UTC)
    due = datetime(2026, 12, 23, 0, 30, tzinfo=UTC)  # 23 Dec, 01:30 in Copenhagen

    assert days_left(now, due) == 1


def test_days_left_can_count_the_closed_days_as_working_days():
    now = copenhagen(2026, 12, 21, 10, 0)

    assert days_left(now, copenhagen(2027, 1, 4, 9, 0), "working", closed_days=False) == 8
