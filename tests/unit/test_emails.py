"""The citizen's emails read right once parsed back: both parts, language, decisions, .ics."""

from __future__ import annotations

import email
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from services.notifications.emails.calendar import ics_escape, ics_fold, ics_uid
from services.notifications.emails.citizen import compose
from services.notifications.emails.kinds import EmailKind, Recipient, message_id_for
from services.notifications.emails.words import CATEGORY_NAMES, REASONS
from services.screening.replies import default_template, merge_values
from shared.danish_time import format_date, format_datetime, format_period
from shared.events import OrderSubmitted
from shared.merge_fields import fill
from shared.vocabulary import Category, Language, ReasonCode
from tests.support import event_order, submitted_event, talk_order, traffic_order

REFERENCE = "BEB-7K3M9QXZ"
STATUS_URL = f"https://bestil.politi.dk/status/{REFERENCE}?token=s3cret&lang=da"
SENDER = "Bestil en betjent <noreply@bestil.politi.dk>"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
PLANNED_START = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)  # 14.00 Danish time
PLANNED_END = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
DISTRICT = "Østjyllands Politi"

SUBMITTED_AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 10.30 Danish time


def submitted(category: Category = Category.TRAFFIC_CONTROL, **changes: Any) -> OrderSubmitted:
    """The order a receipt repeats, as intake published it."""
    make_order = {
        Category.TRAFFIC_CONTROL: traffic_order,
        Category.TALK: talk_order,
        Category.EVENT_PRESENCE: lambda **o: event_order(SUBMITTED_AT, **o),
    }[category]
    return submitted_event(make_order(**changes), now=SUBMITTED_AT)


def receipt_facts(order: OrderSubmitted) -> dict[str, Any]:
    """What notifications gives the receipt: the deadlines and the order as sent."""
    return {
        "decision_due": order.decision_due,
        "execution_due": order.execution_due,
        "urgent": order.urgent,
        "submitted_at": order.submitted_at,
        "order": order,
    }


FACTS: dict[EmailKind, dict[str, Any]] = {
    EmailKind.RECEIPT: receipt_facts(submitted()),
    EmailKind.ROUTED: {"district_name": DISTRICT},
    EmailKind.ACCEPTED: {
        "district_name": DISTRICT,
        "message": "Vi kommer forbi en morgen i næste uge.",
        "reason_code": ReasonCode.ACCEPTED,
    },
    EmailKind.DECLINED: {
        "district_name": DISTRICT,
        "message": "Vi har mange opgaver i øjeblikket.",
        "reason_code": ReasonCode.NO_CAPACITY,
    },
    EmailKind.SCHEDULED: {
        "district_name": DISTRICT,
        "planned_start": PLANNED_START,
        "planned_end": PLANNED_END,
        "note": "Vi står ved skolen.",
    },
    EmailKind.COMPLETED: {
        "district_name": DISTRICT,
        "completed_at": PLANNED_END,
        "summary": "Vi målte 212 biler; 9 kørte for stærkt.",
    },
    EmailKind.INFO_REQUESTED: {
        "district_name": DISTRICT,
        "question": "Hvilke tidspunkter er værst?",
    },
    EmailKind.CANCELLED: {"cancelled_at": NOW},
    EmailKind.DEADLINE_BREACHED: {"kind": "decision", "due_at": NOW},
}

# What each subject must say, in plain words, beside the reference.
SUBJECT_SAYS: dict[tuple[EmailKind, Language], str] = {
    (EmailKind.RECEIPT, Language.DA): "Vi har modtaget din bestilling",
    (EmailKind.RECEIPT, Language.EN): "We have received your order",
    (EmailKind.ROUTED, Language.DA): f"er sendt til {DISTRICT}",
    (EmailKind.ROUTED, Language.EN): f"has been sent to {DISTRICT}",
    (EmailKind.ACCEPTED, Language.DA): "er imødekommet",
    (EmailKind.ACCEPTED, Language.EN): "has been accepted",
    (EmailKind.DECLINED, Language.DA): "er desværre afvist",
    (EmailKind.DECLINED, Language.EN): "has unfortunately been declined",
    (EmailKind.SCHEDULED, Language.DA): "er planlagt til 9. december 2026",
    (EmailKind.SCHEDULED, Language.EN): "is scheduled for 9 December 2026",
    (EmailKind.COMPLETED, Language.DA): "er udført",
    (EmailKind.COMPLETED, Language.EN): "has been carried out",
    (EmailKind.INFO_REQUESTED, Language.DA): "Politiet har et spørgsmål",
    (EmailKind.INFO_REQUESTED, Language.EN): "The police have a question",
    (EmailKind.CANCELLED, Language.DA): "er trukket tilbage",
    (EmailKind.CANCELLED, Language.EN): "has been withdrawn",
    (EmailKind.DEADLINE_BREACHED, Language.DA): "Svarfristen",
    (EmailKind.DEADLINE_BREACHED, Language.EN): "deadline for answering",
}

