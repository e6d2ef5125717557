"""The event contracts of every topic (DESIGN §3): the only place an event is defined.

A schema changes only by adding optional fields; anything else is a new `.v2` topic. Every
field carries a description and an example: they are what the AsyncAPI catalogue shows the
agencies that subscribe (`bestil asyncapi`). All timestamps are ISO 8601 in UTC on the wire.

Longer than our ~400-line rule on purpose: the contract reads in one place, and most of its
lines are those descriptions and examples, not code.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic.networks import validate_email

from shared.clock import utcnow
from shared.vocabulary import (
    Category,
    Channel,
    DeadlineKind,
    DeadlineState,
    Decision,
    Language,
    OrderStatus,
    ReasonCode,
    RoutingMethod,
    TalkTopic,
    TimeOfDay,
    TrafficProblem,
)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PostalCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
Reference = Annotated[str, StringConstraints(pattern=r"^BEB-[0-9A-HJKMNP-TV-Z]{8}$")]

FROM_TOPIC: dict[str, Any] = {"from_topic": True}
"""Validation context for a message one of our services wrote (a topic, a stored payload).

Its email address passed `EmailStr`'s check where it entered (intake, an officer's phone
order) and is in the form that check gave it. Done again by every consumer, that check
(email_validator's IDNA and Unicode rules) was most of decoding an `OrderSubmitted`: 114 µs
with it, 32 µs without (bench.consumer_batch: routing's CPU per batch −22 %). From a topic, an
address of one "@", no spaces and a dot in its domain is taken as written; anything else still
gets the whole check, and its error.
"""
_WELL_FORMED_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _checked_email(value: str, info: ValidationInfo) -> str:
    """`EmailStr`'s check, but for a well-formed address in a message from a topic."""
    trusted = info.context is not None and info.context.get("from_topic") is True
    if trusted and len(value) <= 254 and _WELL_FORMED_EMAIL.fullmatch(value):
        return value
    return validate_email(value)[1]


Email = Annotated[
    str,
    AfterValidator(_checked_email),
    WithJsonSchema({"type": "string", "format": "email"}),
]
"""An email address, checked as pydantic's `EmailStr` (email_validator), see `FROM_TOPIC`."""

# Examples shared by several fields: one order, one officer, one district, one morning.
_ORDER_ID = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"
_OFFICER_ID = "0b7e4c1a-5f2d-4a9e-b3c6-d8e1f2a3b4c5"
_DISTRICT = "1461"


class Contract(BaseModel):
    """Base of every contract model: unknown fields are kept out, values are immutable."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


# --- the parts of an order -------------------------------------------------------------


class Requester(Contract):
    """Who ordered the police, and where the answers go: personal data."""

    name: Text = Field(
        description="The citizen's or contact person's name",
        examples=["Mette Hansen"],
    )
    email: Email = Field(
        description="The citizen's email address: every answer about the order is sent there",
        examples=["mette@example.dk"],
    )
    phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ]{8,20}$")]
        | None
    ) = Field(
        default=None,
        description="Phone number, digits and spaces with an optional leading +; None if not given",
        examples=["+4512345678", "+45 12 34 56 78"],
    )
    organisation: Text | None = Field(
        default=None,
        description="Association, school or organiser ordering; None for a private citizen",
        examples=["Grundejerforeningen Solsikken"],
    )


class Location(Contract):
    """Where the police are wanted; routing picks the police district from it."""

    address: Text | None = Field(
        default=None,
        description="Street address or road stretch; None when only the area is known",
        examples=["Vestergade 12"],
    )
    postal_code: PostalCode = Field(
        description="Danish 4-digit postal code; routing's last resort", examples=["8000"]
    )
    city: Text | None = Field(
        default=None,
        description="Postal district name; None if not given",
        examples=["Aarhus C"],
    )
    municipality_code: MunicipalityCode | None = Field(
        default=None,
        description=(
            "Kommunekode without leading zero (101 København, 751 Aarhus); routing's first "
            "choice; None if not given"
        ),
        examples=["751"],
    )
    lat: float | None = Field(
        default=None,
        ge=-90,
        le=90,
        description="WGS84 latitude in decimal degrees; given together with lon, or both None",
        examples=[56.1567],
    )
    lon: float | None = Field(
        default=None,
        ge=-180,
        le=180,
        description="WGS84 longitude in decimal degrees; given together with lat, or both None",
        examples=[10.2108],
    )

    @model_validator(mode="after")
    def _both_coordinates_or_none(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class TrafficControlDetails(Contract):
    """What a traffic-control order is about: the road and the problem on it."""

    category: Literal["traffic_control"] = Field(
        default="traffic_control",
        description="The union's tag, equal to the order's category; may be left out on input",
        examples=["traffic_control"],
    )
    road: Text = Field(
        description="The road or stretch to check", examples=["Skolevej mellem nr. 2 og 40"]
    )
    problem: TrafficProblem = Field(description="What the problem is", examples=["speeding"])
    speed_limit_kmh: int | None = Field(
        default=None,
        ge=10,
        le=130,
        description="Posted speed limit in km/h; None if the citizen does not know it",
        examples=[50],
    )
    time_of_day: list[TimeOfDay] | None = Field(
        default=None,
        max_length=4,
        description="When the problem occurs (parts of the day); None if not stated",
        examples=[["morning", "evening"]],
    )


class TalkDetails(Contract):
    """What a talk order is about: the subject, the audience and the wished-for dates."""

    category: Literal["talk"] = Field(
        default="talk",
        description="The union's tag, equal to the order's category; may be left out on input",
        examples=["talk"],
    )
    topic: TalkTopic = Field(description="Subject of the talk", examples=["burglary_prevention"])
    audience: Text = Field(
        description="Who will listen", examples=["Beboerne i Grundejerforeningen Solsikken"]
    )
    expected_attendees: int = Field(
        ge=1, le=10_000, description="Expected audience size, in people", examples=[40]
    )
    preferred_dates: list[date] | None = Field(
        default=None,
        max_length=3,
        description="Up to three preferred calendar dates (Danish local dates); None if flexible",
        examples=[["2026-12-10", "2026-12-15"]],
    )


class EventPresenceDetails(Contract):
    """What a police-presence order is about: the event, its time and its size."""

    category: Literal["event_presence"] = Field(
        default="event_presence",
        description="The union's tag, equal to the order's category; may be left out on input",
        examples=["event_presence"],
    )
    event_name: Text = Field(description="Name of the event", examples=["Aarhus Festuge"])
    event_start: AwareDatetime = Field(
        description="When the event starts; UTC in OrderSubmitted, whatever offset was sent",
        examples=["2026-12-20T17:00:00Z"],
    )
    event_end: AwareDatetime = Field(
        description="When the event ends, after event_start; UTC in OrderSubmitted",
        examples=["2026-12-20T23:00:00Z"],
    )
    expected_attendees: int = Field(
        ge=1, le=1_000_000, description="Expected attendance, in people", examples=[5000]
    )
    venue: Text = Field(description="Where the event takes place", examples=["Tangkrogen"])

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.event_end <= self.event_start:
            raise ValueError("event_end must be after event_start")
        return self


Details = Annotated[
    TrafficControlDetails | TalkDetails | EventPresenceDetails, Field(discriminator="category")
]


def _copy_category_into_details(data: Any) -> Any:
    """Details carry their category as the union's tag; the wire form may leave it out."""
    if isinstance(data, dict) and isinstance(data.get("details"), dict) and "category" in data:
        details = data["details"]
        if "category" not in details:
            data = {**data, "details": {**details, "category": data["category"]}}
    return data


class OrderContent(Contract):
    """The citizen's part of an order: what the API takes and every event repeats."""

    category: Category = Field(description="What is ordered", examples=["traffic_control"])
    language: Language = Field(
        default=Language.DA,
        description="The citizen's language: every email to them is written in it",
        examples=["da"],
    )
    requester: Requester = Field(
        description="Who ordered, and where the answers go (personal data)",
        examples=[{"name": "Mette Hansen", "email": "mette@example.dk", "phone": "+4512345678"}],
    )
    location: Location = Field(
        description="Where the police are wanted",
        examples=[
            {
                "address": "Vestergade 12",
                "postal_code": "8000",
                "city": "Aarhus C",
                "municipality_code": "751",
                "lat": 56.1567,
                "lon": 10.2108,
            }
        ],
    )
    description: LongText = Field(
        description="The citizen's own words", examples=["Bilerne kører alt for stærkt"]
    )
    details: Details = Field(
        description="The category's own details, tagged by `category` (equal to the order's)",
        examples=[
            {
                "category": "traffic_control",
                "road": "Skolevej mellem nr. 2 og 40",
                "problem": "speeding",
                "speed_limit_kmh": 50,
                "time_of_day": ["morning"],
            }
        ],
    )

    @model_validator(mode="before")
    @classmethod
    def _tag_details(cls, data: Any) -> Any:
        return _copy_category_into_details(data)

    @model_validator(mode="after")
    def _details_match_category(self) -> Self:
        if self.details.category != self.category:
            raise ValueError("details do not match the category")
        return self


# --- events ----------------------------------------------------------------------------


class Message(Contract):
    """What every message on a topic carries: its idempotency key and its time.

    `kafka_key` and `subject` say what keys the record and what its `ce_subject` header names:
    the order (internal events) or its public id (the agencies' stream).
    """

    event_id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        description=(
            "Idempotency key, set by the producer once per fact: a redelivered message has the "
            "same event_id, so a consumer skips an id it has seen"
        ),
        examples=["2d9f7a3c-8b1e-4f6a-9c5d-0e7b3a1f4c86"],
    )
    occurred_at: AwareDatetime = Field(
        default_factory=utcnow,
        description="When the fact happened (UTC), by the producing service's clock",
        examples=["2026-12-01T09:30:00Z"],
    )

    def kafka_key(self) -> str:
        raise NotImplementedError

    def subject(self) -> str:
        raise NotImplementedError


class Event(Message):
    """An internal order event: the request it stems from, the order and its reference."""

    correlation_id: str = Field(
        default="",
        max_length=100,
        description=(
            "Set at intake's HTTP request (the caller's X-Correlation-ID, else a new UUID) and "
            "copied into every later event of the order; empty when no request is behind it, "
            "as in deadline alerts"
        ),
        examples=["a4e1c7b2-6d3f-4b8a-9e0c-5f2d1a7b3c9e"],
    )
    order_id: uuid.UUID = Field(
        description="The order, assigned by intake on receipt; also the Kafka key",
        examples=[_ORDER_ID],
    )
    reference: Reference = Field(
        description=(
            "The citizen-facing reference: BEB- and 8 random Crockford base32 characters, "
            "assigned by intake"
        ),
        examples=["BEB-7K3M9QXZ"],
    )

    def kafka_key(self) -> str:
        return str(self.order_id)

    def subject(self) -> str:
        return self.reference


class OrderSubmitted(Event, OrderContent):
    """A valid order was received and stored by intake."""

    submitted_at: AwareDatetime = Field(
        description="When intake received and stored the order (UTC)",
        examples=["2026-12-01T09:30:00Z"],
    )
    decision_due: AwareDatetime = Field(
        description=(
            "Accept/decline is due by then (UTC): set by intake from the working-day rules, "
            "earlier for an event that starts soon"
        ),
        examples=["2026-12-15T09:30:00Z"],
    )
    execution_due: AwareDatetime = Field(
        description="An accepted order is carried out by then (UTC); for an event, its start",
        examples=["2026-12-31T09:30:00Z"],
    )
    urgent: bool = Field(
        default=False,
        description="An event starting sooner than the decision deadline",
        examples=[False],
    )
    channel: Channel = Field(
        default=Channel.WEB,
        description="How the order arrived: web form, by phone to an officer, or the API",
        examples=["web"],
    )


class OrderRouted(Event):
    """The order's police district is known (by municipality, coordinates, postal code or by hand)."""

    district_code: DistrictCode = Field(
        description="Police district (DAGI politikredskode, 1460-1471) the order now belongs to",
        examples=[_DISTRICT],
    )
    district_name: str = Field(
        description="The district's name, from the district table", examples=["Østjyllands Politi"]
    )
    method: RoutingMethod = Field(
        description="How the district was found; manual when an officer routed or rerouted it",
        examples=["municipality"],
    )
    routed_at: AwareDatetime = Field(
        description="When routing decided the district (UTC)", examples=["2026-12-01T09:30:02Z"]
    )


class OrderUnroutable(Event):
    """No district could be found; the order waits in the national manual-routing queue."""

    reason: str = Field(
        description="Why routing found no district, in English, for the national queue's officers",
        examples=["no municipality given and no boundary or postal-code data configured"],
    )


class RerouteRequested(Event):
    """An officer sends the order to another district (or routes it from the national queue)."""

    from_district: DistrictCode | None = Field(
        default=None,
        description="District the order leaves; None when routed from the national queue",
        examples=[_DISTRICT],
    )
    to_district: DistrictCode = Field(
        description="District the order is sent to (DAGI politikredskode)", examples=["1470"]
    )
    reason: LongText = Field(
        description="The officer's reason, for the receiving district",
        examples=["Adressen ligger i Københavns Kommune"],
    )
    requested_by: str = Field(
        description="Id of the officer who moved the order, never a name", examples=[_OFFICER_ID]
    )


class OrderScreened(Event):
    """The district accepted or declined the order, with its message to the citizen."""

    district_code: DistrictCode = Field(
        description="Police district (DAGI politikredskode) that decided", examples=[_DISTRICT]
    )
    decision: Decision = Field(description="Accepted or declined", examples=["accepted"])
    reason_code: ReasonCode = Field(
        description="Why: accepted for an acceptance, else the reason for the decline",
        examples=["accepted", "no_capacity"],
    )
    message: LongText = Field(
        description="The district's message to the citizen, sent to them by email",
        examples=["Vi kommer og måler hastigheden på Skolevej i uge 51."],
    )
    decided_at: AwareDatetime = Field(
        description="When the officer recorded the decision (UTC)",
        examples=["2026-12-03T13:05:00Z"],
    )
    decided_by: str = Field(description="Officer id, never a name", examples=[_OFFICER_ID])


class OrderScheduled(Event):
    """The district planned when the police will come."""

    district_code: DistrictCode = Field(
        description="Police district (DAGI politikredskode) that holds the order",
        examples=[_DISTRICT],
    )
    planned_start: AwareDatetime = Field(
        description="When the police plan to come (UTC)", examples=["2026-12-16T06:30:00Z"]
    )
    planned_end: AwareDatetime | None = Field(
        default=None,
        description="When the planned visit ends (UTC); None when open-ended",
        examples=["2026-12-16T09:00:00Z"],
    )
    note: str = Field(
        default="",
        description="The district's note to the citizen about the visit; empty if none",
        examples=["Vi står ved skolen i morgentrafikken."],
    )


class OrderCompleted(Event):
    """The police carried the order out, with a public summary."""

    district_code: DistrictCode = Field(
        description="Police district (DAGI politikredskode) that holds the order",
        examples=[_DISTRICT],
    )
    completed_at: AwareDatetime = Field(
        description="When the work was done (UTC), as the officer reported it",
        examples=["2026-12-16T09:00:00Z"],
    )
    summary: LongText = Field(
        description="Public text about what was done",
        examples=["Vi målte hastigheden på Skolevej i to timer om morgenen."],
    )
    vehicles_checked: int | None = Field(
        default=None,
        ge=0,
        description="Traffic control only: vehicles checked; None for other categories",
        examples=[212],
    )
    violations: int | None = Field(
        default=None,
        ge=0,
        description="Traffic control only: violations found; None for other categories",
        examples=[9],
    )


class OrderCancelled(Event):
    """The citizen withdrew the order."""

    cancelled_at: AwareDatetime = Field(
        description="When the citizen cancelled (UTC)", examples=["2026-12-02T18:45:00Z"]
    )
    reason: str | None = Field(
        default=None,
        description="The citizen's reason, in their words; None if they gave none",
        examples=["Kommunen har sat bump op på vejen"],
    )


class InfoRequested(Event):
    """The officer asks the citizen a question."""

    district_code: DistrictCode = Field(
        description="Police district (DAGI politikredskode) that holds the order",
        examples=[_DISTRICT],
    )
    question: LongText = Field(
        description="The officer's question, sent to the citizen by email",
        examples=["Hvilke tidspunkter på dagen er trafikken værst?"],
    )
    asked_at: AwareDatetime = Field(
        description="When the officer asked (UTC)", examples=["2026-12-02T10:15:00Z"]
    )
    asked_by: str = Field(
        description="Id of the officer who asked, never a name", examples=[_OFFICER_ID]
    )


class InfoProvided(Event):
    """The citizen answered the officer's question."""

    answer: LongText = Field(
        description="The citizen's answer, in their words",
        examples=["Mest mellem kl. 7.30 og 8.15, når børnene skal i skole."],
    )
    answered_at: AwareDatetime = Field(
        description="When the citizen answered on the status page (UTC)",
        examples=["2026-12-02T19:40:00Z"],
    )


class FeedbackReceived(Event):
    """After completion: whether the citizen saw the police come and whether it helped."""

    carried_out_seen: bool = Field(
        description="The citizen saw the police carry out the order", examples=[True]
    )
    rating: int | None = Field(
        default=None,
        ge=1,
        le=5,
        description="Did it help, from 1 (not at all) to 5; None if not answered",
        examples=[4],
    )
    comment: str | None = Field(
        default=None,
        max_length=4000,
        description="Anything else the citizen wrote; None if left empty",
        examples=["Tak, det hjalp i et par uger."],
    )
    received_at: AwareDatetime = Field(
        description="When intake received the feedback (UTC)", examples=["2026-12-18T20:10:00Z"]
    )


class DeadlineAlert(Event):
    """A decision or execution deadline is near (warning) or passed (breached)."""

    district_code: DistrictCode | None = Field(
        default=None,
        description="Police district (DAGI politikredskode) holding the order; None while unrouted",
        examples=[_DISTRICT],
    )
    kind: DeadlineKind = Field(
        description="Which deadline: the decision or the execution", examples=["decision"]
    )
    state: DeadlineState = Field(
        description="warning: the deadline is near; breached: it has passed",
        examples=["warning"],
    )
    due_at: AwareDatetime = Field(
        description="The deadline itself (UTC), as set in OrderSubmitted",
        examples=["2026-12-15T09:30:00Z"],
    )
    raised_at: AwareDatetime = Field(
        description="When notifications raised the alert (UTC)", examples=["2026-12-13T07:00:00Z"]
    )


class ErasureRequested(Event):
    """A national admin erases one order's personal data on request (DESIGN §7)."""

    requested_by: str = Field(
        description="Id of the national admin who asked, never a name; 'cli' from `bestil erase`",
        examples=[_OFFICER_ID],
    )
    requested_at: AwareDatetime = Field(
        description="When the erasure was requested (UTC)", examples=["2027-01-04T10:00:00Z"]
    )


# --- the agencies' stream (public.orders.v1) -------------------------------------------


class CoarseLocation(Contract):
    """Where an order is, rounded to two decimals (about 1 km): never a house."""

    lat: float = Field(description="WGS84 latitude, rounded to 0.01°", examples=[56.16])
    lon: float = Field(description="WGS84 longitude, rounded to 0.01°", examples=[10.2])


class PublicOrderEvent(Message):
    """One step of an order as other agencies see it: no personal data and no free text.

    Each message carries the order's whole public state after the step, so the latest message
    of a `public_id` is all an agency needs. The road and the coarse location appear only once
    the visit has happened or the order closed without one (declined, cancelled): a stream
    that told where the police will control speed would defeat the control. No planned date
    is ever published.
    """

    public_id: uuid.UUID = Field(
        description=(
            "The order's id on this stream, also the Kafka key and ce_subject: stable for the "
            "order's lifetime, unrelated to the citizen's reference"
        ),
        examples=["9a4e1f0c-7b2d-5e3a-8c6f-1d0b2a3c4e5f"],
    )
    status: OrderStatus = Field(
        description="The order's status after this step (received … completed, cancelled)",
        examples=["accepted"],
    )
    category: Category | None = Field(
        default=None,
        description="What was ordered; None only before the order's content arrived",
        examples=["traffic_control"],
    )
    received_on: date | None = Field(
        default=None,
        description="The day the order was received (Danish time)",
        examples=["2026-12-01"],
    )
    district_code: DistrictCode | None = Field(
        default=None,
        description="Police district (DAGI politikredskode); None while unrouted",
        examples=[_DISTRICT],
    )
    district_name: str | None = Field(
        default=None, description="The district's name", examples=["Østjyllands Politi"]
    )
    municipality_code: MunicipalityCode | None = Field(
        default=None,
        description="Municipality (DAGI kommunekode); None if not known",
        examples=["751"],
    )
    road: str | None = Field(
        default=None,
        description=(
            "Traffic controls: the road's name without house numbers; None before the visit "
            "happened or the order closed without one"
        ),
        examples=["Skolevej"],
    )
    location: CoarseLocation | None = Field(
        default=None,
        description="Rounded location, under the same rule as road; None if the order had none",
        examples=[{"lat": 56.16, "lon": 10.2}],
    )
    problem: TrafficProblem | None = Field(
        default=None, description="Traffic controls: the problem reported", examples=["speeding"]
    )
    speed_limit_kmh: int | None = Field(
        default=None,
        description="Traffic controls: the posted limit, if the citizen gave it",
        examples=[50],
    )
    talk_topic: TalkTopic | None = Field(
        default=None, description="Talks: the topic asked for", examples=["burglary_prevention"]
    )
    decision: Decision | None = Field(
        default=None,
        description="Accepted or declined; None before the decision",
        examples=["accepted"],
    )
    reason_code: ReasonCode | None = Field(
        default=None,
        description="The decision's reason code; None before the decision",
        examples=["accepted"],
    )
    decided_on: date | None = Field(
        default=None, description="The day of the decision (Danish time)", examples=["2026-12-03"]
    )
    decision_deadline_met: bool | None = Field(
        default=None,
        description="Decided by the decision deadline; False once it passed undecided (and so "
        "it stays, even if the order is then withdrawn); None while the deadline is open or if "
        "the order was withdrawn before it passed",
        examples=[True],
    )
    completed_on: date | None = Field(
        default=None,
        description="The day the order was carried out (Danish time)",
        examples=["2026-12-16"],
    )
    execution_deadline_met: bool | None = Field(
        default=None,
        description="Carried out by the execution deadline; False once it passed; None while open",
        examples=[True],
    )
    vehicles_checked: int | None = Field(
        default=None, ge=0, description="Traffic controls: vehicles checked", examples=[212]
    )
    violations: int | None = Field(
        default=None, ge=0, description="Traffic controls: violations found", examples=[9]
    )

    def kafka_key(self) -> str:
        return str(self.public_id)

    def subject(self) -> str:
        return str(self.public_id)
