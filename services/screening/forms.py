"""Reading officers' form fields: Danish local times and counts, with Danish error messages."""

from __future__ import annotations

from datetime import datetime

from shared.danish_time import COPENHAGEN


class FieldProblem(ValueError):
    """A field the officer must correct; the message is shown next to it."""


def local_datetime(text: str | None, *, required: bool = True) -> datetime | None:
    """An <input type="datetime-local"> value, read as Danish time, as an aware datetime.

    Times that do not exist (the hour skipped in spring) or exist twice (autumn) resolve as
    zoneinfo does: the offset before the change.
    """
    value = (text or "").strip()
    if not value:
        if required:
            raise FieldProblem("Angiv dato og klokkeslæt.")
        return None
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M"):
        try:
            naive = datetime.strptime(value, pattern)
        except ValueError:
            continue
        return naive.replace(tzinfo=COPENHAGEN)
    raise FieldProblem("Skriv dato og klokkeslæt som 2026-06-10 09:00.")


def count(text: str | None) -> int | None:
    """A whole number of at least 0, or None when left empty."""
    value = (text or "").strip().replace(".", "").replace(" ", "")
    if not value:
        return None
    if not value.isdigit():
        raise FieldProblem("Skriv et helt tal (0 eller mere).")
    number = int(value)
    if number > 1_000_000:
        raise FieldProblem("Tallet er for stort.")
    return number


def required_text(text: str | None, *, max_length: int = 4000, what: str = "Feltet") -> str:
    value = (text or "").strip()
    if not value:
        raise FieldProblem(f"{what} skal udfyldes.")
    if len(value) > max_length:
        raise FieldProblem(f"Teksten er for lang (højst {max_length} tegn).")
    return value
