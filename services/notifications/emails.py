"""The citizen's emails, composed as pure functions so that sending stays a separate concern."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822_datetime
from email.utils import make_msgid
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.clock import as_utc, utcnow
from shared.vocabulary import Category, DeadlineKind, Language, ReasonCode

MESSAGE_ID_DOMAIN = "bestil.politi.dk"
DANISH_TIME = ZoneInfo("Europe/Copenhagen")
_TEMPLATES = Path(__file__).parent / "templates"


class EmailKind(StrEnum):
    """Which email the citizen gets; one per fact the citizen should hear about."""

    RECEIPT = "receipt"
    ROUTED = "routed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    INFO_REQUESTED = "info_requested"
    CANCELLED = "cancelled"
    DEADLINE_BREACHED = "deadline_breached"


@dataclass(frozen=True)
class Recipient:
    """The citizen an email goes to, and what every email about their order repeats."""

    name: str
    email: str
    language: Language
    reference: str
    category: Category
    status_url: str


# --- dates in Danish time --------------------------------------------------------------

_MONTHS = {
    Language.DA: (
        "januar februar marts april maj juni juli august september oktober november december"
    ).split(),
    Language.EN: (
        "January February March April May June July August September October November December"
    ).split(),
}


def _local(moment: datetime) -> datetime:
    return as_utc(moment).astimezone(DANISH_TIME)


def format_date(moment: datetime, language: Language) -> str:
    """A date in Danish time: "9. december 2026" / "9 December 2026"."""
    local = _local(moment)
    month = _MONTHS[Language(language)][local.month - 1]
    if language == Language.DA:
        return f"{local.day}. {month} {local.year}"
    return f"{local.day} {month} {local.year}"


def _clock(local: datetime, language: Language) -> str:
    sep = "." if language == Language.DA else ":"
    return f"{local.hour:02d}{sep}{local.minute:02d}"


def format_datetime(moment: datetime, language: Language) -> str:
    """A moment in Danish time: "9. december 2026 kl. 14.00" / "9 December 2026 at 14:00"."""
    local = _local(moment)
    joiner = " kl. " if language == Language.DA else " at "
    return format_date(local, language) + joiner + _clock(local, language)


def format_period(start: datetime, end: datetime | None, language: Language) -> str:
    """A planned time; one day reads "9. december 2026 kl. 14.00–16.00"."""
    if end is None:
        return format_datetime(start, language)
    first, last = _local(start), _local(end)
    if first.date() == last.date():
        hours = f"{_clock(first, language)}–{_clock(last, language)}"
        joiner = " kl. " if language == Language.DA else ", "
        return format_date(first, language) + joiner + hours
    return f"{format_datetime(first, language)} – {format_datetime(last, language)}"


# --- the words -------------------------------------------------------------------------

CATEGORY_NAMES: dict[Language, dict[Category, str]] = {
    Language.DA: {
        Category.TRAFFIC_CONTROL: "færdselskontrol",
        Category.TALK: "foredrag",
        Category.EVENT_PRESENCE: "tilstedeværelse ved arrangement",
    },
    Language.EN: {
        Category.TRAFFIC_CONTROL: "traffic control",
        Category.TALK: "talk",
        Category.EVENT_PRESENCE: "police presence at an event",
    },
}

REASONS: dict[Language, dict[ReasonCode, str]] = {
    Language.DA: {
        ReasonCode.ACCEPTED: "Politikredsen har vurderet, at bestillingen kan imødekommes.",
        ReasonCode.NO_CAPACITY: (
            "Politikredsen har ikke ressourcer til opgaven inden for fristen, "
            "fordi andre opgaver må prioriteres højere."
        ),
        ReasonCode.ALREADY_PLANNED: (
            "Politiet har allerede planlagt en kontrol eller indsats på stedet."
        ),
        ReasonCode.NOT_A_POLICE_TASK: "Det, du beder om, er ikke en opgave for politiet.",
        ReasonCode.INSUFFICIENT_INFORMATION: (
            "Bestillingen indeholder ikke nok oplysninger til, at politiet kan "
            "vurdere eller udføre den."
        ),
        ReasonCode.DUPLICATE: (
            "Bestillingen er besvaret sammen med en anden bestilling om det samme."
        ),
        ReasonCode.OTHER: (
            "Politikredsen har afvist bestillingen af en anden grund, se beskeden nedenfor."
        ),
    },
    Language.EN: {
        ReasonCode.ACCEPTED: "The police district has found that the order can be accepted.",
        ReasonCode.NO_CAPACITY: (
            "The police district does not have the resources for this task within the deadline, "
            "because other tasks must come first."
        ),
        ReasonCode.ALREADY_PLANNED: (
            "The police have already planned a control or other action at this location."
        ),
        ReasonCode.NOT_A_POLICE_TASK: "What you ask for is not a task for the police.",
        ReasonCode.INSUFFICIENT_INFORMATION: (
            "The order does not contain enough information for the police to "
            "assess or carry it out."
        ),
        ReasonCode.DUPLICATE: (
            "The order has been answered together with another order about the same matter."
        ),
        ReasonCode.OTHER: (
            "The police district declined the order for another reason; see the message below."
        ),
    },
}

# Every sentence of every email, per language; `{placeholders}` are filled by `_content`.
_WORDS: dict[Language, dict[str, str]] = {
    Language.DA: {
        "greeting": "Kære {name}",
        "sign_off": "Med venlig hilsen",
        "police": "Politiet",
        "reference": "Reference",
        "category": "Kategori",
        "district": "Politikreds",
        "status": "Se status for din bestilling",
        "footer_auto": (
            "Dette er en automatisk e-mail fra Bestil en betjent. Du kan ikke svare på den."
        ),
        "footer_phone": "Ring 112, hvis det haster. Ring 114 ved andre henvendelser til politiet.",
        # receipt
        "receipt_subject": "Vi har modtaget din bestilling {reference}",
        "receipt_lead": "Vi har modtaget din bestilling {reference}.",
        "receipt_body": (
            "Bestillingen sendes til den politikreds, der dækker stedet. En betjent vurderer den "
            "ud fra en faglig vurdering og kredsens samlede prioritering af ressourcer."
        ),
        "receipt_decision": "Du får besked om, hvorvidt bestillingen er imødekommet eller afvist.",
        "urgent": "Arrangementet begynder snart, så bestillingen behandles som hastende.",
        "decision_due": "Svar senest",
        "execution_due": "Udføres senest",
        "event_start": "Arrangementet begynder",
        # routed
        "routed_subject": "Din bestilling {reference} er sendt til {district}",
        "routed_lead": "Din bestilling {reference} behandles nu af {district}.",
        "routed_body": (
            "En betjent i politikredsen vurderer bestillingen. "
            "Du får besked, når der er truffet en afgørelse."
        ),
        # accepted / declined
        "accepted_subject": "Din bestilling {reference} er imødekommet",
        "accepted_lead": "Din bestilling {reference} er imødekommet af {district}.",
        "accepted_body": "Du hører fra os igen, når opgaven er planlagt eller udført.",
        "declined_subject": "Din bestilling {reference} er desværre afvist",
        "declined_lead": "Din bestilling {reference} er desværre afvist af {district}.",
        "declined_body": (
            "Du er velkommen til at sende en ny bestilling, hvis forholdene ændrer sig."
        ),
        "reason": "Begrundelse",
        "district_message": "Besked fra politikredsen",
        # scheduled
        "scheduled_subject": "Din bestilling {reference} er planlagt til {date}",
        "scheduled_lead": "Din bestilling {reference} er planlagt til {when}.",
        "scheduled_body": (
            "Tidspunktet er vedhæftet som en kalenderfil. Planen kan ændre sig, "
            "hvis politiet skal løse mere akutte opgaver."
        ),
        "when": "Tidspunkt",
        "note": "Bemærkning fra politikredsen",
        "calendar_summary": "{category} – {district} ({reference})",
        # completed
        "completed_subject": "Din bestilling {reference} er udført",
        "completed_lead": "Din bestilling {reference} blev udført den {date} af {district}.",
        "completed_body": (
            "Fortæl os gerne, om du så politiet, og om det hjalp. "
            "Det tager et minut via linket nedenfor."
        ),
        "summary": "Det gjorde politiet",
        # info requested
        "info_requested_subject": "Politiet har et spørgsmål til din bestilling {reference}",
        "info_requested_lead": (
            "{district} har brug for flere oplysninger for at behandle din bestilling {reference}."
        ),
        "info_requested_body": "Svar via linket til din bestilling nedenfor, ikke på denne e-mail.",
        "question": "Spørgsmål fra politikredsen",
        # cancelled
        "cancelled_subject": "Din bestilling {reference} er trukket tilbage",
        "cancelled_lead": "Din bestilling {reference} blev trukket tilbage den {when}.",
        "cancelled_body": (
            "Politiet behandler ikke bestillingen yderligere. "
            "Du er velkommen til at sende en ny bestilling."
        ),
        # deadline breached
        "decision_breached_subject": "Svarfristen for din bestilling {reference} er overskredet",
        "decision_breached_lead": (
            "Du skulle have haft svar på din bestilling {reference} senest den {when}, "
            "men politiet har endnu ikke truffet en afgørelse."
        ),
        "execution_breached_subject": (
            "Fristen for udførelse af din bestilling {reference} er overskredet"
        ),
        "execution_breached_lead": (
            "Din bestilling {reference} skulle have været udført senest den {when}, "
            "men den er endnu ikke meldt udført."
        ),
        "breached_body": (
            "Det beklager vi. Politikredsen er gjort opmærksom på det, "
            "og du hører fra os, så snart der er nyt."
        ),
        "due_at": "Frist",
    },
    Language.EN: {
        "greeting": "Dear {name},",
        "sign_off": "Kind regards,",
        "police": "The Danish Police",
        "reference": "Reference",
        "category": "Category",
        "district": "Police district",
        "status": "See the status of your order",
        "footer_auto": (
            "This is an automatic email from Bestil en betjent. Replies to it are not read."
        ),
        "footer_phone": "In an emergency, call 112. For other police matters, call 114.",
        # receipt
        "receipt_subject": "We have received your order {reference}",
        "receipt_lead": "We have received your order {reference}.",
        "receipt_body": (
            "The order goes to the police district that covers the location. An officer assesses "
            "it on professional judgement and the district's overall priorities."
        ),
        "receipt_decision": "You will be told whether the order is accepted or declined.",
        "urgent": "The event starts soon, so the order is handled as urgent.",
        "decision_due": "Answer by",
        "execution_due": "Carried out by",
        "event_start": "The event starts",
        # routed
        "routed_subject": "Your order {reference} has been sent to {district}",
        "routed_lead": "Your order {reference} is now being handled by {district}.",
        "routed_body": (
            "An officer in the police district will assess the order. "
            "You will hear from us once a decision has been made."
        ),
        # accepted / declined
        "accepted_subject": "Your order {reference} has been accepted",
        "accepted_lead": "Your order {reference} has been accepted by {district}.",
        "accepted_body": "You will hear from us again when the task is scheduled or carried out.",
        "declined_subject": "Your order {reference} has unfortunately been declined",
        "declined_lead": "Your order {reference} has unfortunately been declined by {district}.",
        "declined_body": "You are welcome to submit a new order if circumstances change.",
        "reason": "Reason",
        "district_message": "Message from the police district",
        # scheduled
        "scheduled_subject": "Your order {reference} is scheduled for {date}",
        "scheduled_lead": "Your order {reference} is scheduled for {when}.",
        "scheduled_body": (
            "The time is attached as a calendar file. Plans may change "
            "if the police have to handle more urgent tasks."
        ),
        "when": "Time",
        "note": "Note from the police district",
        "calendar_summary": "{category} – {district} ({reference})",
        # completed
        "completed_subject": "Your order {reference} has been carried out",
        "completed_lead": "Your order {reference} was carried out on {date} by {district}.",
        "completed_body": (
            "Please tell us whether you saw the police and whether it helped. "
            "It takes a minute, via the link below."
        ),
        "summary": "What the police did",
        # info requested
        "info_requested_subject": "The police have a question about your order {reference}",
        "info_requested_lead": (
            "{district} needs more information to handle your order {reference}."
        ),
        "info_requested_body": (
            "Please answer via the link to your order below, not by replying to this email."
        ),
        "question": "Question from the police district",
        # cancelled
        "cancelled_subject": "Your order {reference} has been withdrawn",
        "cancelled_lead": "Your order {reference} was withdrawn on {when}.",
        "cancelled_body": (
            "The police will take no further action on it. You are welcome to submit a new order."
        ),
        # deadline breached
        "decision_breached_subject": "The deadline for answering your order {reference} has passed",
        "decision_breached_lead": (
            "You should have had an answer to your order {reference} by {when}, "
            "but the police have not yet made a decision."
        ),
        "execution_breached_subject": (
            "The deadline for carrying out your order {reference} has passed"
        ),
        "execution_breached_lead": (
            "Your order {reference} should have been carried out by {when}, "
            "but it has not yet been reported as done."
        ),
        "breached_body": (
            "We apologise. The police district has been notified, "
            "and you will hear from us as soon as there is news."
        ),
        "due_at": "Deadline",
    },
}


# --- what an email says, before it is rendered -----------------------------------------


@dataclass(frozen=True)
class Block:
    """A labelled piece of text, e.g. the district's message; newlines are kept."""

    label: str
    text: str


