"""`bestil demo seed`: realistic demo orders at every stage, made through the public interfaces.

A newcomer who ran `bestil dev` otherwise opens an empty workspace. The seed plays both sides
over HTTP only: citizens order, withdraw and answer through intake's API; a demo national admin
(an account made with the same use cases as `bestil officer add` and `token`) asks, decides,
schedules and completes through screening's API. Every step waits until the other services
have seen the one before, so intake, routing, screening and notifications all hold the orders.

Deadlines follow from the submission time, which intake sets to now, so no order can be made
old. Near and passed deadlines come from events instead: an event a few days away is urgent
(its decision is due two days before it starts), and one just over 48 hours away (the shortest
notice the form takes) has its decision due minutes after it was ordered.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from shared import districts
from shared.danish_time import COPENHAGEN

if TYPE_CHECKING:
    import httpx

# --- who and where -----------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A town in a district: its municipality decides the routing, as in the citizen's form."""

    municipality_code: str
    postal_code: str
    city: str


PLACES: dict[str, tuple[Place, ...]] = {
    "1460": (
        Place("851", "9000", "Aalborg"),
        Place("860", "9800", "Hjørring"),
        Place("813", "9900", "Frederikshavn"),
    ),
    "1461": (
        Place("751", "8000", "Aarhus C"),
        Place("730", "8900", "Randers C"),
        Place("706", "8400", "Ebeltoft"),
    ),
    "1462": (
        Place("657", "7400", "Herning"),
        Place("791", "8800", "Viborg"),
        Place("661", "7500", "Holstebro"),
    ),
    "1463": (
        Place("630", "7100", "Vejle"),
        Place("615", "8700", "Horsens"),
        Place("621", "6000", "Kolding"),
    ),
    "1464": (
        Place("561", "6700", "Esbjerg"),
        Place("540", "6400", "Sønderborg"),
        Place("580", "6200", "Aabenraa"),
    ),
    "1465": (
        Place("461", "5000", "Odense C"),
        Place("479", "5700", "Svendborg"),
        Place("410", "5500", "Middelfart"),
    ),
    "1466": (
        Place("370", "4700", "Næstved"),
        Place("376", "4800", "Nykøbing F"),
        Place("330", "4200", "Slagelse"),
    ),
    "1467": (
        Place("265", "4000", "Roskilde"),
        Place("316", "4300", "Holbæk"),
        Place("259", "4600", "Køge"),
    ),
    "1468": (
        Place("217", "3000", "Helsingør"),
        Place("219", "3400", "Hillerød"),
        Place("157", "2820", "Gentofte"),
    ),
    "1469": (
        Place("151", "2750", "Ballerup"),
        Place("161", "2600", "Glostrup"),
        Place("169", "2630", "Taastrup"),
    ),
    "1470": (
        Place("101", "2300", "København S"),
        Place("147", "2000", "Frederiksberg"),
        Place("185", "2770", "Kastrup"),
    ),
    "1471": (Place("400", "3700", "Rønne"), Place("400", "3730", "Nexø")),
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


# --- the citizens' words -----------------------------------------------------------------


def _ascii(name: str) -> str:
    return (
        name.lower()
        .replace("æ", "ae")
        .replace("ø", "oe")
        .replace("å", "aa")
        .replace(" ", ".")
        .replace("-", "")
    )


def _requester(planned: PlannedOrder, rng: random.Random, organisation: str | None) -> dict:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    requester: dict[str, Any] = {
        "name": name,
        "email": f"{_ascii(name)}@example.dk",
        "phone": f"+45 12 34 56 {planned.index % 100:02d}",
    }
    if organisation:
        requester["organisation"] = organisation
    return requester


def _danish(day: date, hour: int, minute: int = 0) -> datetime:
    """A Danish wall-clock time on `day`, in UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=COPENHAGEN).astimezone(UTC)


TRAFFIC_PROBLEMS = {
    "speeding": "Bilerne kører alt for stærkt på {road}, især om morgenen, når børnene går i "
    "skole. Der er ingen fortov på det meste af strækningen.",
    "mopeds": "Knallerter kører stærkt og larmer på {road} om aftenen og kører ind over "
    "stierne ved legepladsen.",
    "heavy_vehicles": "Lastbiler bruger {road} som genvej, selv om der er forbud mod "
    "gennemkørsel for tung trafik. Vejen er smal, og der er mange cyklister.",
    "other": "Bilister kører over for rødt og parkerer på fortovet på {road}, så "
    "fodgængere må gå ud på kørebanen.",
}

TALKS = {
    "burglary_prevention": (
        "Grundejerforeningen Egebakken",
        "Medlemmer af grundejerforeningen",
        "Vi vil gerne have et foredrag om, hvordan vi sikrer vores huse mod indbrud. Der har "
        "været flere indbrud i området i år.",
    ),
    "cyber_crime": (
        "{city} Skole",
        "Elever i 8. og 9. klasse og deres forældre",
        "Vi vil gerne have en betjent ud og fortælle om svindel på nettet, deling af billeder "
        "og hvordan man passer på sine konti.",
    ),
    "trick_theft": (
        "Seniorklubben Solstrålen",
        "Klubbens medlemmer, de fleste over 70 år",
        "Flere af vores medlemmer er blevet ringet op af falske bankrådgivere. Vi vil gerne "
        "høre, hvordan man genkender tricktyve.",
    ),
    "local_crime": (
        "Boligforeningen Lyngtoften",
        "Beboere og bestyrelsen",
        "Vi vil gerne høre om kriminaliteten i lokalområdet og hvad vi selv kan gøre for at "
        "gøre det trygt at bo her.",
    ),
    "traffic_safety": (
        "Børnehuset Mariehønen",
        "Forældre til børn i børnehaven",
        "Vi vil gerne have et oplæg om sikker skolevej og brug af cykelhjelm, før børnene "
        "starter i skole.",
    ),
}

EVENTS = (
    ("{city} Byfest", "Torvet", "Byfest med musik, boder og mange gæster i bymidten."),
    ("Sankthans ved stranden", "Stranden ved havnen", "Bål, båltale og musik for hele byen."),
    ("Loppemarked i {city}", "Idrætsparken", "Stort loppemarked med parkering på græsset."),
    ("Musik i parken", "Byparken", "Gratis koncert med tre bands og fadøl."),
    ("Cykelløb gennem {city}", "Bymidten", "Motionsløb for børn og voksne på lukkede veje."),
)


def order_body(planned: PlannedOrder, now: datetime, *, past_after: timedelta) -> dict[str, Any]:
    """The citizen's part of the order, as intake's `POST /api/v1/orders` takes it.

    `now` is the moment it is sent: an event for a passed deadline starts just over 48 hours
    after it (`past_after` over), so that its decision falls due `past_after` from now.
    """
    rng = random.Random(planned.seed)
    place = planned.place
    street = rng.choice(STREETS)
    location = {
        "address": f"{street} {rng.randint(1, 80)}",
        "postal_code": place.postal_code,
        "city": place.city,
        "municipality_code": place.municipality_code,
    }
    today = now.astimezone(COPENHAGEN).date()
    organisation: str | None = None
    if planned.category == TRAFFIC:
        problem = rng.choice(list(TRAFFIC_PROBLEMS))
        first = rng.randint(1, 20) * 2
        road = f"{street} mellem nr. {first} og {first + rng.randint(10, 60) * 2}"
        description = TRAFFIC_PROBLEMS[problem].format(road=street)
        details: dict[str, Any] = {
            "road": road,
            "problem": problem,
            "speed_limit_kmh": rng.choice([30, 40, 50, 50, 60, 80]),
            "time_of_day": rng.choice([["morning"], ["morning", "daytime"], ["evening", "night"]]),
        }
    elif planned.category == TALK:
        topic = rng.choice(list(TALKS))
        organisation, audience, description = TALKS[topic]
        organisation = organisation.format(city=place.city.removesuffix(" C"))
        details = {
            "topic": topic,
            "audience": audience,
            "expected_attendees": rng.choice([15, 25, 40, 60, 120]),
            "preferred_dates": [str(today + timedelta(days=d)) for d in (12, 19)],
        }
    else:
        name, venue, description = rng.choice(EVENTS)
        town = place.city.removesuffix(" C")
        organisation = f"Foreningen {name.format(city=town)}"
        if planned.stage == Stage.DEADLINE_PAST:
            start = now + timedelta(hours=48) + past_after
        elif planned.stage == Stage.DEADLINE_NEAR:
            start = _danish(today + timedelta(days=3), 18)
        else:
            start = _danish(today + timedelta(days=rng.randint(5, 45)), rng.choice([10, 14, 18]))
        details = {
            "event_name": name.format(city=town),
            "event_start": start.isoformat(),
            "event_end": (start + timedelta(hours=rng.choice([4, 6, 8]))).isoformat(),
            "expected_attendees": rng.choice([300, 800, 1500, 3000, 8000]),
            "venue": venue,
        }
    return {
        "category": planned.category,
        "language": "da",
        "requester": _requester(planned, rng, organisation),
        "location": location,
        "description": description,
        "details": details,
        "consent": True,
    }


# --- the officer's words -----------------------------------------------------------------

QUESTIONS = {
    TRAFFIC: (
        "Hvornår på dagen oplever I problemet mest, og er det hverdage eller weekender?",
        "Mest på hverdage mellem kl. 7 og 8.30 og igen omkring kl. 16, når folk kører hjem.",
    ),
    TALK: (
        "Hvor mange deltagere forventer I, og er der projektor i lokalet?",
        "Vi regner med omkring 40 deltagere, og der er både projektor og lærred.",
    ),
    EVENT: (
        "Hvor mange vagter har I selv, og hvor er indgangene til pladsen?",
        "Vi har 12 frivillige vagter med veste og to indgange: fra Torvet og fra Havnegade.",
    ),
}

DECLINES = (
    (
        "no_capacity",
        "Tak for din henvendelse. Vi har desværre ikke mandskab til det i den periode, men vi "
        "har noteret stedet og tager det med i vores planlægning.",
    ),
    (
        "already_planned",
        "Tak for din henvendelse. Vi har allerede planlagt kontroller på strækningen i de "
        "kommende uger.",
    ),
    (
        "not_a_police_task",
        "Det, du beskriver, hører under kommunen. Kontakt venligst kommunens vejafdeling, som "
        "kan se på skiltning og fartdæmpning.",
    ),
    (
        "insufficient_information",
        "Vi mangler oplysninger om, hvor og hvornår problemet opstår. Du er velkommen til at "
        "bestille igen med en nærmere beskrivelse.",
    ),
)
ACCEPT = {
    "decision": "accepted",
    "reason_code": "accepted",
    "message": "Tak for din bestilling. Vi kommer, og du hører fra os, når tidspunktet er "
    "fastlagt.",
}
FEEDBACK = {
    TRAFFIC: "Tak fordi I kom. Vi kan mærke, at der bliver kørt pænere.",
    TALK: "Et godt og konkret foredrag, som medlemmerne stadig taler om.",
}
WITHDRAWALS = (
    "Kommunen har sat vejbump op, så problemet er løst.",
    "Arrangementet er aflyst.",
    "Vi har fundet en anden løsning.",
)


def _completion(category: str, rng: random.Random) -> dict[str, Any]:
    if category == TRAFFIC:
        checked = rng.randint(40, 320)
        violations = rng.randint(0, checked // 8)
        return {
            "summary": f"Hastighedskontrol gennemført med fartmåler. {checked} køretøjer blev "
            f"kontrolleret, og {violations} fik et bødeforlæg for at køre for stærkt.",
            "vehicles_checked": checked,
            "violations": violations,
        }
    return {
        "summary": "Foredraget blev holdt af forebyggelsesbetjenten med god deltagelse og "
        "mange spørgsmål bagefter."
    }


def _schedule(order: dict[str, Any], now: datetime, rng: random.Random) -> dict[str, Any]:
    """A planned visit that fits the order: the event itself, a talk on a preferred date, a
    control on a morning within its 30 days."""
    details = order["order"]["details"]
    if order["category"] == EVENT:
        start = datetime.fromisoformat(details["event_start"])
        return {
            "planned_start": (start - timedelta(hours=1)).isoformat(),
            "planned_end": details["event_end"],
            "note": "To betjente er til stede fra en time før start. Mødested ved indgangen.",
        }
    if order["category"] == TALK:
        day = date.fromisoformat(details["preferred_dates"][0])
        start = _danish(day, 19)
        return {
            "planned_start": start.isoformat(),
            "planned_end": (start + timedelta(hours=1, minutes=30)).isoformat(),
            "note": "Forebyggelsesbetjenten medbringer materiale til uddeling.",
        }
    day = now.astimezone(COPENHAGEN).date() + timedelta(days=rng.randint(3, 21))
    start = _danish(day, 7, 30)
    return {
        "planned_start": start.isoformat(),
        "planned_end": (start + timedelta(hours=2)).isoformat(),
        "note": "Hastighedskontrol med fartmåler i morgentrafikken.",
    }


# --- the demo officer --------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOfficer:
    email: str
    token: str
    created: bool


async def demo_officer(email: str = OFFICER_EMAIL, password: str = OFFICER_PASSWORD) -> DemoOfficer:
    """A national admin (who may act on every district's orders) and a new API token for it;
    the account is made once and reused, through the use cases `bestil officer` calls."""
    from bestil.services import settings_for
    from services.screening import account_changes, accounts
    from services.screening.models import ScreeningBase
    from shared import migrations
    from shared.clock import utcnow
    from shared.db import Database
    from shared.vocabulary import Role

    settings = settings_for("screening")
    db = Database(settings.resolved_database_url("screening"), ScreeningBase.metadata)
    try:
        await migrations.upgrade(db, "screening")
        async with db.reading() as session:
            existing = await accounts.officer_by_email(session, email)
        if existing is None:
            await account_changes.add_officer(
                db,
                email=email,
                name=OFFICER_NAME,
                district_code=None,
                role=Role.NATIONAL_ADMIN,
                password=password,
                actor="cli:demo-seed",
                now=utcnow(),
            )
        issued = await account_changes.issue_api_token(
            db,
            email,
            lifetime=timedelta(days=settings.token_days),
            actor="cli:demo-seed",
            now=utcnow(),
        )
    finally:
        await db.dispose()
    return DemoOfficer(email, issued.token, created=existing is None)


# --- making the orders -------------------------------------------------------------------


class SeedError(Exception):
    """A service refused a step or did not get there in time; the message says which."""


@dataclass
class Placed:
    """A submitted demo order as the citizen holds it."""

    planned: PlannedOrder
    order_id: str
    reference: str
    token: str
    decision_due: datetime


@dataclass
class SeedResult:
    made: list[Placed] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    rate_limited_s: float = 0.0
    """How long intake's per-client limit held the submissions back."""


class Seeder:
    """Plays the citizens against intake and the demo officer against screening."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        intake: str,
        screening: str,
        token: str,
        *,
        run_id: str,
        past_after: timedelta,
        wait: float,
    ) -> None:
        self.http, self.intake, self.screening = http, intake.rstrip("/"), screening.rstrip("/")
        self.officer = {"Authorization": f"Bearer {token}"}
        self.run_id, self.past_after, self.wait = run_id, past_after, wait
        self._submitting = asyncio.Lock()
        self.rate_limited_s = 0.0

    # citizens

    async def submit(self, planned: PlannedOrder) -> Placed:
        """One order; intake's per-client limit (30 a minute by default) is waited out."""
        key = f"demo-seed:{self.run_id}:{planned.index}"
        async with self._submitting:
            while True:
                body = order_body(planned, datetime.now(UTC), past_after=self.past_after)
                response = await self.http.post(
                    f"{self.intake}/api/v1/orders", json=body, headers={"Idempotency-Key": key}
                )
                if response.status_code != 429:
                    break
                pause = float(response.headers.get("retry-after", "5"))
                self.rate_limited_s += pause
                await asyncio.sleep(pause)
        if response.status_code not in (200, 201):
            raise SeedError(f"intake refused order {planned.index}: {response.text}")
        made = response.json()
        return Placed(
            planned,
            made["order_id"],
            made["reference"],
            made["status_token"],
            datetime.fromisoformat(made["decision_due"]),
        )

    async def citizen(self, placed: Placed, action: str, body: dict[str, Any]) -> None:
        response = await self.http.post(
            f"{self.intake}/api/v1/orders/{placed.reference}/{action}",
            params={"token": placed.token},
            json=body,
        )
        if response.status_code != 200:
            raise SeedError(f"{placed.reference}: intake refused {action}: {response.text}")

    async def status(self, placed: Placed) -> dict[str, Any]:
        response = await self.http.get(
            f"{self.intake}/api/v1/orders/{placed.reference}", params={"token": placed.token}
        )
        return response.json() if response.status_code == 200 else {}

    # the officer

    async def act(self, placed: Placed, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post(
            f"{self.screening}/api/v1/orders/{placed.order_id}/{action}",
            json=body,
            headers=self.officer,
        )
        if response.status_code != 200:
            raise SeedError(f"{placed.reference}: screening refused {action}: {response.text}")
        return dict(response.json()["order"])

    async def queued(self, placed: Placed) -> dict[str, Any]:
        response = await self.http.get(
            f"{self.screening}/api/v1/orders/{placed.order_id}", headers=self.officer
        )
        if response.status_code == 401:
            raise SeedError("screening does not accept the demo officer's token")
        return response.json() if response.status_code == 200 else {}

    # waiting, bounded

    async def until(
        self,
        probe: Callable[[], Awaitable[dict[str, Any]]],
        fits: Callable[[dict], bool],
        what: str,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + self.wait
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            last = await probe()
            if last and fits(last):
                return last
            await asyncio.sleep(0.25)
        raise SeedError(
            f"timed out after {self.wait:.0f}s waiting for {what} (last: {last.get('status')})"
        )

    async def in_intake(self, placed: Placed, status: str) -> dict[str, Any]:
        return await self.until(
            lambda: self.status(placed),
            lambda s: s.get("status") == status,
            f"{placed.reference} to be {status} in intake",
        )

    async def in_screening(
        self, placed: Placed, status: str, also: Callable[[dict], bool] = lambda o: True
    ) -> dict[str, Any]:
        return await self.until(
            lambda: self.queued(placed),
            lambda o: o.get("status") == status and also(o),
            f"{placed.reference} to be {status} in screening",
        )

    # one order's life

    async def make(self, planned: PlannedOrder) -> Placed:
        """Submit the order, wait for its district's queue, take it to its stage, and wait
        until intake and screening both show the status that stage leaves."""
        placed = await self.submit(planned)
        order = await self.in_screening(
            placed, "routed", lambda o: o.get("district_code") == planned.district_code
        )
        rng = random.Random(planned.seed + 1)
        steps = {
            Stage.ASKED: self._ask,
            Stage.ANSWERED: self._ask,
            Stage.DECLINED: self._decline,
            Stage.ACCEPTED: self._accept,
            Stage.SCHEDULED: self._accept,
            Stage.COMPLETED: self._accept,
            Stage.WITHDRAWN: self._withdraw,
        }
        if planned.stage in steps:
            await steps[planned.stage](placed, order, rng)
        final = FINAL_STATUS[planned.stage]
        await self.in_intake(placed, final)
        await self.in_screening(placed, final)
        return placed

    async def _ask(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        question, answer = QUESTIONS[placed.planned.category]
        await self.act(placed, "questions", {"question": question})
        if placed.planned.stage == Stage.ANSWERED:
            await self.in_intake(placed, "info_requested")  # the citizen sees the question
            await self.citizen(placed, "answer", {"answer": answer})
            await self.in_screening(placed, "routed", _has("InfoProvided"))

    async def _decline(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        fitting = DECLINES if placed.planned.category == TRAFFIC else (DECLINES[0], DECLINES[3])
        reason, message = rng.choice(fitting)
        decline = {"decision": "declined", "reason_code": reason, "message": message}
        await self.act(placed, "decision", decline)

    async def _accept(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        """Accept; then schedule, or carry out (and most citizens say how it went)."""
        await self.act(placed, "decision", ACCEPT)
        if placed.planned.stage == Stage.SCHEDULED:
            await self.act(placed, "schedule", _schedule(order, datetime.now(UTC), rng))
        elif placed.planned.stage == Stage.COMPLETED:
            await self.act(placed, "complete", _completion(placed.planned.category, rng))
            if placed.planned.index % 3:
                await self.in_intake(placed, "completed")
                feedback = {
                    "carried_out_seen": True,
                    "rating": rng.choice([3, 4, 5, 5]),
                    "comment": FEEDBACK[placed.planned.category],
                }
                await self.citizen(placed, "feedback", feedback)

    async def _withdraw(self, placed: Placed, order: dict[str, Any], rng: random.Random) -> None:
        if placed.planned.index % 2:  # some withdraw after the acceptance, some before it
            await self.act(placed, "decision", ACCEPT)
            await self.in_intake(placed, "accepted")
        await self.citizen(placed, "cancel", {"reason": rng.choice(WITHDRAWALS)})


def _has(kind: str) -> Callable[[dict], bool]:
    return lambda order: any(h.get("kind") == kind for h in order.get("history", []))


async def _ready(http: httpx.AsyncClient, url: str, name: str) -> None:
    import httpx

    try:
        response = await http.get(f"{url.rstrip('/')}/readyz")
    except httpx.HTTPError as exc:
        raise SeedError(
            f"{name} does not answer at {url} ({exc}): is `bestil dev` running?"
        ) from None
    if response.status_code != 200:
        raise SeedError(f"{name} at {url} is not ready ({response.status_code})")


async def seed(
    count: int,
    *,
    intake: str,
    screening: str,
    token: str,
    rng: random.Random,
    past_after: timedelta = timedelta(minutes=2),
    wait: float = 60.0,
    parallel: int = 6,
) -> SeedResult:
    """Make `count` demo orders, a few at a time, each taken to its stage; a new run adds more."""
    import httpx

    result = SeedResult()
    async with httpx.AsyncClient(timeout=15) as http:
        await _ready(http, intake, "intake")
        await _ready(http, screening, "screening")
        seeder = Seeder(
            http,
            intake,
            screening,
            token,
            run_id=uuid.uuid4().hex[:12],
            past_after=past_after,
            wait=wait,
        )
        gate = asyncio.Semaphore(parallel)

        async def one(planned: PlannedOrder) -> None:
            async with gate:
                try:
                    result.made.append(await seeder.make(planned))
                except (SeedError, httpx.HTTPError) as exc:
                    result.failures.append(f"order {planned.index} ({planned.stage}): {exc}")

        await asyncio.gather(*(one(p) for p in plan_orders(count, rng)))
        result.rate_limited_s = seeder.rate_limited_s
    result.made.sort(key=lambda p: p.planned.index)
    return result


# --- the command -------------------------------------------------------------------------


def summary(result: SeedResult, officer: DemoOfficer, screening: str) -> str:
    """What was made, where to look, and how to sign in."""
    made = result.made
    stages = Counter(p.planned.stage for p in made)
    by_district = Counter(p.planned.district_code for p in made)
    categories = Counter(p.planned.category for p in made)
    lines = [
        f"made {len(made)} demo orders, held by intake, routing, screening and notifications",
        "",
    ]
    lines.append("by stage:")
    lines += [f"  {stages[s]:4}  {STAGE_LABELS[s]}" for s in Stage if stages[s]]
    lines.append("by district:")
    lines += [
        f"  {by_district[code]:4}  {code} {d.name}"
        for code, d in districts.DISTRICTS.items()
        if by_district[code]
    ]
    lines.append("by category:")
    lines += [
        f"  {categories[c]:4}  {CATEGORY_LABELS[c]}" for c in CATEGORY_LABELS if categories[c]
    ]
    past = [p for p in made if p.planned.stage == Stage.DEADLINE_PAST]
    if past:
        due = max(p.decision_due for p in past).astimezone(COPENHAGEN)
        lines += [
            "",
            f"deadlines: {stages[Stage.DEADLINE_NEAR]} urgent event(s) with the decision due "
            f"within 3 days (warned at once); {len(past)} event(s) just over 48 h away whose "
            f'decision deadline passes by {due:%H:%M} Danish time (then "Frist overskredet").',
            "  (every order is submitted now: intake stamps the time, so none is older than "
            "this run)",
        ]
    if result.rate_limited_s:
        lines.append(
            f"  (intake's limit of orders per client a minute held the run back "
            f"{result.rate_limited_s:.0f} s: BESTIL_INTAKE_RATE_LIMIT_PER_MINUTE)"
        )
    base = screening.rstrip("/")
    lines += [
        "",
        f"workspace: {base}/",
        f"  sign in as {officer.email} (national admin: every district)"
        + (
            f", password {OFFICER_PASSWORD}"
            if officer.created
            else ", with the password it was given when it was made "
            f"(the demo's default: {OFFICER_PASSWORD})"
        ),
        "  API token (new for this run):",
        f"  curl -H 'Authorization: Bearer {officer.token}' {base}/api/v1/orders",
    ]
    if result.failures:
        lines += ["", f"{len(result.failures)} order(s) did not get to their stage:"]
        lines += [f"  {failure}" for failure in result.failures]
    return "\n".join(lines)


def add_parser(commands: Any) -> None:
    """`bestil demo seed …` on the command line's sub-commands."""
    from bestil.services import settings_for

    actions = commands.add_parser("demo", help="demo data for a local system").add_subparsers(
        dest="action", required=True
    )
    seed_parser = actions.add_parser(
        "seed", help="make realistic demo orders at every stage, through the services' APIs"
    )
    seed_parser.add_argument("--orders", type=int, default=60, help="how many (default 60)")
    seed_parser.add_argument(
        "--intake-url", default=f"http://127.0.0.1:{settings_for('intake').port}"
    )
    seed_parser.add_argument(
        "--screening-url", default=f"http://127.0.0.1:{settings_for('screening').port}"
    )
    seed_parser.add_argument(
        "--past-deadline-after",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how soon after its submission the short-notice event's decision falls due",
    )
    seed_parser.add_argument("--wait", type=float, default=60.0, help="seconds to wait per step")
    seed_parser.add_argument(
        "--random-seed", type=int, help="the same names, places and texts again"
    )


def run(args: argparse.Namespace) -> int:
    """`bestil demo seed`: 0 when every order reached its stage, 1 otherwise."""
    from services.screening.accounts import AccountError

    if args.orders < 1:
        print("bestil: --orders must be at least 1", file=sys.stderr)
        return 2
    try:
        officer = asyncio.run(demo_officer())
    except AccountError as exc:
        print(f"bestil: the demo officer: {exc}", file=sys.stderr)
        return 2
    print(f"making {args.orders} demo orders as {officer.email} …", flush=True)
    try:
        result = asyncio.run(
            seed(
                args.orders,
                intake=args.intake_url,
                screening=args.screening_url,
                token=officer.token,
                rng=random.Random(args.random_seed),
                past_after=timedelta(seconds=args.past_deadline_after),
                wait=args.wait,
            )
        )
    except SeedError as exc:
        print(f"bestil: {exc}", file=sys.stderr)
        return 2
    print(summary(result, officer, args.screening_url))
    return 1 if result.failures else 0
