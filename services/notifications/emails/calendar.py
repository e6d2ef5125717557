"""The calendar file (RFC 5545) attached to a scheduled visit's email."""

from __future__ import annotations

import re
from datetime import datetime

from services.notifications.emails.kinds import MESSAGE_ID_DOMAIN, Recipient
from services.notifications.emails.words import CATEGORY_NAMES, WORDS
from shared.clock import as_utc
from shared.vocabulary import Category, Language

_ICS_SPECIAL = re.compile(r"([\\;,])")
_ICS_PIECES = re.compile(r"\\.|.", re.DOTALL)  # an escape pair folds as one piece


def ics_escape(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon and comma, and newlines as \\n."""
    escaped = _ICS_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def ics_fold(line: str, limit: int = 75) -> str:
    """Fold a content line at `limit` octets, never inside a UTF-8 character or an escape."""
    parts: list[str] = []
    current, size = "", 0
    for piece in _ICS_PIECES.findall(line):
        width = len(piece.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1
        current += piece
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _ics_time(moment: datetime) -> str:
    return as_utc(moment).strftime("%Y%m%dT%H%M%SZ")


def ics_uid(reference: str, planned_start: datetime) -> str:
    """The event's UID: the same order at the same start is the same calendar entry."""
    return f"{reference}-{_ics_time(planned_start)}@{MESSAGE_ID_DOMAIN}"


def calendar(
    recipient: Recipient,
    *,
    district_name: str,
    planned_start: datetime,
    planned_end: datetime | None,
    note: str,
    now: datetime,
) -> str:
    """A METHOD:PUBLISH VCALENDAR with the planned visit, CRLF line endings, folded lines."""
    lang = Language(recipient.language)
    w = WORDS[lang]
    category = CATEGORY_NAMES[lang][Category(recipient.category)]
    summary = w["calendar_summary"].format(
        category=category[:1].upper() + category[1:],
        district=district_name,
        reference=recipient.reference,
    )
    description = "\n\n".join(
        part for part in (note.strip(), f"{w['status']}: {recipient.status_url}") if part
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Bestil en betjent//Notifications//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{ics_uid(recipient.reference, planned_start)}",
        f"DTSTAMP:{_ics_time(now)}",
        f"DTSTART:{_ics_time(planned_start)}",
        *([f"DTEND:{_ics_time(planned_end)}"] if planned_end is not None else []),
        f"SUMMARY;LANGUAGE={lang.value}:{ics_escape(summary)}",
        f"DESCRIPTION;LANGUAGE={lang.value}:{ics_escape(description)}",
        f"URL:{recipient.status_url}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)
