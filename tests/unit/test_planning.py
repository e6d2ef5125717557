"""The week plan's rules: ISO weeks on Danish time, capacity in force, overbooked weeks."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import pytest

from services.screening import planning
from services.screening.planning import DEFAULT_WEEK, Week
from shared.vocabulary import Role


@pytest.mark.parametrize(
    ("day", "key"),
    [
        (date(2026, 12, 1), "2026-W49"),
        (date(2026, 12, 28), "2026-W53"),  # 2026 has 53 ISO weeks
        (date(2027, 1, 3), "2026-W53"),  # a Sunday in January still in the old year's week
        (date(2027, 1, 4), "2027-W01"),
        (date(2024, 12, 30), "2025-W01"),  # a Monday in December already in the new year's
    ],
    ids=["december", "week-53", "january-sunday", "first-monday", "december-monday"],
)
def test_a_day_falls_in_its_iso_week(day: date, key: str) -> None:
    assert Week.of(day).key == key


def test_a_moment_is_placed_in_the_week_of_danish_time() -> None:
    # Sunday 23:30 UTC in winter is Monday 00:30 in Copenhagen: the next week.
    assert Week.at(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)).key == "2026-W50"
    assert Week.at(datetime(2026, 12, 6, 22, 59, tzinfo=UTC)).key == "2026-W49"


def test_a_week_runs_from_monday_midnight_danish_time() -> None:
    week = Week.parse("2026-W49")
    assert week is not None
    assert week.monday == date(2026, 11, 30)
    assert week.starts.astimezone(UTC) == datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    assert week.ends == Week(2026, 50).starts
    assert [d.isoformat() for d in week.days][::6] == ["2026-11-30", "2026-12-06"]


def test_a_summer_week_starts_at_two_hours_before_utc_midnight() -> None:
    week = Week(2026, 27)
    assert week.starts.astimezone(UTC) == datetime(2026, 6, 28, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["", "2026-49", "2026-W54", "2025-W53", "W49", "2026-W0"], ids=repr
)
def test_anything_but_an_existing_iso_week_is_no_week(text: str) -> None:
    assert Week.parse(text) is None


def test_weeks_shift_across_the_new_year() -> None:
    assert [w.key for w in planning.weeks_from(Week(2026, 52), 3)] == [
        "2026-W52",
        "2026-W53",
        "2027-W01",
    ]
    assert Week(2027, 1).shifted(-2).key == "2026-W52"


@pytest.mark.parametrize(
    ("asked", "shown"),
    [(None, 6), ("", 6), ("3", 3), ("0", 1), ("99", 12), ("x", 6)],
    ids=["none", "empty", "three", "zero", "too-many", "garbage"],
)
def test_the_number_of_weeks_shown_is_kept_within_bounds(asked: str | None, shown: int) -> None:
    assert planning.shown_weeks(asked) == shown


def test_a_weeks_own_capacity_overrides_the_default_and_missing_is_not_set() -> None:
    capacities = {("traffic_control", DEFAULT_WEEK): 4, ("traffic_control", "2026-W52"): 1}
    assert planning.capacity_in_force(capacities, "traffic_control", Week(2026, 51)) == (4, False)
    assert planning.capacity_in_force(capacities, "traffic_control", Week(2026, 52)) == (1, True)
    assert planning.capacity_in_force(capacities, "talk", Week(2026, 51)) == (None, False)


def test_a_week_is_overbooked_when_a_category_has_more_visits_than_capacity() -> None:
    visits = [
        (datetime(2026, 12, 1, 9, tzinfo=UTC), "traffic_control"),
        (datetime(2026, 12, 2, 9, tzinfo=UTC), "traffic_control"),
        (datetime(2026, 12, 3, 9, tzinfo=UTC), "traffic_control"),
        (datetime(2026, 12, 3, 9, tzinfo=UTC), "talk"),
        (datetime(2026, 12, 8, 9, tzinfo=UTC), "traffic_control"),
    ]
    booked = planning.bookings(visits)
    assert booked == Counter(
        {
            ("2026-W49", "traffic_control"): 3,
            ("2026-W49", "talk"): 1,
            ("2026-W50", "traffic_control"): 1,
        }
    )
    capacities = {("traffic_control", DEFAULT_WEEK): 2, ("talk", DEFAULT_WEEK): 1}
    first, second = planning.week_loads([Week(2026, 49), Week(2026, 50)], booked, capacities)
    assert [(c.category, c.booked, c.capacity, c.free) for c in first.overbooked] == [
        ("traffic_control", 3, 2, -1)
    ]
    assert first.booked == 4
    assert second.overbooked == []
    talk = next(c for c in first.categories if c.category == "talk")
    assert (talk.over, talk.free) == (False, 0)  # full is not over


def test_a_category_without_capacity_is_never_overbooked() -> None:
    booked = Counter({("2026-W49", "event_presence"): 9})
    [load] = planning.week_loads([Week(2026, 49)], booked, {})
    assert load.overbooked == []
    assert {c.category: c.capacity for c in load.categories} == {
        "traffic_control": None,
        "talk": None,
        "event_presence": None,
    }


def test_zero_capacity_makes_any_visit_too_many() -> None:
    booked = Counter({("2026-W52", "talk"): 1})
    [load] = planning.week_loads([Week(2026, 52)], booked, {("talk", "2026-W52"): 0}, ["talk"])
    assert [c.category for c in load.overbooked] == ["talk"]


@pytest.mark.parametrize(
    ("text", "value"), [("", None), (" 4 ", 4), ("0", 0), ("1000", 1000)], ids=repr
)
def test_a_capacity_field_is_a_whole_number_or_empty(text: str, value: int | None) -> None:
    assert planning.capacity_value(text) == value


@pytest.mark.parametrize("text", ["-1", "2,5", "fire", "1001"], ids=repr)
def test_a_capacity_field_refuses_anything_else_in_danish(text: str) -> None:
    with pytest.raises(ValueError, match="besøg"):
        planning.capacity_value(text)


@pytest.mark.parametrize(
    ("role", "own", "district", "see", "change"),
    [
        (Role.OFFICER, "1461", "1461", True, False),
        (Role.OFFICER, "1461", "1470", False, False),
        (Role.COORDINATOR, "1461", "1461", True, True),
        (Role.COORDINATOR, "1461", "1470", False, False),
        (Role.NATIONAL_ADMIN, None, "1470", True, True),
        (Role.NATIONAL_ADMIN, None, None, False, False),
    ],
    ids=[
        "officer-own",
        "officer-other",
        "coordinator-own",
        "coordinator-other",
        "admin",
        "admin-no-district",
    ],
)
def test_who_sees_a_plan_and_who_sets_its_capacity(
    role: Role, own: str | None, district: str | None, see: bool, change: bool
) -> None:
    assert planning.may_see_plan(role, own, district) is see
    assert planning.may_set_capacity(role, own, district) is change
