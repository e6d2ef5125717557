"""Danish time as people read it, for pages and emails alike.

Everything is stored in UTC; what a citizen or an officer reads is Copenhagen's wall clock, so
every date, time and "om 3 dage" shown anywhere goes through this one module.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.clock import as_utc
from shared.vocabulary import Language

COPENHAGEN = ZoneInfo("Europe/Copenhagen")

MONTHS: dict[Language, tuple[str, ...]] = {
    Language.DA: tuple(
        "januar februar marts april maj juni juli august september oktober november december".split()
    ),
    Language.EN: tuple(
        "January February March April May June July August September October November December".split()
    ),
}
# The workspace's tables are dense: officers read "12. jun. 2026".
SHORT_MONTHS_DA = tuple("jan. feb. mar. apr. maj jun. jul. aug. sep. okt. nov. dec.".split())


def local(moment: datetime | str) -> datetime:
    """A stored moment (or its ISO text) on Copenhagen's wall clock."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return as_utc(moment).astimezone(COPENHAGEN)


def _day(moment: datetime | date | str) -> date:
    if isinstance(moment, str) and len(moment) == 10:
        return date.fromisoformat(moment)
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return moment
    return local(moment).date()


def _month(day: date, language: Language, short: bool) -> str:
    if short and language == Language.DA:
        return SHORT_MONTHS_DA[day.month - 1]
    return MONTHS[language][day.month - 1]


def format_date(
    moment: datetime | date | str, language: Language | str = Language.DA, *, short: bool = False
) -> str:
    """ "9. december 2026" / "9 December 2026"; `short`: "9. dec. 2026"."""
    language = Language(language)
    day = _day(moment)
    month = _month(day, language, short)
    if language == Language.DA:
        return f"{day.day}. {month} {day.year}"
    return f"{day.day} {month} {day.year}"


def clock(moment: datetime, language: Language | str = Language.DA) -> str:
    """ "14.00" in Danish, "14:00" in English (Copenhagen's wall clock)."""
    at = local(moment)
    separator = "." if Language(language) == Language.DA else ":"
    return f"{at.hour:02d}{separator}{at.minute:02d}"


def format_datetime(
    moment: datetime | str, language: Language | str = Language.DA, *, short: bool = False
) -> str:
    """ "9. december 2026 kl. 14.00" / "9 December 2026 at 14:00"."""
    at = local(moment)
    joiner = " kl. " if Language(language) == Language.DA else " at "
    return format_date(at, language, short=short) + joiner + clock(at, language)


def format_period(
    start: datetime | str, end: datetime | str | None, language: Language | str = Language.DA
) -> str:
    """A planned time; one day reads "9. december 2026 kl. 14.00–16.00"."""
    if not end:
        return format_datetime(start, language)
    first, last = local(start), local(end)
    if first.date() == last.date():
        joiner = " kl. " if Language(language) == Language.DA else ", "
        hours = f"{clock(first, language)}–{clock(last, language)}"
        return format_date(first, language) + joiner + hours
    return f"{format_datetime(first, language)} – {format_datetime(last, language)}"


def format_month(key: str, language: Language | str = Language.DA) -> str:
    """ "2026-06" → "juni 2026"; anything else is shown as it is."""
    try:
        year, month = key.split("-")
        return f"{MONTHS[Language(language)][int(month) - 1]} {year}"
    except (ValueError, IndexError):
        return key


def datetime_local_value(moment: datetime | None) -> str:
    """The value of an <input type="datetime-local"> in Danish time."""
    return f"{local(moment):%Y-%m-%dT%H:%M}" if moment else ""


def days_text(days: int | None, language: Language | str = Language.DA) -> str:
    """A deadline relative to today: "om 3 dage", "i morgen", "overskredet med 2 dage"."""
    if days is None:
        return "–"
    if Language(language) == Language.EN:
        if days < 0:
            return f"{-days} day{'s' if days < -1 else ''} overdue"
        return {0: "today", 1: "tomorrow"}.get(days, f"in {days} days")
    if days < -1:
        return f"overskredet med {-days} dage"
    if days == -1:
        return "overskredet med 1 dag"
    return {0: "i dag", 1: "i morgen"}.get(days, f"om {days} dage")