# Words only one language's email uses (the sign-off and footer are in every kind).
OWN_WORDS = {
    Language.DA: ("Med venlig hilsen", "automatisk e-mail"),
    Language.EN: ("Kind regards", "automatic email"),
}

KIND_LANGUAGE = pytest.mark.parametrize(
    ("kind", "language"),
    [(kind, language) for kind in EmailKind for language in Language],
    ids=[f"{kind}-{language}" for kind in EmailKind for language in Language],
)


def recipient(
    language: Language = Language.DA, category: Category = Category.TRAFFIC_CONTROL
) -> Recipient:
    return Recipient(
        name="Mette Hansen",
        email="mette@example.dk",
        language=language,
        reference=REFERENCE,
        category=category,
        status_url=STATUS_URL,
    )


def make(
    email_kind: EmailKind,
    language: Language = Language.DA,
    category: Category = Category.TRAFFIC_CONTROL,
    /,
    **facts: Any,
) -> EmailMessage:
    """Compose, serialise and parse back, as a mail client would see it."""
    message = compose(
        email_kind,
        recipient(language, category),
        sender=SENDER,
        facts={**FACTS[email_kind], **facts},
        now=NOW,
    )
    parsed = email.message_from_bytes(message.as_bytes(), policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def bodies(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


def calendar_part(message: EmailMessage) -> EmailMessage:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def unfold(ics: str) -> list[str]:
    return ics.replace("\r\n ", "").split("\r\n")


def ics_property(lines: list[str], name: str) -> str:
    found = [line.split(":", 1)[1] for line in lines if line.split(":")[0].split(";")[0] == name]
    assert len(found) == 1, name
    return found[0]


# --- every kind, both languages --------------------------------------------------------


@KIND_LANGUAGE
def test_has_text_and_html_alternatives(kind: EmailKind, language: Language) -> None:
    message = make(kind, language)
    alternative = message
    if kind == EmailKind.SCHEDULED:
        assert message.get_content_type() == "multipart/mixed"
        alternative = next(p for p in message.iter_parts() if p.is_multipart())
    assert alternative.get_content_type() == "multipart/alternative"
    subtypes = [part.get_content_subtype() for part in alternative.iter_parts()]
    assert subtypes == ["plain", "html"]
    text, html = bodies(message)
    assert text.strip() and html.strip()


@KIND_LANGUAGE
def test_headers(kind: EmailKind, language: Language) -> None:
    message = make(kind, language)
    assert message["From"] == SENDER
    assert message["To"] == "mette@example.dk"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == language
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Message-ID"].endswith("@bestil.politi.dk>")


@KIND_LANGUAGE
def test_subject_states_the_fact_with_the_reference(kind: EmailKind, language: Language) -> None:
    subject = make(kind, language)["Subject"]
    assert REFERENCE in subject
    assert SUBJECT_SAYS[kind, language] in subject


@KIND_LANGUAGE
def test_written_in_the_orders_language(kind: EmailKind, language: Language) -> None:
    text, html = bodies(make(kind, language))
    other = Language.EN if language == Language.DA else Language.DA
    for words in OWN_WORDS[language]:
        assert words in text and words in html
    for words in OWN_WORDS[other]:
        assert words not in text and words not in html
    assert f'<html lang="{language}">' in html
    assert CATEGORY_NAMES[language][Category.TRAFFIC_CONTROL] in text


@KIND_LANGUAGE
def test_every_email_carries_reference_status_link_and_footer(
    kind: EmailKind, language: Language
) -> None:
    text, html = bodies(make(kind, language))
    for body in (text, html):
        assert REFERENCE in body
        assert "Bestil en betjent" in body
        assert "112" in body and "114" in body
    assert STATUS_URL in text
    assert f'href="{STATUS_URL.replace("&", "&amp;")}"' in html


@KIND_LANGUAGE
def test_first_line_states_the_fact(kind: EmailKind, language: Language) -> None:
    message = make(kind, language)
    text, _ = bodies(message)
    first = text.splitlines()[0]
    assert REFERENCE in first
    if kind in (EmailKind.ACCEPTED, EmailKind.DECLINED):
        assert SUBJECT_SAYS[kind, language] in first


def test_only_the_scheduled_email_has_a_calendar_file() -> None:
    for kind in EmailKind:
        attachments = list(make(kind).iter_attachments())
        assert len(attachments) == (1 if kind == EmailKind.SCHEDULED else 0), kind


# --- decisions -------------------------------------------------------------------------


def test_every_reason_code_has_a_sentence_in_both_languages() -> None:
    for language in Language:
        assert set(REASONS[language]) == set(ReasonCode)
        assert all(sentence.strip() for sentence in REASONS[language].values())
    assert REASONS[Language.DA] != REASONS[Language.EN]


@pytest.mark.parametrize("language", list(Language), ids=str)
@pytest.mark.parametrize("reason", [r for r in ReasonCode if r != ReasonCode.ACCEPTED], ids=str)
def test_decline_gives_the_reason_and_the_districts_message(
    language: Language, reason: ReasonCode
) -> None:
    message = make(EmailKind.DECLINED, language, reason_code=reason, message="Prøv igen i maj.")
    text, html = bodies(message)
    assert REASONS[language][reason] in text
    assert REASONS[language][reason] in html
    assert "Prøv igen i maj." in text and "Prøv igen i maj." in html


def test_reason_code_may_be_given_as_its_wire_value() -> None:
    text, _ = bodies(make(EmailKind.DECLINED, Language.EN, reason_code="duplicate"))
    assert REASONS[Language.EN][ReasonCode.DUPLICATE] in text


def test_accepted_email_carries_the_districts_message() -> None:
    text, html = bodies(make(EmailKind.ACCEPTED, message="Vi ses tirsdag."))
    assert "Vi ses tirsdag." in text and "Vi ses tirsdag." in html


def test_html_escapes_what_the_district_wrote() -> None:
    hostile = "<script>alert('x')</script> & <b>fed</b>"
    text, html = bodies(make(EmailKind.DECLINED, message=hostile))
    assert "<script>" not in html and "<b>fed</b>" not in html
    assert "&lt;script&gt;" in html and "&amp; &lt;b&gt;" in html
    assert hostile in text  # plain text shows it as written


def test_html_keeps_the_line_breaks_of_a_message() -> None:
    _, html = bodies(make(EmailKind.INFO_REQUESTED, question="Første linje\nAnden linje"))
    assert "Første linje<br>" in html


@pytest.mark.parametrize(
    ("kind", "fact"),
    [
        (EmailKind.ACCEPTED, "message"),
        (EmailKind.DECLINED, "message"),
        (EmailKind.SCHEDULED, "note"),
        (EmailKind.COMPLETED, "summary"),
        (EmailKind.INFO_REQUESTED, "question"),
    ],
    ids=lambda v: str(v),
)
def test_the_districts_placeholders_are_filled_in_for_the_citizen(kind, fact) -> None:
    written = "Kære {navn}\nDin bestilling {reference} hos {kreds}; {ukendt} står."
    text, html = bodies(make(kind, **{fact: written}))
    filled = f"Kære Mette Hansen\n  Din bestilling {REFERENCE} hos {DISTRICT}; {{ukendt}} står."
    assert filled in text
    assert text.count("Kære") == 1  # the officer's greeting, not a second one of the email
    assert f"Kære Mette Hansen<br>\nDin bestilling {REFERENCE} hos {DISTRICT}" in html
    assert "{navn}" not in text + html


GREETING = {Language.DA: "Kære Mette Hansen", Language.EN: "Dear Mette Hansen"}


@pytest.mark.parametrize("language", list(Language), ids=str)
def test_the_default_reply_leaves_the_greeting_to_the_email(language: Language) -> None:
    content = {"category": "traffic_control", "details": {"road": "Skovvejen"}}
    sent = fill(
        default_template(ReasonCode.NO_CAPACITY, language),
        merge_values(content, REFERENCE, DISTRICT, language),
    )
    text, html = bodies(make(EmailKind.DECLINED, language, message=sent))
    salutation = GREETING[language].split()[0]
    assert text.count(salutation) == 1 and html.count(salutation) == 1
    assert text.index(GREETING[language]) < text.index(sent.splitlines()[0])
    opening = {Language.DA: "Tak for din bestilling", Language.EN: "Thank you for your order"}
    assert f":\n  {opening[language]} {REFERENCE}" in text


@pytest.mark.parametrize(
    ("kind", "fact"),
    [
        (EmailKind.ACCEPTED, "message"),
        (EmailKind.DECLINED, "message"),
        (EmailKind.SCHEDULED, "note"),
        (EmailKind.COMPLETED, "summary"),
        (EmailKind.INFO_REQUESTED, "question"),
    ],
    ids=lambda v: str(v),
)
@pytest.mark.parametrize(
    "written", ["Kære {navn}\n\nVi kommer.", "Kære {navn}, vi kommer.", "{navn}: vi kommer."]
)
def test_an_officer_who_greets_by_name_replaces_the_emails_greeting(kind, fact, written) -> None:
    text, html = bodies(make(kind, **{fact: written}))
    assert text.count("Mette Hansen") == 1 and html.count("Mette Hansen") == 1
    assert "<p>Kære Mette Hansen</p>" not in html


def test_a_name_inside_the_officers_text_keeps_the_emails_greeting() -> None:
    text, html = bodies(make(EmailKind.ACCEPTED, message="Tak, {navn}, vi kommer."))
    assert text.count("Kære Mette Hansen") == 1 and "Tak, Mette Hansen, vi kommer." in text
    assert "<p>Kære Mette Hansen</p>" in html


def test_the_calendar_note_greets_by_name_too() -> None:
    part = calendar_part(make(EmailKind.SCHEDULED, note="Vi ses, {navn}."))
    assert "Vi ses\\, Mette Hansen." in ics_property(unfold(part.get_content()), "DESCRIPTION")


def test_receipt_tells_the_deadlines_and_urgency() -> None:
    due = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)
    text, _ = bodies(make(EmailKind.RECEIPT, decision_due=due, urgent=True))
    assert "9. december 2026 kl. 09.30" in text
    assert "hastende" in text
    text, _ = bodies(make(EmailKind.RECEIPT, Language.EN, urgent=False))
    assert "urgent" not in text


def test_receipt_for_an_event_names_its_start() -> None:
    facts = receipt_facts(submitted(Category.EVENT_PRESENCE))
    text, _ = bodies(make(EmailKind.RECEIPT, Language.EN, Category.EVENT_PRESENCE, **facts))
    assert "The event starts" in text
    assert "police presence at an event" in text


# --- the receipt, after the design system's receipt pattern ------------------------------

# What the receipt says in each language, whatever was ordered.
RECEIPT_SAYS = {
    Language.DA: {
        "heading": f"Vi har modtaget din bestilling {REFERENCE}.",
        "reference": f"Dit referencenummer: {REFERENCE}",
        "received": "Modtaget: 1. december 2026 kl. 10.30",
        "next": "Hvad sker der nu?",
        "screened": "En betjent vurderer den",
        "each_step": "Du får en e-mail ved hvert trin",
        "follow": "trække bestillingen tilbage",
        "sent": "Det har du sendt",
        "contact": "Dine kontaktoplysninger",
        "keep": "Gem denne e-mail",
        "way_back": f"Referencenummeret {REFERENCE} og linket til statussiden er vejen tilbage",
    },
    Language.EN: {
        "heading": f"We have received your order {REFERENCE}.",
        "reference": f"Your reference number: {REFERENCE}",
        "received": "Received: 1 December 2026 at 10:30",
        "next": "What happens now?",
        "screened": "An officer assesses it",
        "each_step": "You get an email at each step",
        "follow": "withdraw the order",
        "sent": "What you sent",
        "contact": "Your contact details",
        "keep": "Keep this email",
        "way_back": f"The reference number {REFERENCE} and the link to the status page",
    },
}

# What the citizen sent, as the summary shows it (tests.support's orders).
SENT_SHOWN: dict[tuple[Category, Language], list[str]] = {
    (Category.TRAFFIC_CONTROL, Language.DA): [
        "Kategori: færdselskontrol",
        "Vej eller strækning: Skovvejen mellem nr. 2 og 40",
        "Problem: Bilister kører for stærkt",
        "Hastighedsgrænse: 40 km/t",
        "Tidspunkt på døgnet: Morgen",
        "Adresse: Skovvejen 12, 8000 Aarhus C",
        "Kommune: Aarhus",
        "Beskrivelse: Bilerne kører alt for stærkt forbi skolen om morgenen.",
        "Navn: Mette Hansen",
        "E-mail: mette.hansen@example.dk",
        "Telefonnummer: +45 20 30 40 50",
    ],
    (Category.TRAFFIC_CONTROL, Language.EN): [
        "Category: traffic control",
        "Road or stretch: Skovvejen mellem nr. 2 og 40",
        "Problem: Cars drive too fast",
        "Speed limit: 40 km/h",
        "Time of day: Morning",
        "Address: Skovvejen 12, 8000 Aarhus C",
        "Municipality: Aarhus",
        "Description: Bilerne kører alt for stærkt forbi skolen om morgenen.",
        "Name: Mette Hansen",
        "Email: mette.hansen@example.dk",
        "Phone number: +45 20 30 40 50",
    ],
    (Category.TALK, Language.DA): [
        "Kategori: foredrag",
        "Emne: Forebyggelse af indbrud",
        "Tilhørere: Members of the homeowners' association",
        "Forventet antal tilhørere: 45 personer",
        "Ønskede datoer: 10. december 2026, 15. december 2026",
        "Adresse: 5000 Odense C",
        "Kommune: Odense",
        "Beskrivelse: We would like a talk about burglary prevention for our members.",
        "Navn: Jens Jensen",
        "E-mail: jens@example.dk",
        "Forening, skole eller virksomhed: Grundejerforeningen Solsikken",
    ],
    (Category.TALK, Language.EN): [
        "Category: talk",
        "Topic: Preventing burglary",
        "Audience: Members of the homeowners' association",
        "Expected listeners: 45 people",
        "Preferred dates: 10 December 2026, 15 December 2026",
        "Address: 5000 Odense C",
        "Municipality: Odense",
        "Description: We would like a talk about burglary prevention for our members.",
        "Name: Jens Jensen",
        "Email: jens@example.dk",
        "Association, school or company: Grundejerforeningen Solsikken",
    ],
    (Category.EVENT_PRESENCE, Language.DA): [
        "Kategori: tilstedeværelse ved arrangement",
        "Arrangementets navn: Rønne Byfest",
        "Starter: 21. december 2026 kl. 10.30",
        "Slutter: 21. december 2026 kl. 16.30",
        "Forventet antal deltagere: 3000 personer",
        "Sted: Store Torv",
        "Adresse: 3700 Rønne",
        "Kommune: Bornholm",
        "Beskrivelse: Byfest med musik og mange gæster på torvet.",
        "Navn: Anna Berg",
        "E-mail: anna@example.dk",
        "Arrangør: Rønne Byfest",
    ],
    (Category.EVENT_PRESENCE, Language.EN): [
        "Category: police presence at an event",
        "Name of the event: Rønne Byfest",
        "Starts: 21 December 2026 at 10:30",
        "Ends: 21 December 2026 at 16:30",
        "Expected participants: 3000 people",
        "Venue: Store Torv",
        "Address: 3700 Rønne",
        "Municipality: Bornholm",
        "Description: Byfest med musik og mange gæster på torvet.",
        "Name: Anna Berg",
        "Email: anna@example.dk",
        "Organiser: Rønne Byfest",
    ],
}

CATEGORY_LANGUAGE = pytest.mark.parametrize(
    ("category", "language"),
    [(category, language) for category in Category for language in Language],
    ids=[f"{category}-{language}" for category in Category for language in Language],
)


def receipt(category: Category, language: Language, **changes: Any) -> tuple[str, str]:
    """The receipt's text and HTML for an order of tests.support's kind."""
    if category == Category.TALK:
        changes.setdefault(
            "details",
            {**talk_order()["details"], "preferred_dates": ["2026-12-10", "2026-12-15"]},
        )
    order = submitted(category, language=language.value, **changes)
    facts = receipt_facts(order)
    return bodies(make(EmailKind.RECEIPT, language, category, **facts))


def rows_of(html: str) -> list[str]:
    """The HTML tables' rows as "label: value", to compare with the text."""
    import re

    found = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(.*?)</td>', html, re.S)
    return [f"{label}: {value}" for label, value in found]


@CATEGORY_LANGUAGE
def test_receipt_has_every_part_of_the_pattern(category: Category, language: Language) -> None:
    order = submitted(category)
    text, html = receipt(category, language)
    says = RECEIPT_SAYS[language]
    assert text.splitlines()[0] == says["heading"]
    assert f">{says['heading']}</h1>" in html
    for key in ("next", "sent", "contact", "keep"):
        assert f"\n{says[key]}\n{'=' * len(says[key])}\n" in text, key
        assert f">{says[key]}</h2>" in html, key
    for key in ("screened", "each_step", "follow", "way_back"):
        assert says[key] in text and says[key] in html, key
    for due in (order.decision_due, order.execution_due):
        assert format_datetime(due, language) in text and format_datetime(due, language) in html
    for key in ("reference", "received"):
        assert says[key] in text and says[key] in rows_of(html), key
    assert f'<html lang="{language}">' in html
    assert html.count("<ol") == 1 and html.count("<li") == 3


@CATEGORY_LANGUAGE
def test_receipt_sums_up_what_was_sent(category: Category, language: Language) -> None:
    text, html = receipt(category, language)
    shown = rows_of(html)
    for line in SENT_SHOWN[category, language]:
        assert line in text, line
        assert line.replace("'", "&#39;") in shown, line


@CATEGORY_LANGUAGE
def test_receipt_tells_when_the_work_is_due(category: Category, language: Language) -> None:
    text, _ = receipt(category, language)
    event = category == Category.EVENT_PRESENCE
    words = {
        (False, Language.DA): "Siger politiet ja, bliver bestillingen udført senest",
        (True, Language.DA): "Siger politiet ja, kommer politiet til arrangementet",
        (False, Language.EN): "If the police say yes, the order is carried out by",
        (True, Language.EN): "If the police say yes, they come to the event",
    }
    assert words[event, language] in text
    assert words[not event, language] not in text


def test_receipt_shows_the_status_link_once_where_it_says_what_it_is_for() -> None:
    text, html = receipt(Category.TRAFFIC_CONTROL, Language.DA)
    assert text.count(STATUS_URL) == 1
    assert html.count(f'href="{STATUS_URL.replace("&", "&amp;")}"') == 1
    follow, link = text.index("trække bestillingen tilbage:"), text.index(STATUS_URL)
    assert follow < link < text.index("Det har du sendt")


def test_receipt_shows_only_the_contact_details_that_were_given() -> None:
    text, html = receipt(
        Category.TRAFFIC_CONTROL,
        Language.DA,
        requester={"name": "Mette Hansen", "email": "mette@example.dk"},
        location={"postal_code": "8000"},
        details={"road": "Skovvejen", "problem": "other"},
    )
    for absent in ("Telefonnummer", "Forening", "Kommune:", "Hastighedsgrænse", "Tidspunkt på"):
        assert absent not in text and absent not in html, absent
    assert "Adresse: 8000\n" in text
    assert "Problem: Andet" in text


def test_receipt_escapes_what_the_citizen_wrote_and_keeps_its_lines() -> None:
    hostile = "<script>alert('x')</script> & co\nAnden linje"
    text, html = receipt(
        Category.TRAFFIC_CONTROL,
        Language.DA,
        description=hostile,
        requester={"name": "Mette <b>Hansen</b>", "email": "mette@example.dk"},
    )
    assert "<script>" not in html and "<b>Hansen</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co<br>\nAnden linje" in html
    assert "Mette &lt;b&gt;Hansen&lt;/b&gt;" in html
    assert "Beskrivelse:\n  <script>alert('x')</script> & co\n  Anden linje\n" in text


def test_an_urgent_event_says_so_in_the_receipt() -> None:
    text, html = receipt(Category.EVENT_PRESENCE, Language.DA, starts_in=timedelta(days=5))
    assert "behandles som hastende" in text and "behandles som hastende" in html


async def test_the_receipt_written_to_file_reads_back_whole(tmp_path: Path) -> None:
    """From the event to the .eml on disk, as `bestil dev` writes it."""
    from services.notifications import service
    from services.notifications.delivery import FileDelivery
    from services.notifications.models import NotificationsBase
    from services.notifications.service import Mailer
    from services.notifications.settings import NotificationsSettings
    from shared.clock import FrozenClock
    from shared.db import Database

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'n.db'}", NotificationsBase.metadata)
    await db.create_all()
    try:
        clock = FrozenClock(SUBMITTED_AT)
        order = submitted(Category.TALK, language="en")
        async with db.transaction() as session:
            await service.record_submission(session, order, clock())
        mail_dir = tmp_path / "mail"
        settings = NotificationsSettings(var_dir=tmp_path)
        assert await Mailer(db, settings, clock, FileDelivery(mail_dir)).send_due() == 1
    finally:
        await db.dispose()
    [written] = list(mail_dir.glob("*.eml"))
    assert order.reference in written.name and "receipt" in written.name
    message = email.message_from_bytes(written.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "jens@example.dk"
    assert message["Subject"] == f"We have received your order {order.reference}"
    assert message["Content-Language"] == "en"
    text, html = bodies(message)
    for body in (text, html):
        assert f"We have received your order {order.reference}." in body
        assert "Received" in body and "1 December 2026 at 10:30" in body
        assert "What happens now?" in body and "Keep this email" in body
        assert "Preventing burglary" in body and "Grundejerforeningen Solsikken" in body
        assert "jens@example.dk" in body


def test_deadline_breach_for_execution() -> None:
    message = make(EmailKind.DEADLINE_BREACHED, Language.EN, kind="execution")
    assert "deadline for carrying out" in message["Subject"]


def test_completed_asks_for_feedback_and_shows_the_summary() -> None:
    text, _ = bodies(make(EmailKind.COMPLETED, Language.EN))
    assert "whether you saw the police" in text
    assert "Vi målte 212 biler; 9 kørte for stærkt." in text


def test_optional_facts_may_be_left_out() -> None:
    facts = {"district_name": DISTRICT, "planned_start": PLANNED_START}
    message = compose(EmailKind.SCHEDULED, recipient(), sender=SENDER, facts=facts)
    assert "DTEND" not in calendar_part(message).get_content()
    without_urgent = {k: v for k, v in FACTS[EmailKind.RECEIPT].items() if k != "urgent"}
    assert compose(EmailKind.RECEIPT, recipient(), sender=SENDER, facts=without_urgent)["Subject"]


def test_missing_facts_are_named() -> None:
    with pytest.raises(ValueError, match="district_name"):
        compose(EmailKind.ROUTED, recipient(), sender=SENDER, facts={})


# --- Message-ID ------------------------------------------------------------------------


def test_message_id_for_an_event_is_deterministic() -> None:
    event_id = uuid.uuid4()
    assert message_id_for(event_id) == message_id_for(event_id)
    assert message_id_for(event_id) != message_id_for(uuid.uuid4())
    assert message_id_for(event_id) == f"<{event_id}@bestil.politi.dk>"
    message = compose(
        EmailKind.ROUTED,
        recipient(),
        sender=SENDER,
        facts=FACTS[EmailKind.ROUTED],
        message_id=message_id_for(event_id),
    )
    assert message["Message-ID"] == message_id_for(event_id)


def test_message_id_is_fresh_without_an_event() -> None:
    first, second = make(EmailKind.ROUTED), make(EmailKind.ROUTED)
    assert first["Message-ID"] != second["Message-ID"]


# --- the calendar file -----------------------------------------------------------------


def test_calendar_file_parses_back() -> None:
    part = calendar_part(make(EmailKind.SCHEDULED))
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename() == f"{REFERENCE}.ics"
    raw = part.get_payload(decode=True)
    assert isinstance(raw, bytes)
    ics = raw.decode("utf-8")
    assert ics.endswith("\r\n")
    assert "\n" not in ics.replace("\r\n", "")  # CRLF only
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-2] == "END:VCALENDAR"
    assert "METHOD:PUBLISH" in lines and "VERSION:2.0" in lines
    assert ics_property(lines, "DTSTART") == "20261209T130000Z"
    assert ics_property(lines, "DTEND") == "20261209T150000Z"
    assert ics_property(lines, "DTSTAMP") == "20261125T093000Z"
    summary = ics_property(lines, "SUMMARY")
    assert REFERENCE in summary and "Færdselskontrol" in summary
    assert ics_property(lines, "UID") == ics_uid(REFERENCE, PLANNED_START)


