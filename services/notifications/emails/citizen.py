"""The citizen's email composed: content rendered by one pair of templates, plus the .ics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from email.utils import make_msgid
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.notifications.emails.calendar import calendar
from services.notifications.emails.content import content_for, greets_in_own_words, personalised
from services.notifications.emails.kinds import MESSAGE_ID_DOMAIN, EmailKind, Recipient
from services.notifications.emails.words import WORDS
from shared.clock import as_utc, utcnow
from shared.vocabulary import Language

_TEMPLATES = Path(__file__).parent.parent / "templates"


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Rendered:
    """An email's subject and its two bodies."""

    subject: str
    text: str
    html: str


def render(kind: EmailKind, recipient: Recipient, facts: Mapping[str, Any]) -> Rendered:
    """The subject, plain text and HTML of one email, in the recipient's language."""
    kind = EmailKind(kind)
    lang = Language(recipient.language)
    content = content_for(kind, recipient, personalised(recipient, facts))
    # One greeting per email: an officer who wrote "Kære {navn}" has greeted already.
    greeting = "" if greets_in_own_words(facts) else WORDS[lang]["greeting"]
    context = {
        "c": content,
        "w": WORDS[lang],
        "greeting": greeting.format(name=recipient.name),
        "lang": lang.value,
        "recipient": recipient,
    }
    env = _environment()
    return Rendered(
        subject=" ".join(content.subject.split()),
        text=env.get_template("citizen/email.txt").render(context),
        html=env.get_template("citizen/email.html").render(context),
    )


def compose(
    kind: EmailKind,
    recipient: Recipient,
    *,
    sender: str,
    facts: Mapping[str, Any],
    message_id: str | None = None,
    now: datetime | None = None,
) -> EmailMessage:
    """One citizen email: text and HTML alternatives, plus an .ics file when scheduled."""
    kind = EmailKind(kind)
    rendered = render(kind, recipient, facts)
    sent_at = as_utc(now or utcnow())
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = recipient.email
    msg["Subject"] = rendered.subject
    msg["Date"] = rfc2822_datetime(sent_at)
    msg["Message-ID"] = message_id or make_msgid(domain=MESSAGE_ID_DOMAIN)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    if kind == EmailKind.SCHEDULED:
        _attach_calendar(msg, recipient, facts, sent_at)
    msg["Content-Language"] = Language(recipient.language).value  # after set_content clears it
    return msg


def _attach_calendar(
    msg: EmailMessage, recipient: Recipient, facts: Mapping[str, Any], now: datetime
) -> None:
    ics = calendar(
        recipient,
        district_name=str(facts["district_name"]),
        planned_start=facts["planned_start"],
        planned_end=facts.get("planned_end"),
        note=str(personalised(recipient, facts).get("note") or ""),
        now=now,
    )
    msg.add_attachment(
        ics.encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename=f"{recipient.reference}.ics",
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
