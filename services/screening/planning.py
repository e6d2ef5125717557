"""The week plan's rules: ISO weeks on Danish time, visits booked against a weekly capacity.

Pure: no database, no web. A district's coordinator sets how many visits of each category the
district can carry out in a week, as a default and, where a week differs (holidays, a big
event), for that one week. A week is overbooked when a category has more visits planned than
its capacity; a category without a capacity is never overbooked (nobody has said).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from shared.danish_time import COPENHAGEN, local
from shared.vocabulary import Category, Role

#: The capacity key of the default week (every week without one of its own).
DEFAULT_WEEK = ""
#: How many weeks the plan shows unless asked, and at most.
DEFAULT_WEEKS, MAX_WEEKS = 6, 12
#: A week's capacity of one category is a whole number of visits up to this.
MAX_CAPACITY = 1000

_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week (Monday to Sunday) as Danes count them: "uge 49"."""

    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Week:
        year, number, _ = day.isocalendar()
        return cls(year, number)

    @classmethod
    def at(cls, moment: datetime) -> Week:
        """The week a moment falls in on Copenhagen's wall clock."""
        return cls.of(local(moment).date())

    @classmethod
    def parse(cls, text: str | None) -> Week | None:
        """ "2026-W49" as a week; None for anything else (including week 53 of a 52-week year)."""
        found = _WEEK_KEY.match((text or "").strip())
        if not found:
            return None
        year, number = int(found.group(1)), int(found.group(2))
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            return None
        return cls.of(monday)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    @property
    def starts(self) -> datetime:
        """Monday 00:00 Danish time (aware), where the week's visits begin."""
        return datetime.combine(self.monday, time(0), COPENHAGEN)

    @property
    def ends(self) -> datetime:
        """The next Monday 00:00 Danish time: the week is [starts, ends)."""
        return self.shifted(1).starts

    def shifted(self, weeks: int) -> Week:
        return Week.of(self.monday + timedelta(weeks=weeks))


def weeks_from(first: Week, count: int) -> list[Week]:
    return [first.shifted(i) for i in range(count)]


def shown_weeks(text: str | int | None) -> int:
    """How many weeks to show: the asked number within 1..MAX_WEEKS, else the default."""
    try:
        count = int(text) if text not in (None, "") else DEFAULT_WEEKS
    except (TypeError, ValueError):
        return DEFAULT_WEEKS
    return min(max(count, 1), MAX_WEEKS)


def capacity_in_force(
    capacities: dict[tuple[str, str], int], category: str, week: Week
) -> tuple[int | None, bool]:
    """The week's capacity for a category and whether it is the week's own (not the default)."""
    if (category, week.key) in capacities:
        return capacities[(category, week.key)], True
    return capacities.get((category, DEFAULT_WEEK)), False


@dataclass(frozen=True)
class CategoryLoad:
    """One category in one week: visits planned against the capacity (None: not set)."""

    category: str
    booked: int
    capacity: int | None
    own: bool = False  # the week's own capacity rather than the default

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else self.capacity - self.booked

    @property
    def over(self) -> bool:
        return self.capacity is not None and self.booked > self.capacity


@dataclass(frozen=True)
class WeekLoad:
    week: Week
    categories: list[CategoryLoad]

    @property
    def overbooked(self) -> list[CategoryLoad]:
        """The categories with more visits planned than the week can carry."""
        return [load for load in self.categories if load.over]

    @property
    def booked(self) -> int:
        return sum(load.booked for load in self.categories)


def week_loads(
    weeks: Iterable[Week],
    booked: Counter[tuple[str, str]],
    capacities: dict[tuple[str, str], int],
    categories: Iterable[str] = (),
) -> list[WeekLoad]:
    """Per week and category (all unless given): `booked` counts visits by (week key, category)."""
    kinds = list(categories) or [c.value for c in Category]
    loads = []
    for week in weeks:
        rows = []
        for category in kinds:
            capacity, own = capacity_in_force(capacities, category, week)
            rows.append(CategoryLoad(category, booked[(week.key, category)], capacity, own))
        loads.append(WeekLoad(week, rows))
    return loads


def bookings(visits: Iterable[tuple[datetime, str]]) -> Counter[tuple[str, str]]:
    """Visits (planned start, category) counted by (Danish ISO week, category)."""
    return Counter((Week.at(start).key, category) for start, category in visits)


def capacity_value(text: str | None) -> int | None:
    """A capacity field: empty is "not set" (None); otherwise 0..MAX_CAPACITY visits."""
    value = (text or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError("Skriv et helt antal besøg (0 eller mere), eller lad feltet stå tomt.")
    number = int(value)
    if number > MAX_CAPACITY:
        raise ValueError(f"Højst {MAX_CAPACITY} besøg om ugen.")
    return number


def may_see_plan(role: Role, officer_district: str | None, district: str | None) -> bool:
    """Everyone of a district sees its plan; a national admin every district's."""
    if district is None:
        return False
    return role == Role.NATIONAL_ADMIN or district == officer_district


def may_set_capacity(role: Role, officer_district: str | None, district: str | None) -> bool:
    """A coordinator sets their own district's capacity; a national admin any district's."""
    if district is None:
        return False
    if role == Role.NATIONAL_ADMIN:
        return True
    return role == Role.COORDINATOR and district == officer_district