@dataclass(frozen=True)
class Content:
    """One email's words, rendered by the same text and HTML templates for every kind."""

    subject: str
    lead: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    signed_by: str = ""


_REQUIRED: dict[EmailKind, tuple[str, ...]] = {
    EmailKind.RECEIPT: ("decision_due", "execution_due"),
    EmailKind.ROUTED: ("district_name",),
    EmailKind.ACCEPTED: ("district_name", "message", "reason_code"),
    EmailKind.DECLINED: ("district_name", "message", "reason_code"),
    EmailKind.SCHEDULED: ("district_name", "planned_start"),
    EmailKind.COMPLETED: ("district_name", "completed_at", "summary"),
    EmailKind.INFO_REQUESTED: ("district_name", "question"),
    EmailKind.CANCELLED: ("cancelled_at",),
    EmailKind.DEADLINE_BREACHED: ("kind", "due_at"),
}


def _blocks(*pairs: tuple[str, Any]) -> list[Block]:
    """Blocks for the texts that are there; an empty note is left out."""
    return [Block(label, str(text).strip()) for label, text in pairs if text and str(text).strip()]


def _content(kind: EmailKind, recipient: Recipient, facts: Mapping[str, Any]) -> Content:
    """Pick the words for one email kind and fill in the facts."""
    missing = [name for name in _REQUIRED[kind] if name not in facts]
    if missing:
        raise ValueError(f"a {kind} email needs the facts {', '.join(missing)}")
    lang = Language(recipient.language)
    w = _WORDS[lang]
    ref = recipient.reference
    district = str(facts.get("district_name", ""))
    signed_by = district or w["police"]
    district_fact = [(w["district"], district)] if district else []

    def say(key: str, **values: str) -> str:
        return w[key].format(reference=ref, district=district, **values)

    match kind:
        case EmailKind.RECEIPT:
            paragraphs = [say("receipt_body"), say("receipt_decision")]
            if facts.get("urgent"):
                paragraphs.append(say("urgent"))
            is_event = Category(recipient.category) == Category.EVENT_PRESENCE
            execution_label = w["event_start"] if is_event else w["execution_due"]
            return Content(
                subject=say("receipt_subject"),
                lead=say("receipt_lead"),
                paragraphs=paragraphs,
                facts=[
                    (w["decision_due"], format_datetime(facts["decision_due"], lang)),
                    (execution_label, format_datetime(facts["execution_due"], lang)),
                ],
                signed_by=signed_by,
            )
        case EmailKind.ROUTED:
            return Content(
                subject=say("routed_subject"),
                lead=say("routed_lead"),
                paragraphs=[say("routed_body")],
                facts=district_fact,
                signed_by=signed_by,
            )
        case EmailKind.ACCEPTED:
            return Content(
                subject=say("accepted_subject"),
                lead=say("accepted_lead"),
                paragraphs=[say("accepted_body")],
                blocks=_blocks((w["district_message"], facts["message"])),
                facts=district_fact,
                signed_by=signed_by,
            )
        case EmailKind.DECLINED:
            reason = REASONS[lang][ReasonCode(facts["reason_code"])]
            return Content(
                subject=say("declined_subject"),
                lead=say("declined_lead"),
                paragraphs=[say("declined_body")],
                blocks=_blocks((w["reason"], reason), (w["district_message"], facts["message"])),
                facts=district_fact,
                signed_by=signed_by,
            )
        case EmailKind.SCHEDULED:
            when = format_period(facts["planned_start"], facts.get("planned_end"), lang)
            return Content(
                subject=say("scheduled_subject", date=format_date(facts["planned_start"], lang)),
                lead=say("scheduled_lead", when=when),
                paragraphs=[say("scheduled_body")],
                blocks=_blocks((w["note"], facts.get("note"))),
                facts=[(w["when"], when), *district_fact],
                signed_by=signed_by,
            )
        case EmailKind.COMPLETED:
            return Content(
                subject=say("completed_subject"),
                lead=say("completed_lead", date=format_date(facts["completed_at"], lang)),
                paragraphs=[say("completed_body")],
                blocks=_blocks((w["summary"], facts["summary"])),
                facts=district_fact,
                signed_by=signed_by,
            )
        case EmailKind.INFO_REQUESTED:
            return Content(
                subject=say("info_requested_subject"),
                lead=say("info_requested_lead"),
                paragraphs=[say("info_requested_body")],
                blocks=_blocks((w["question"], facts["question"])),
                facts=district_fact,
                signed_by=signed_by,
            )
        case EmailKind.CANCELLED:
            return Content(
                subject=say("cancelled_subject"),
                lead=say("cancelled_lead", when=format_datetime(facts["cancelled_at"], lang)),
                paragraphs=[say("cancelled_body")],
                signed_by=signed_by,
            )
        case EmailKind.DEADLINE_BREACHED:
            deadline = DeadlineKind(facts["kind"])
            due = format_datetime(facts["due_at"], lang)
            return Content(
                subject=say(f"{deadline}_breached_subject"),
                lead=say(f"{deadline}_breached_lead", when=due),
                paragraphs=[say("breached_body")],
                facts=[(w["due_at"], due), *district_fact],
                signed_by=signed_by,
            )
    raise ValueError(f"unknown email kind {kind!r}")  # pragma: no cover


