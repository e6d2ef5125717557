"""What a citizen's email says, kind by kind, before it is rendered into text and HTML."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.notifications.emails.kinds import EmailKind, Recipient
from services.notifications.emails.words import (
    CATEGORY_NAMES,
    FIELD_LABELS,
    PROBLEMS,
    REASONS,
    TIMES_OF_DAY,
    TOPICS,
    WORDS,
)
from shared import districts, merge_fields
from shared.danish_time import format_date, format_datetime, format_period
from shared.events import EventPresenceDetails, OrderContent, TalkDetails, TrafficControlDetails
from shared.vocabulary import Category, DeadlineKind, Language, ReasonCode


@dataclass(frozen=True)
class Block:
    """A labelled piece of text, e.g. the district's message; newlines are kept."""

    label: str
    text: str


@dataclass(frozen=True)
class Section:
    """A part of an email under its own heading: an intro, numbered steps, label/value rows
    (a summary; newlines are kept), closing paragraphs and, where it belongs, the status link."""

    heading: str
    intro: str = ""
    steps: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    status_link: bool = False


@dataclass(frozen=True)
class Content:
    """One email's words, rendered by the same text and HTML templates for every kind."""

    subject: str
    lead: str
    paragraphs: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    signed_by: str = ""

    @property
    def status_link_in_a_section(self) -> bool:
        """Whether a section shows the status link, so the end of the email need not."""
        return any(section.status_link for section in self.sections)


REQUIRED: dict[EmailKind, tuple[str, ...]] = {
    EmailKind.RECEIPT: ("decision_due", "execution_due", "submitted_at", "order"),
    EmailKind.ROUTED: ("district_name",),
    EmailKind.ACCEPTED: ("district_name", "message", "reason_code"),
    EmailKind.DECLINED: ("district_name", "message", "reason_code"),
    EmailKind.SCHEDULED: ("district_name", "planned_start"),
    EmailKind.COMPLETED: ("district_name", "completed_at", "summary"),
    EmailKind.INFO_REQUESTED: ("district_name", "question"),
    EmailKind.CANCELLED: ("cancelled_at",),
    EmailKind.DEADLINE_BREACHED: ("kind", "due_at"),
}


#: The facts that are an officer's words to the citizen, which may hold merge fields.
OFFICER_TEXTS = ("message", "note", "summary", "question")


def personalised(recipient: Recipient, facts: Mapping[str, Any]) -> dict[str, Any]:
    """The facts with the officer's texts filled in for this citizen: `{navn}` gets the name
    only here, as the email is written; the events carry the placeholder."""
    values = {
        merge_fields.NAME: merge_fields.name_for(recipient.name, recipient.language),
        merge_fields.REFERENCE: recipient.reference,
    }
    if district := str(facts.get("district_name") or ""):
        values[merge_fields.DISTRICT] = district
    return {
        name: merge_fields.fill(value, values)
        if name in OFFICER_TEXTS and isinstance(value, str)
        else value
        for name, value in facts.items()
    }


def greets_in_own_words(facts: Mapping[str, Any]) -> bool:
    """Whether an officer's text in the email already greets the citizen by name
    ("Kære {navn}"), so the email does not greet them a second time."""
    return any(
        isinstance(facts.get(name), str) and merge_fields.greets_by_name(facts[name])
        for name in OFFICER_TEXTS
    )


def _blocks(*pairs: tuple[str, Any]) -> list[Block]:
    """Blocks for the texts that are there; an empty note is left out."""
    return [Block(label, str(text).strip()) for label, text in pairs if text and str(text).strip()]


@dataclass(frozen=True)
class _Draft:
    """What every kind's words draw on: the language's sentences, the citizen, the facts."""

    recipient: Recipient
    facts: Mapping[str, Any]

    @property
    def lang(self) -> Language:
        return Language(self.recipient.language)

    @property
    def w(self) -> dict[str, str]:
        return WORDS[self.lang]

    @property
    def district(self) -> str:
        return str(self.facts.get("district_name", ""))

    @property
    def signed_by(self) -> str:
        return self.district or self.w["police"]

    @property
    def district_fact(self) -> list[tuple[str, str]]:
        return [(self.w["district"], self.district)] if self.district else []

    @property
    def category(self) -> str:
        return CATEGORY_NAMES[self.lang][Category(self.recipient.category)]

    @property
    def order_facts(self) -> list[tuple[str, str]]:
        """What every email about the order repeats: its reference and category."""
        return [
            (self.w["reference"], self.recipient.reference),
            (self.w["category"], self.category),
        ]

    def say(self, key: str, **values: str) -> str:
        return self.w[key].format(
            reference=self.recipient.reference, district=self.district, **values
        )


