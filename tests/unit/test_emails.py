"""The citizen's emails read right once parsed back: both parts, language, decisions, .ics."""

from __future__ import annotations

import email
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from typing import Any

import pytest

from services.notifications.emails.calendar import ics_escape, ics_fold, ics_uid
from services.notifications.emails.citizen import compose
from services.notifications.emails.kinds import EmailKind, Recipient, message_id_for
from services.notifications.emails.words import CATEGORY_NAMES, REASONS
from shared.danish_time import format_date, format_datetime, format_period
from shared.vocabulary import Category, Language, ReasonCode

REFERENCE = "BEB-7K3M9QXZ"
STATUS_URL = f"https://bestil.politi.dk/status/{REFERENCE}?token=s3cret&lang=da"
SENDER = "Bestil en betjent <noreply@bestil.politi.dk>"
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
PLANNED_START = datetime(2026, 12, 9, 13, 0, tzinfo=UTC)  # 14.00 Danish time
PLANNED_END = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
DISTRICT = "Østjyllands Politi"

FACTS: dict[EmailKind, dict[str, Any]] = {
    EmailKind.RECEIPT: {
        "decision_due": NOW + timedelta(days=14),
        "execution_due": NOW + timedelta(days=30),
        "urgent": False,
    },
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
    assert f"Kære Mette Hansen<br>\nDin bestilling {REFERENCE} hos {DISTRICT}" in html
    assert "{navn}" not in text + html


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
    text, _ = bodies(make(EmailKind.RECEIPT, Language.EN, Category.EVENT_PRESENCE))
    assert "The event starts" in text
    assert "police presence at an event" in text


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
    receipt = {k: v for k, v in FACTS[EmailKind.RECEIPT].items() if k != "urgent"}
    assert compose(EmailKind.RECEIPT, recipient(), sender=SENDER, facts=receipt)["Subject"]


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