# --- rendering -------------------------------------------------------------------------


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
    content = _content(kind, recipient, facts)
    context = {
        "c": content,
        "w": _WORDS[lang],
        "greeting": _WORDS[lang]["greeting"].format(name=recipient.name),
        "lang": lang.value,
        "recipient": recipient,
        "category": CATEGORY_NAMES[lang][Category(recipient.category)],
    }
    env = _environment()
    return Rendered(
        subject=" ".join(content.subject.split()),
        text=env.get_template("citizen/email.txt").render(context),
        html=env.get_template("citizen/email.html").render(context),
    )


def message_id_for(event_id: uuid.UUID) -> str:
    """A Message-ID fixed by the event, so that a resent email is recognisably the same."""
    return f"<{event_id}@{MESSAGE_ID_DOMAIN}>"


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
        ics = calendar(
            recipient,
            district_name=str(facts["district_name"]),
            planned_start=facts["planned_start"],
            planned_end=facts.get("planned_end"),
            note=str(facts.get("note") or ""),
            now=sent_at,
        )
        msg.add_attachment(
            ics.encode("utf-8"),
            maintype="text",
            subtype="calendar",
            filename=f"{recipient.reference}.ics",
            params={"method": "PUBLISH", "charset": "utf-8"},
        )
    msg["Content-Language"] = Language(recipient.language).value  # after set_content clears it
    return msg


# --- the calendar file (RFC 5545) ------------------------------------------------------

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
    w = _WORDS[lang]
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