def test_calendar_dtstart_is_utc_whatever_zone_planned_start_has() -> None:
    from zoneinfo import ZoneInfo

    local_start = PLANNED_START.astimezone(ZoneInfo("Europe/Copenhagen"))
    part = calendar_part(make(EmailKind.SCHEDULED, planned_start=local_start, planned_end=None))
    lines = unfold(part.get_content())
    assert ics_property(lines, "DTSTART") == "20261209T130000Z"
    assert not any(line.startswith("DTEND") for line in lines)


def test_calendar_uid_is_stable_for_the_same_input() -> None:
    def uid(**facts: Any) -> str:
        return ics_property(
            unfold(calendar_part(make(EmailKind.SCHEDULED, **facts)).get_content()), "UID"
        )

    assert uid() == uid()
    assert uid(note="another note") == uid()
    assert uid(planned_start=PLANNED_START + timedelta(hours=1)) != uid()


def test_calendar_text_is_escaped_and_round_trips() -> None:
    note = "Mødested: skolen, indgang B; ring på\\dørklokken\nHusk refleksvest. " * 3
    part = calendar_part(make(EmailKind.SCHEDULED, note=note))
    description = ics_property(unfold(part.get_content()), "DESCRIPTION")
    assert "skolen\\, indgang B\\; ring på\\\\dørklokken\\nHusk" in description
    unescaped = (
        description.replace("\\n", "\n")
        .replace("\\,", ",")
        .replace("\\;", ";")
        .replace("\\\\", "\\")
    )
    assert note.strip() in unescaped