def _receipt(d: _Draft) -> Content:
    """The receipt, after the design system's receipt pattern: the reference, when it was
    received, the deadlines, what happens now, what was sent, and how to find the way back."""
    order: OrderContent = d.facts["order"]
    is_event = Category(order.category) == Category.EVENT_PRESENCE
    decision = format_datetime(d.facts["decision_due"], d.lang)
    execution = format_datetime(d.facts["execution_due"], d.lang)
    paragraphs = [d.say("receipt_thanks")]
    if d.facts.get("urgent"):
        paragraphs.append(d.say("urgent"))
    next_steps = Section(
        heading=d.w["next_heading"],
        steps=[
            d.say("receipt_body"),
            d.say("receipt_decision", date=decision),
            d.say("receipt_execution_event" if is_event else "receipt_execution", date=execution),
        ],
        paragraphs=[d.say("receipt_each_step"), d.say("receipt_follow")],
        status_link=True,
    )
    return Content(
        subject=d.say("receipt_subject"),
        lead=d.say("receipt_lead"),
        paragraphs=paragraphs,
        facts=[
            (d.w["reference_number"], d.recipient.reference),
            (d.w["received"], format_datetime(d.facts["submitted_at"], d.lang)),
            (d.w["decision_due"], decision),
            (d.w["event_start"] if is_event else d.w["execution_due"], execution),
        ],
        sections=[
            next_steps,
            Section(d.w["sent_heading"], intro=d.w["sent_intro"], rows=_sent_rows(d, order)),
            Section(
                d.w["contact_heading"], intro=d.w["contact_intro"], rows=_contact_rows(d, order)
            ),
            Section(d.w["keep_heading"], paragraphs=[d.say("keep_body")]),
        ],
        signed_by=d.signed_by,
    )


def _sent_rows(d: _Draft, order: OrderContent) -> list[tuple[str, str]]:
    """What was ordered, as the citizen gave it: category, details, place, description."""
    labels = FIELD_LABELS[d.lang]
    rows = [(d.w["category"], d.category), *_detail_rows(d, order)]
    location = order.location
    town = " ".join(filter(None, [location.postal_code, location.city]))
    rows.append((labels["address"], ", ".join(filter(None, [location.address, town]))))
    if municipality := districts.municipality(location.municipality_code or ""):
        rows.append((labels["municipality"], municipality.name))
    rows.append((labels["description"], order.description))
    return [(label, value) for label, value in rows if value.strip()]


def _detail_rows(d: _Draft, order: OrderContent) -> list[tuple[str, str]]:
    labels = FIELD_LABELS[d.lang]
    details = order.details
    if isinstance(details, TrafficControlDetails):
        speed = details.speed_limit_kmh
        return [
            (labels["road"], details.road),
            (labels["problem"], PROBLEMS[d.lang][details.problem]),
            (labels["speed_limit_kmh"], labels["km_h"].format(n=speed) if speed else ""),
            (
                labels["time_of_day"],
                ", ".join(TIMES_OF_DAY[d.lang][t] for t in details.time_of_day or []),
            ),
        ]
    if isinstance(details, TalkDetails):
        return [
            (labels["topic"], TOPICS[d.lang][details.topic]),
            (labels["audience"], details.audience),
            (labels["talk_attendees"], labels["people"].format(n=details.expected_attendees)),
            (
                labels["preferred_dates"],
                ", ".join(format_date(day, d.lang) for day in details.preferred_dates or []),
            ),
        ]
    if isinstance(details, EventPresenceDetails):
        return [
            (labels["event_name"], details.event_name),
            (labels["event_start"], format_datetime(details.event_start, d.lang)),
            (labels["event_end"], format_datetime(details.event_end, d.lang)),
            (labels["event_attendees"], labels["people"].format(n=details.expected_attendees)),
            (labels["venue"], details.venue),
        ]
    return []


def _contact_rows(d: _Draft, order: OrderContent) -> list[tuple[str, str]]:
    """The contact details as the citizen typed them (their own inbox, their own data)."""
    labels = FIELD_LABELS[d.lang]
    requester = order.requester
    is_event = Category(order.category) == Category.EVENT_PRESENCE
    organisation = "organiser" if is_event else "organisation"
    rows = [
        (labels["name"], requester.name),
        (labels["email"], str(requester.email)),
        (labels["phone"], requester.phone or ""),
        (labels[organisation], requester.organisation or ""),
    ]
    return [(label, value) for label, value in rows if value.strip()]


