"""What a citizen's email says, kind by kind, before it is rendered into text and HTML."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from services.notifications.emails.kinds import EmailKind, Recipient
from services.notifications.emails.words import REASONS, WORDS
from shared import merge_fields
from shared.danish_time import format_date, format_datetime, format_period
from shared.vocabulary import Category, DeadlineKind, Language, ReasonCode


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


REQUIRED: dict[EmailKind, tuple[str, ...]] = {
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

    def say(self, key: str, **values: str) -> str:
        return self.w[key].format(
            reference=self.recipient.reference, district=self.district, **values
        )


def _receipt(d: _Draft) -> Content:
    paragraphs = [d.say("receipt_body"), d.say("receipt_decision")]
    if d.facts.get("urgent"):
        paragraphs.append(d.say("urgent"))
    is_event = Category(d.recipient.category) == Category.EVENT_PRESENCE
    execution_label = d.w["event_start"] if is_event else d.w["execution_due"]
    return Content(
        subject=d.say("receipt_subject"),
        lead=d.say("receipt_lead"),
        paragraphs=paragraphs,
        facts=[
            (d.w["decision_due"], format_datetime(d.facts["decision_due"], d.lang)),
            (execution_label, format_datetime(d.facts["execution_due"], d.lang)),
        ],
        signed_by=d.signed_by,
    )


def _routed(d: _Draft) -> Content:
    return Content(
        subject=d.say("routed_subject"),
        lead=d.say("routed_lead"),
        paragraphs=[d.say("routed_body")],
        facts=d.district_fact,
        signed_by=d.signed_by,
    )


def _accepted(d: _Draft) -> Content:
    return Content(
        subject=d.say("accepted_subject"),
        lead=d.say("accepted_lead"),
        paragraphs=[d.say("accepted_body")],
        blocks=_blocks((d.w["district_message"], d.facts["message"])),
        facts=d.district_fact,
        signed_by=d.signed_by,
    )


def _declined(d: _Draft) -> Content:
    reason = REASONS[d.lang][ReasonCode(d.facts["reason_code"])]
    return Content(
        subject=d.say("declined_subject"),
        lead=d.say("declined_lead"),
        paragraphs=[d.say("declined_body")],
        blocks=_blocks((d.w["reason"], reason), (d.w["district_message"], d.facts["message"])),
        facts=d.district_fact,
        signed_by=d.signed_by,
    )


def _scheduled(d: _Draft) -> Content:
    when = format_period(d.facts["planned_start"], d.facts.get("planned_end"), d.lang)
    return Content(
        subject=d.say("scheduled_subject", date=format_date(d.facts["planned_start"], d.lang)),
        lead=d.say("scheduled_lead", when=when),
        paragraphs=[d.say("scheduled_body")],
        blocks=_blocks((d.w["note"], d.facts.get("note"))),
        facts=[(d.w["when"], when), *d.district_fact],
        signed_by=d.signed_by,
    )


def _completed(d: _Draft) -> Content:
    return Content(
        subject=d.say("completed_subject"),
        lead=d.say("completed_lead", date=format_date(d.facts["completed_at"], d.lang)),
        paragraphs=[d.say("completed_body")],
        blocks=_blocks((d.w["summary"], d.facts["summary"])),
        facts=d.district_fact,
        signed_by=d.signed_by,
    )


def _info_requested(d: _Draft) -> Content:
    return Content(
        subject=d.say("info_requested_subject"),
        lead=d.say("info_requested_lead"),
        paragraphs=[d.say("info_requested_body")],
        blocks=_blocks((d.w["question"], d.facts["question"])),
        facts=d.district_fact,
        signed_by=d.signed_by,
    )


def _cancelled(d: _Draft) -> Content:
    return Content(
        subject=d.say("cancelled_subject"),
        lead=d.say("cancelled_lead", when=format_datetime(d.facts["cancelled_at"], d.lang)),
        paragraphs=[d.say("cancelled_body")],
        signed_by=d.signed_by,
    )


def _deadline_breached(d: _Draft) -> Content:
    deadline = DeadlineKind(d.facts["kind"])
    due = format_datetime(d.facts["due_at"], d.lang)
    return Content(
        subject=d.say(f"{deadline}_breached_subject"),
        lead=d.say(f"{deadline}_breached_lead", when=due),
        paragraphs=[d.say("breached_body")],
        facts=[(d.w["due_at"], due), *d.district_fact],
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