def test_ics_escape_and_fold() -> None:
    assert ics_escape("a,b;c\\d\r\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "æ" * 100  # two octets per character
    folded = ics_fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    escapes = "DESCRIPTION:" + "\\," * 60
    assert all(not part.endswith("\\") for part in ics_fold(escapes).split("\r\n"))


# --- dates in Danish time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "danish", "english"),
    [
        # summer time (UTC+2) the day before the October change, winter time (UTC+1) after
        (
            datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
            "24. oktober 2026 kl. 14.00",
            "24 October 2026 at 14:00",
        ),
        (
            datetime(2026, 10, 26, 12, 0, tzinfo=UTC),
            "26. oktober 2026 kl. 13.00",
            "26 October 2026 at 13:00",
        ),
        # 02.30 happens twice on 25 October 2026
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            "25. oktober 2026 kl. 02.30",
            "25 October 2026 at 02:30",
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "25. oktober 2026 kl. 02.30",
            "25 October 2026 at 02:30",
        ),
        # and 02.00–03.00 never happens on 29 March 2026
        (
            datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
            "29. marts 2026 kl. 01.59",
            "29 March 2026 at 01:59",
        ),
        (
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
            "29. marts 2026 kl. 03.00",
            "29 March 2026 at 03:00",
        ),
        # late evening UTC is already the next day, and the next year, in Denmark
        (
            datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
            "1. januar 2027 kl. 00.30",
            "1 January 2027 at 00:30",
        ),
    ],
    ids=[
        "before-october",
        "after-october",
        "first-0230",
        "second-0230",
        "before-march",
        "after-march",
        "new-year",
    ],
)
def test_dates_in_danish_time_across_dst(moment: datetime, danish: str, english: str) -> None:
    assert format_datetime(moment, Language.DA) == danish
    assert format_datetime(moment, Language.EN) == english


def test_date_and_period_formatting() -> None:
    assert format_date(PLANNED_START, Language.DA) == "9. december 2026"
    assert format_date(PLANNED_START, Language.EN) == "9 December 2026"
    assert (
        format_period(PLANNED_START, PLANNED_END, Language.DA) == "9. december 2026 kl. 14.00–16.00"
    )
    assert format_period(PLANNED_START, PLANNED_END, Language.EN) == "9 December 2026, 14:00–16:00"
    overnight = format_period(PLANNED_START, PLANNED_START + timedelta(hours=12), Language.DA)
    assert overnight == "9. december 2026 kl. 14.00 – 10. december 2026 kl. 02.00"
    assert format_period(PLANNED_START, None, Language.EN) == "9 December 2026 at 14:00"


def test_scheduled_email_shows_danish_summer_time() -> None:
    start = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)  # 18.00 Danish summer time
    text, _ = bodies(make(EmailKind.SCHEDULED, planned_start=start, planned_end=None))
    assert "3. juni 2026 kl. 18.00" in text
