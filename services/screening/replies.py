"""Messages to citizens: each district's editable templates per reason code and language.

A template may hold the merge fields of `shared.merge_fields`: {reference}, {emne} and {kreds}
are filled in for each order when the decision is sent, so one text can answer a group of
neighbours; {navn} is personal data and stays a placeholder until notifications writes the
email (the event and screening's copy carry no name).
"""

from __future__ import annotations

from typing import Any

from services.screening.labels import TOPIC, TOPIC_EN
from shared.merge_fields import DISTRICT, FIELDS, REFERENCE, SUBJECT, fill, unknown_fields
from shared.vocabulary import Language, ReasonCode, TalkTopic

__all__ = ["FIELDS", "default_template", "fill", "merge_values", "unknown_fields"]

# No salutation: the email around the text greets the citizen by name already (and one that
# an officer writes, "Kære {navn}", replaces it), and the status page shows no name.
_DA_OPENING = "Tak for din bestilling {reference} om {emne}.\n\n"
_DA_CLOSING = "\n\nVenlig hilsen\n{kreds}"
_EN_OPENING = "Thank you for your order {reference} about {emne}.\n\n"
_EN_CLOSING = "\n\nKind regards\n{kreds}"

_DEFAULTS: dict[ReasonCode, tuple[str, str]] = {
    ReasonCode.ACCEPTED: (
        "Vi har besluttet at imødekomme den. Vi skriver til dig igen, når vi har planlagt, "
        "hvornår vi kommer.",
        "We have decided to accept it. We will write to you again when we have planned "
        "when we will come.",
    ),
    ReasonCode.NO_CAPACITY: (
        "Vi har desværre ikke mulighed for at imødekomme den inden for de næste 30 dage, "
        "fordi vores ressourcer er bundet til andre opgaver. Du er velkommen til at bestille "
        "igen senere.",
        "Unfortunately we cannot accept it within the next 30 days, because our resources "
        "are needed for other tasks. You are welcome to order again later.",
    ),
    ReasonCode.ALREADY_PLANNED: (
        "Vi har allerede planlagt en kontrol på stedet, så vi opretter ikke en ny. "
        "Tak fordi du gjorde os opmærksom på problemet.",
        "We have already planned a control at this place, so we will not add another one. "
        "Thank you for making us aware of the problem.",
    ),
    ReasonCode.NOT_A_POLICE_TASK: (
        "Det, du beskriver, er ikke en opgave for politiet. Kontakt i stedet din kommune, "
        "som har ansvaret for veje og skiltning.",
        "What you describe is not a task for the police. Please contact your municipality, "
        "which is responsible for roads and signs.",
    ),
    ReasonCode.INSUFFICIENT_INFORMATION: (
        "Vi har for få oplysninger til at kunne vurdere bestillingen. Du er velkommen til at "
        "bestille igen med en mere præcis beskrivelse af stedet og problemet.",
        "We do not have enough information to assess the order. You are welcome to order "
        "again with a more precise description of the place and the problem.",
    ),
    ReasonCode.DUPLICATE: (
        "Vi har fået flere bestillinger om det samme sted og besvarer dem samlet. "
        "Vi skriver til dig, når der er nyt.",
        "We have received several orders about the same place and answer them together. "
        "We will write to you when there is news.",
    ),
    ReasonCode.OTHER: (
        "Vi kan desværre ikke imødekomme den, fordi ",
        "Unfortunately we cannot accept it, because ",
    ),
}


def default_template(reason: ReasonCode, language: Language) -> str:
    da, en = _DEFAULTS[reason]
    if language == Language.EN:
        return _EN_OPENING + en + _EN_CLOSING
    return _DA_OPENING + da + _DA_CLOSING


def subject_of(content: dict[str, Any], language: Language = Language.DA) -> str:
    """What the order is about, in a few words of the citizen's language."""
    details = content.get("details") or {}
    category = content.get("category")
    english = language == Language.EN
    if category == "traffic_control":
        road = details.get("road") or ""
        return f"a traffic control on {road}" if english else f"en færdselskontrol på {road}"
    if category == "talk":
        words = topic_words(details.get("topic"), english=english).lower()
        return f"a talk on {words}" if english else f"et foredrag om {words}"
    if category == "event_presence":
        name = details.get("event_name") or ""
        return f"police presence at {name}" if english else f"politiets tilstedeværelse ved {name}"
    return "your order" if english else "din bestilling"


def topic_words(topic: Any, *, english: bool = False) -> str:
    """A talk's topic in words; an unknown one (or one that is not text) as it was given."""
    try:
        known = TalkTopic(topic)
    except ValueError:
        return str(topic or "")
    return (TOPIC_EN if english else TOPIC).get(known, str(topic))


def merge_values(
    content: dict[str, Any], reference: str, district_name: str, language: Language
) -> dict[str, str]:
    """The fields screening fills in itself: none of them personal data (no {navn})."""
    return {
        REFERENCE: reference,
        SUBJECT: subject_of(content, language),
        DISTRICT: district_name,
    }


def short_subject(content: dict[str, Any]) -> str:
    """A queue line's few words about the order (no personal data): road, topic or event."""
    details = content.get("details") or {}
    category = content.get("category")
    if category == "traffic_control":
        return str(details.get("road") or "")
    if category == "talk":
        return topic_words(details.get("topic"))
    if category == "event_presence":
        return str(details.get("event_name") or "")
    return ""
