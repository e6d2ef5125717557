"""What the demo holds: the places, people and stage of every order, planned before anything is sent."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from shared import districts

if TYPE_CHECKING:
    pass

# --- who and where -----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A town in a district: its municipality decides the routing, as in the citizen's form."""

    municipality_code: str
    postal_code: str
    city: str
    lat: float
    lon: float
    """The town's centre (WGS84): each order's pin lands a few hundred metres from it."""


PLACES: dict[str, tuple[Place, ...]] = {
    "1460": (
        Place("851", "9000", "Aalborg", 57.048, 9.9187),
        Place("860", "9800", "Hjørring", 57.4642, 9.9823),
        Place("813", "9900", "Frederikshavn", 57.4407, 10.5366),
    ),
    "1461": (
        Place("751", "8000", "Aarhus C", 56.1567, 10.2108),
        Place("730", "8900", "Randers C", 56.4607, 10.0364),
        Place("706", "8400", "Ebeltoft", 56.1944, 10.6821),
    ),
    "1462": (
        Place("657", "7400", "Herning", 56.1393, 8.9738),
        Place("791", "8800", "Viborg", 56.4532, 9.402),
        Place("661", "7500", "Holstebro", 56.3601, 8.6161),
    ),
    "1463": (
        Place("630", "7100", "Vejle", 55.7093, 9.5357),
        Place("615", "8700", "Horsens", 55.8607, 9.8503),
        Place("621", "6000", "Kolding", 55.4904, 9.4722),
    ),
    "1464": (
        Place("561", "6700", "Esbjerg", 55.4765, 8.4594),
        Place("540", "6400", "Sønderborg", 54.9138, 9.7922),
        Place("580", "6200", "Aabenraa", 55.0443, 9.4174),
    ),
    "1465": (
        Place("461", "5000", "Odense C", 55.3959, 10.3883),
        Place("479", "5700", "Svendborg", 55.0598, 10.6068),
        Place("410", "5500", "Middelfart", 55.5059, 9.7309),
    ),
    "1466": (
        Place("370", "4700", "Næstved", 55.2299, 11.7609),
        Place("376", "4800", "Nykøbing F", 54.7691, 11.8743),
        Place("330", "4200", "Slagelse", 55.4028, 11.3546),
    ),
    "1467": (
        Place("265", "4000", "Roskilde", 55.6419, 12.0878),
        Place("316", "4300", "Holbæk", 55.7175, 11.7128),
        Place("259", "4600", "Køge", 55.458, 12.1821),
    ),
    "1468": (
        Place("217", "3000", "Helsingør", 56.0361, 12.6136),
        Place("219", "3400", "Hillerød", 55.9267, 12.3109),
        Place("157", "2820", "Gentofte", 55.75, 12.55),
    ),
    "1469": (
        Place("151", "2750", "Ballerup", 55.7317, 12.3633),
        Place("161", "2600", "Glostrup", 55.6666, 12.4026),
        Place("169", "2630", "Taastrup", 55.6517, 12.2924),
    ),
    "1470": (
        Place("101", "2300", "København S", 55.66, 12.6),
        Place("147", "2000", "Frederiksberg", 55.6786, 12.5323),
        Place("185", "2770", "Kastrup", 55.63, 12.64),
    ),
    "1471": (
        Place("400", "3700", "Rønne", 55.1009, 14.7066),
        Place("400", "3730", "Nexø", 55.0603, 15.1311),
    ),
}

STREETS = (
    "Skolevej",
    "Kirkevej",
    "Stationsvej",
    "Møllevej",
    "Skovvej",
    "Bygaden",
    "Ringvejen",
    "Søndergade",
    "Nørregade",
    "Vestergade",
    "Strandvejen",
    "Engvej",
    "Bakkevej",
    "Industrivej",
)

# Common names, put together at random: nobody in particular.
FIRST_NAMES = (
    "Mette",
    "Jens",
    "Anne",
    "Lars",
    "Hanne",
    "Søren",
    "Camilla",
    "Mikkel",
    "Louise",
    "Peter",
    "Sofie",
    "Henrik",
    "Ida",
    "Morten",
)
LAST_NAMES = (
    "Hansen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Madsen",
    "Kristensen",
    "Olsen",
)

OFFICER_EMAIL = "demo.admin@example.dk"
OFFICER_NAME = "Demo Rigsadministrator"
OFFICER_PASSWORD = "demo-kodeord-kun-til-bestil-dev"

