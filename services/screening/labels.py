"""The workspace's Danish words for the shared vocabularies: one place, used by every page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.vocabulary import (
    Category,
    Channel,
    OrderStatus,
    ReasonCode,
    Role,
    TalkTopic,
    TimeOfDay,
    TrafficProblem,
)

CATEGORY = {
    Category.TRAFFIC_CONTROL: "Færdselskontrol",
    Category.TALK: "Foredrag",
    Category.EVENT_PRESENCE: "Tilstedeværelse ved arrangement",
}

STATUS = {
    OrderStatus.RECEIVED: "Modtaget",
    OrderStatus.ROUTED: "Til behandling",
    OrderStatus.NEEDS_ROUTING: "Mangler kreds",
    OrderStatus.INFO_REQUESTED: "Afventer borgerens svar",
    OrderStatus.ACCEPTED: "Imødekommet",
    OrderStatus.DECLINED: "Afvist",
    OrderStatus.SCHEDULED: "Planlagt",
    OrderStatus.COMPLETED: "Udført",
    OrderStatus.CANCELLED: "Trukket tilbage",
}

REASON = {
    ReasonCode.ACCEPTED: "Imødekommet",
    ReasonCode.NO_CAPACITY: "Afvist: ingen kapacitet",
    ReasonCode.ALREADY_PLANNED: "Afvist: en kontrol er allerede planlagt der",
    ReasonCode.NOT_A_POLICE_TASK: "Afvist: ikke en opgave for politiet",
    ReasonCode.INSUFFICIENT_INFORMATION: "Afvist: for få oplysninger",
    ReasonCode.DUPLICATE: "Afvist: besvaret sammen med en anden bestilling",
    ReasonCode.OTHER: "Afvist: anden grund",
}

ROLE = {
    Role.OFFICER: "Betjent",
    Role.COORDINATOR: "Koordinator",
    Role.NATIONAL_ADMIN: "National administrator",
}

CHANNEL = {Channel.WEB: "Webformular", Channel.PHONE: "Telefon", Channel.API: "API"}

PROBLEM = {
    TrafficProblem.SPEEDING: "For høj fart",
    TrafficProblem.MOPEDS: "Knallerter",
    TrafficProblem.HEAVY_VEHICLES: "Tung trafik",
    TrafficProblem.OTHER: "Andet",
}

TIME_OF_DAY = {
    TimeOfDay.MORNING: "Morgen",
    TimeOfDay.DAYTIME: "Dag",
    TimeOfDay.EVENING: "Aften",
    TimeOfDay.NIGHT: "Nat",
}

TOPIC = {
    TalkTopic.BURGLARY_PREVENTION: "Forebyggelse af indbrud",
    TalkTopic.CYBER_CRIME: "It-kriminalitet",
    TalkTopic.TRICK_THEFT: "Tricktyveri",
    TalkTopic.LOCAL_CRIME: "Kriminalitet i lokalområdet",
    TalkTopic.TRAFFIC_SAFETY: "Trafiksikkerhed",
    TalkTopic.OTHER: "Andet emne",
}

TOPIC_EN = {
    TalkTopic.BURGLARY_PREVENTION: "burglary prevention",
    TalkTopic.CYBER_CRIME: "IT crime",
    TalkTopic.TRICK_THEFT: "trick theft",
    TalkTopic.LOCAL_CRIME: "local crime",
    TalkTopic.TRAFFIC_SAFETY: "traffic safety",
    TalkTopic.OTHER: "another topic",
}

#: What each history entry is called on the order page.
ACTIVITY = {
    "OrderSubmitted": "Bestilling modtaget",
    "OrderRouted": "Fordelt til kreds",
    "OrderUnroutable": "Kunne ikke fordeles automatisk",
    "RerouteRequested": "Sendt til anden kreds",
    "OrderScreened": "Afgørelse sendt",
    "OrderScheduled": "Planlagt",
    "OrderCompleted": "Udført",
    "OrderCancelled": "Trukket tilbage af borgeren",
    "InfoRequested": "Spørgsmål til borgeren",
    "InfoProvided": "Borgerens svar",
    "FeedbackReceived": "Borgerens tilbagemelding",
    "DeadlineAlert": "Fristvarsel",
    "ErasureRequested": "Personoplysninger slettet",
}

#: The audit trail's actions.
AUDIT_ACTION = {
    "viewed": "Så personoplysninger",
    "listed": "Hentede ordreliste (API)",
    "decided": "Afgørelse",
    "scheduled": "Planlægning",
    "completed": "Udført",
    "rerouted": "Sendt til anden kreds",
    "routed": "Manuel fordeling",
    "asked": "Spørgsmål til borgeren",
    "phone_order": "Telefonbestilling registreret",
    "templates_saved": "Svarskabeloner ændret",
    "signed_in": "Logget ind",
    "sign_in_failed": "Mislykket login",
    "locked_out": "Konto låst efter mislykkede login",
    "signed_out": "Logget ud",
    "officer_added": "Konto oprettet",
    "token_issued": "API-nøgle udstedt",
    "token_revoked": "API-nøgle tilbagekaldt",
    "officer_deactivated": "Konto deaktiveret",
    "erased": "Personoplysninger slettet",
    "capacity_set": "Ugekapacitet ændret",
    "queue_exported": "Kø hentet som CSV",
    "stats_exported": "Statistik hentet som CSV",
}


def label(table: dict, value: str | None, default: str = "–") -> str:
    """The Danish word for a vocabulary value; unknown values are shown as they are."""
    if value is None:
        return default
    return table.get(value, value)


#: The week plan's days, Monday first (ISO weeks).
WEEKDAY = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


#: How an open order stands against its deadline on the map (`map_data.deadline_state`), and
#: the shape drawn with it, so that the colour is never the only sign.
DEADLINE_STATE = {
    "ok": "Inden for fristen",
    "warning": "Frist nær",
    "breached": "Frist overskredet",
}
DEADLINE_SHAPE = {"ok": "cirkel", "warning": "trekant", "breached": "firkant med udråbstegn"}


@dataclass(frozen=True)
class SystemText:
    """A text another service wrote, as an officer reads it: in their language when it is one
    of the known ones; otherwise as given, marked as the system's own words (`known` false)."""

    text: str
    known: bool
    original: str
    language: str = "da"


#: Why routing left an order to a person (services/routing/domain.py `Unroutable`), in the
#: officers' words: (pattern of routing's English text, Danish, English).
ROUTING_REASONS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"no municipality given and no boundary or postal-code data configured"),
        "Borgeren har ikke valgt en kommune, og fordelingen har ingen grænse- eller "
        "postnummerdata at afgøre kredsen ud fra.",
        "No municipality was given, and routing has no boundary or postal-code data to "
        "decide the district from.",
    ),
    (
        re.compile(r"postal code (?P<code>\S+) does not decide a single district"),
        "Postnummer {code} peger ikke på én bestemt politikreds: det ligger i flere kredse "
        "eller findes ikke i postnummerdata.",
        "Postal code {code} does not point to one police district: it spans several "
        "districts or is not in the postal-code data.",
    ),
]


def routing_reason(reason: str | None, language: str = "da") -> SystemText | None:
    """Routing's reason for an unroutable order in the officer's language (Danish, the
    workspace's; or English); an unknown reason is given back as written."""
    if not reason:
        return None
    given = reason.strip()
    for pattern, danish, english in ROUTING_REASONS:
        found = pattern.fullmatch(given)
        if found:
            text = danish if language == "da" else english
            return SystemText(text.format(**found.groupdict()), True, given, language)
    return SystemText(given, False, given, "en")
