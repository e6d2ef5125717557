"""The merge fields an officer's text to a citizen may hold, and how each reader fills them in.

One vocabulary for every service. Screening fills in the fields that are no personal data
(`{reference}`, `{emne}`, `{kreds}`) when it sends a group's text; the citizen's name stays
the placeholder `{navn}` on every topic and in screening's copy, so no event carries it.
Notifications fills it in from its contact row as it writes the email; the status page,
which shows no name, leaves it out (`without_name`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from shared.vocabulary import Language

NAME = "navn"
REFERENCE = "reference"
SUBJECT = "emne"
DISTRICT = "kreds"

#: Every merge field, in the order officers are told of them.
FIELDS: tuple[str, ...] = (NAME, REFERENCE, SUBJECT, DISTRICT)
#: The fields that are personal data: never filled in before the text leaves screening.
PERSONAL: frozenset[str] = frozenset({NAME})

_KNOWN = re.compile(r"\{(" + "|".join(FIELDS) + r")\}")
_ANY = re.compile(r"\{([^{}\s]{1,30})\}")
_NAME_FALLBACK = {Language.DA: "borger", Language.EN: "citizen"}


def placeholder(field: str) -> str:
    """The field as an officer writes it: `{navn}`."""
    return "{" + field + "}"


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace the known fields that `values` has; any other braces are left as written."""
    return _KNOWN.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_fields(text: str) -> list[str]:
    """Merge fields the officer wrote that will never be filled in (likely typos)."""
    return sorted({name for name in _ANY.findall(text) if name not in FIELDS})


def name_for(name: str | None, language: Language | str) -> str:
    """The citizen's name for `{navn}`; a neutral word when none is known."""
    return (name or "").strip() or _NAME_FALLBACK[Language(language)]


# --- the text with the name left out ------------------------------------------------------

_NAME = re.escape(placeholder(NAME))
#: A salutation that only makes sense with the name: "Kære {navn}," / "Dear {navn}" / "{navn},".
_SALUTATION = re.compile(
    r"^[ \t]*(?:(?:kære|hej|hejsa|hallo|goddag|god\s+dag|dear|hi|hello)[ \t]+)?"
    + _NAME
    + r"(?:[ \t]*[,.!:;][ \t]*|[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)
#: The name between commas, as a form of address: "Tak, {navn}, for …".
_ADDRESSED = re.compile(r",[ \t]*" + _NAME + r"[ \t]*,")
#: The name before punctuation or the line's end: "Tak for din bestilling, {navn}."
_TRAILING = re.compile(r"[ \t]*,?[ \t]*" + _NAME + r"(?=[ \t]*(?:[.!?;:,)]|$))", re.MULTILINE)
_ANYWHERE = re.compile(r"[ \t]?" + _NAME)


def greets_by_name(text: str) -> bool:
    """Whether the text opens with a salutation by name ("Kære {navn}", "Dear {navn},"), so
    that an email carrying it does not greet the citizen a second time."""
    return _SALUTATION.match(text.lstrip()) is not None


def without_name(text: str) -> str:
    """The text as a page that shows no name reads it: `{navn}` left out, the words around it tidy.

    A salutation line with the name ("Kære {navn}", "Dear {navn},") is dropped; the name as a
    form of address goes with its commas; the rest of a line is capitalised where it now starts.
    """
    if placeholder(NAME) not in text:
        return text
    lines = []
    for line in text.split("\n"):
        rest = _SALUTATION.sub("", line, count=1)
        if rest != line:
            if not rest.strip():
                continue
            rest = rest[:1].upper() + rest[1:]
        rest = _ADDRESSED.sub("", rest)
        rest = _TRAILING.sub("", rest)
        lines.append(_ANYWHERE.sub("", rest))
    tidy = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    return tidy.strip("\n")