def _routed(d: _Draft) -> Content:
    return Content(
        subject=d.say("routed_subject"),
        lead=d.say("routed_lead"),
        paragraphs=[d.say("routed_body")],
        facts=[*d.order_facts, *d.district_fact],
        signed_by=d.signed_by,
    )


def _accepted(d: _Draft) -> Content:
    return Content(
        subject=d.say("accepted_subject"),
        lead=d.say("accepted_lead"),
        paragraphs=[d.say("accepted_body")],
        blocks=_blocks((d.w["district_message"], d.facts["message"])),
        facts=[*d.order_facts, *d.district_fact],
        signed_by=d.signed_by,
    )


def _declined(d: _Draft) -> Content:
    reason = REASONS[d.lang][ReasonCode(d.facts["reason_code"])]
    return Content(
        subject=d.say("declined_subject"),
        lead=d.say("declined_lead"),
        paragraphs=[d.say("declined_body")],
        blocks=_blocks((d.w["reason"], reason), (d.w["district_message"], d.facts["message"])),
        facts=[*d.order_facts, *d.district_fact],
        signed_by=d.signed_by,
    )


def _scheduled(d: _Draft) -> Content:
    when = format_period(d.facts["planned_start"], d.facts.get("planned_end"), d.lang)
    return Content(
        subject=d.say("scheduled_subject", date=format_date(d.facts["planned_start"], d.lang)),
        lead=d.say("scheduled_lead", when=when),
        paragraphs=[d.say("scheduled_body")],
        blocks=_blocks((d.w["note"], d.facts.get("note"))),
        facts=[*d.order_facts, (d.w["when"], when), *d.district_fact],
        signed_by=d.signed_by,
    )


def _completed(d: _Draft) -> Content:
    return Content(
        subject=d.say("completed_subject"),
        lead=d.say("completed_lead", date=format_date(d.facts["completed_at"], d.lang)),
        paragraphs=[d.say("completed_body")],
        blocks=_blocks((d.w["summary"], d.facts["summary"])),
        facts=[*d.order_facts, *d.district_fact],
        signed_by=d.signed_by,
    )


def _info_requested(d: _Draft) -> Content:
    return Content(
        subject=d.say("info_requested_subject"),
        lead=d.say("info_requested_lead"),
        paragraphs=[d.say("info_requested_body")],
        blocks=_blocks((d.w["question"], d.facts["question"])),
        facts=[*d.order_facts, *d.district_fact],
        signed_by=d.signed_by,
    )


def _cancelled(d: _Draft) -> Content:
    return Content(
        subject=d.say("cancelled_subject"),
        lead=d.say("cancelled_lead", when=format_datetime(d.facts["cancelled_at"], d.lang)),
        paragraphs=[d.say("cancelled_body")],
        facts=d.order_facts,
        signed_by=d.signed_by,
    )


def _deadline_breached(d: _Draft) -> Content:
    deadline = DeadlineKind(d.facts["kind"])
    due = format_datetime(d.facts["due_at"], d.lang)
    return Content(
        subject=d.say(f"{deadline}_breached_subject"),
        lead=d.say(f"{deadline}_breached_lead", when=due),
        paragraphs=[d.say("breached_body")],
        facts=[*d.order_facts, (d.w["due_at"], due), *d.district_fact],
        signed_by=d.signed_by,
    )


_WRITERS: dict[EmailKind, Callable[[_Draft], Content]] = {
    EmailKind.RECEIPT: _receipt,
    EmailKind.ROUTED: _routed,
    EmailKind.ACCEPTED: _accepted,
    EmailKind.DECLINED: _declined,
    EmailKind.SCHEDULED: _scheduled,
    EmailKind.COMPLETED: _completed,
    EmailKind.INFO_REQUESTED: _info_requested,
    EmailKind.CANCELLED: _cancelled,
    EmailKind.DEADLINE_BREACHED: _deadline_breached,
}


def content_for(kind: EmailKind, recipient: Recipient, facts: Mapping[str, Any]) -> Content:
    """Pick the words for one email kind and fill in the facts; refuse when facts are missing."""
    missing = [name for name in REQUIRED[kind] if name not in facts]
    if missing:
        raise ValueError(f"a {kind} email needs the facts {', '.join(missing)}")
    return _WRITERS[kind](_Draft(recipient, facts))
