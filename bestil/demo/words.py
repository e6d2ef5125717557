"""What the demo's citizens write and its officer answers: Danish texts that fit each category."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bestil.demo.plan import (
    EVENT,
    FIRST_NAMES,
    LAST_NAMES,
    STREETS,
    TALK,
    TRAFFIC,
    Place,
    PlannedOrder,
    Stage,
)
from shared.danish_time import COPENHAGEN

if TYPE_CHECKING:
    pass

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


def _pin(place: Place, seed: int) -> dict[str, float]:
    """A pin within about 500 m of the town's centre, the same for the same order every run
    (its own random stream, so the order's other choices stay as they were)."""
    rng = random.Random(f"pin-{seed}")
    return {
        "lat": round(place.lat + rng.uniform(-0.004, 0.004), 5),
        "lon": round(place.lon + rng.uniform(-0.006, 0.006), 5),
    }


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
        **_pin(place, planned.seed),
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


def completion(category: str, rng: random.Random) -> dict[str, Any]:
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


def schedule_for(order: dict[str, Any], now: datetime, rng: random.Random) -> dict[str, Any]:
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