# --- what happens to each order ----------------------------------------------------------


class Stage(StrEnum):
    """Where a demo order is left in its life."""

    NEW = "new"
    ASKED = "asked"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"
    DEADLINE_NEAR = "deadline_near"
    DEADLINE_PAST = "deadline_past"


STAGE_LABELS = {
    Stage.NEW: "new, not yet screened",
    Stage.ASKED: "question asked, awaiting the citizen",
    Stage.ANSWERED: "question answered by the citizen",
    Stage.ACCEPTED: "accepted",
    Stage.DECLINED: "declined with a reason",
    Stage.SCHEDULED: "scheduled",
    Stage.COMPLETED: "completed with an outcome",
    Stage.WITHDRAWN: "withdrawn by the citizen",
    Stage.DEADLINE_NEAR: "urgent event, decision due within days",
    Stage.DEADLINE_PAST: "event 48 h away, decision due within minutes",
}

#: The status each stage leaves the order in, the same in intake and screening.
FINAL_STATUS = {
    Stage.NEW: "routed",
    Stage.ASKED: "info_requested",
    Stage.ANSWERED: "routed",
    Stage.ACCEPTED: "accepted",
    Stage.DECLINED: "declined",
    Stage.SCHEDULED: "scheduled",
    Stage.COMPLETED: "completed",
    Stage.WITHDRAWN: "cancelled",
    Stage.DEADLINE_NEAR: "routed",
    Stage.DEADLINE_PAST: "routed",
}

TRAFFIC, TALK, EVENT = "traffic_control", "talk", "event_presence"
CATEGORY_LABELS = {
    TRAFFIC: "færdselskontrol",
    TALK: "foredrag",
    EVENT: "tilstedeværelse ved arrangement",
}

# The first orders of a run show every stage and every category once; the rest are drawn as
# a district's queue looks: most orders are traffic controls, many are new or done.
COVERAGE: tuple[tuple[Stage, str], ...] = (
    (Stage.NEW, TRAFFIC),
    (Stage.ASKED, TALK),
    (Stage.ANSWERED, TRAFFIC),
    (Stage.ACCEPTED, EVENT),
    (Stage.DECLINED, TRAFFIC),
    (Stage.SCHEDULED, TALK),
    (Stage.COMPLETED, TRAFFIC),
    (Stage.WITHDRAWN, TRAFFIC),
    (Stage.DEADLINE_NEAR, EVENT),
    (Stage.DEADLINE_PAST, EVENT),
)
STAGE_WEIGHTS = {
    Stage.NEW: 20,
    Stage.ASKED: 7,
    Stage.ANSWERED: 6,
    Stage.ACCEPTED: 10,
    Stage.DECLINED: 12,
    Stage.SCHEDULED: 16,
    Stage.COMPLETED: 20,
    Stage.WITHDRAWN: 5,
    Stage.DEADLINE_NEAR: 3,
    Stage.DEADLINE_PAST: 1,
}
CATEGORY_WEIGHTS = {TRAFFIC: 75, TALK: 15, EVENT: 10}


@dataclass(frozen=True)
class PlannedOrder:
    """One demo order before it is made: its stage, category, district and town."""

    index: int
    stage: Stage
    category: str
    district_code: str
    place: Place
    seed: int
    """Draws this order's names and texts, the same on a retry and for the same `--random-seed`."""


def plan_orders(count: int, rng: random.Random) -> list[PlannedOrder]:
    """`count` orders: every stage and category among the first ten, every district among
    the first twelve (from a random district on), then a realistic mix."""
    codes = list(districts.DISTRICTS)
    first = rng.randrange(len(codes))
    planned = []
    for index in range(count):
        if index < len(COVERAGE):
            stage, category = COVERAGE[index]
        else:
            stage = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()))[0]
            category = rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[
                0
            ]
        if stage in (Stage.DEADLINE_NEAR, Stage.DEADLINE_PAST):
            category = EVENT  # only an event's deadlines can be near at its submission
        elif stage == Stage.COMPLETED and category == EVENT:
            category = TRAFFIC  # an event cannot be over yet: it starts at least 48 h away
        code = codes[(first + index) % len(codes)]
        place = rng.choice(PLACES[code])
        planned.append(PlannedOrder(index, stage, category, code, place, rng.getrandbits(32)))
    return planned
