"""The event contracts of every topic (DESIGN §3): the only place an event is defined.

A schema changes only by adding optional fields; anything else is a new `.v2` topic.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)

from shared.clock import utcnow
from shared.vocabulary import (
    Category,
    Channel,
    DeadlineKind,
    DeadlineState,
    Decision,
    Language,
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


class Contract(BaseModel):
    """Base of every contract model: unknown fields are kept out, values are immutable."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


# --- the parts of an order -------------------------------------------------------------


class Requester(Contract):
    name: Text = Field(
        description="The citizen's or contact person's name", examples=["Mette Hansen"]
    )
    email: EmailStr = Field(description="Where every answer is sent", examples=["mette@example.dk"])
    phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ]{8,20}$")]
        | None
    ) = Field(default=None, description="Optional phone number", examples=["+45 12 34 56 78"])
    organisation: Text | None = Field(
        default=None,
        description="Association, school or organiser",
        examples=["Grundejerforeningen Solsikken"],
    )


class Location(Contract):
    address: Text | None = Field(
        default=None, description="Street address or road stretch", examples=["Vestergade 12"]
    )
    postal_code: PostalCode = Field(description="Danish 4-digit postal code", examples=["8000"])
    city: Text | None = Field(
        default=None, description="Postal district name", examples=["Aarhus C"]
    )
    municipality_code: MunicipalityCode | None = Field(
        default=None,
        description="Municipality code without leading zero (101 København)",
        examples=["751"],
    )
    lat: float | None = Field(
        default=None, ge=-90, le=90, description="WGS84 latitude", examples=[56.1567]
    )
    lon: float | None = Field(
        default=None, ge=-180, le=180, description="WGS84 longitude", examples=[10.2108]
    )

    @model_validator(mode="after")
    def _both_coordinates_or_none(self) -> Self:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        return self


class TrafficControlDetails(Contract):
    category: Literal["traffic_control"] = "traffic_control"
    road: Text = Field(description="The road or stretch", examples=["Skolevej mellem nr. 2 og 40"])
    problem: TrafficProblem = Field(description="What the problem is", examples=["speeding"])
    speed_limit_kmh: int | None = Field(
        default=None, ge=10, le=130, description="Posted limit", examples=[50]
    )
    time_of_day: list[TimeOfDay] | None = Field(
        default=None, max_length=4, description="When the problem occurs", examples=[["morning"]]
    )


class TalkDetails(Contract):
    category: Literal["talk"] = "talk"
    topic: TalkTopic = Field(description="Subject of the talk", examples=["burglary_prevention"])
    audience: Text = Field(
        description="Who will listen", examples=["Members of the homeowners' association"]
    )
    expected_attendees: int = Field(
        ge=1, le=10_000, description="Expected audience size", examples=[40]
    )
    preferred_dates: list[date] | None = Field(
        default=None,
        max_length=3,
        description="Up to three preferred dates",
        examples=[["2026-12-10"]],
    )


class EventPresenceDetails(Contract):
    category: Literal["event_presence"] = "event_presence"
    event_name: Text = Field(description="Name of the event", examples=["Aarhus Festuge"])
    event_start: AwareDatetime = Field(
        description="When the event starts", examples=["2026-12-20T17:00:00Z"]
    )
    event_end: AwareDatetime = Field(
        description="When the event ends", examples=["2026-12-20T23:00:00Z"]
    )
    expected_attendees: int = Field(
        ge=1, le=1_000_000, description="Expected attendance", examples=[5000]
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
        default=Language.DA, description="The citizen's language", examples=["da"]
    )
    requester: Requester
    location: Location
    description: LongText = Field(
        description="The citizen's own words", examples=["Bilerne kører alt for stærkt"]
    )
    details: Details

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


class Event(Contract):
    """Fields every event carries: the idempotency key, the time, and the request it stems from."""

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Idempotency key")
    occurred_at: AwareDatetime = Field(
        default_factory=utcnow, description="When the fact happened (UTC)"
    )
    correlation_id: str = Field(
        default="", max_length=100, description="Set at intake's HTTP request"
    )
    order_id: uuid.UUID = Field(description="The order; also the Kafka key")
    reference: Reference = Field(
        description="The citizen-facing reference", examples=["BEB-7K3M9QXZ"]
    )


class OrderSubmitted(Event, OrderContent):
    """A valid order was received and stored by intake."""

    submitted_at: AwareDatetime
    decision_due: AwareDatetime = Field(description="Accept/decline is due by then")
    execution_due: AwareDatetime = Field(description="An accepted order is carried out by then")
    urgent: bool = Field(
        default=False, description="An event starting sooner than the decision deadline"
    )
    channel: Channel = Channel.WEB


class OrderRouted(Event):
    """The order's police district is known (by municipality, coordinates, postal code or by hand)."""

    district_code: DistrictCode
    district_name: str
    method: RoutingMethod
    routed_at: AwareDatetime


class OrderUnroutable(Event):
    """No district could be found; the order waits in the national manual-routing queue."""

    reason: str


class RerouteRequested(Event):
    """An officer sends the order to another district (or routes it from the national queue)."""

    from_district: DistrictCode | None = None
    to_district: DistrictCode
    reason: LongText
    requested_by: str


class OrderScreened(Event):
    """The district accepted or declined the order, with its message to the citizen."""

    district_code: DistrictCode
    decision: Decision
    reason_code: ReasonCode
    message: LongText = Field(description="The district's message to the citizen")
    decided_at: AwareDatetime
    decided_by: str = Field(description="Officer id, never a name")


class OrderScheduled(Event):
    """The district planned when the police will come."""

    district_code: DistrictCode
    planned_start: AwareDatetime
    planned_end: AwareDatetime | None = None
    note: str = ""


class OrderCompleted(Event):
    """The police carried the order out, with a public summary."""

    district_code: DistrictCode
    completed_at: AwareDatetime
    summary: LongText = Field(description="Public text about what was done")
    vehicles_checked: int | None = Field(default=None, ge=0)
    violations: int | None = Field(default=None, ge=0)


class OrderCancelled(Event):
    """The citizen withdrew the order."""

    cancelled_at: AwareDatetime
    reason: str | None = None


class InfoRequested(Event):
    """The officer asks the citizen a question."""

    district_code: DistrictCode
    question: LongText
    asked_at: AwareDatetime
    asked_by: str


class InfoProvided(Event):
    """The citizen answered the officer's question."""

    answer: LongText
    answered_at: AwareDatetime


class FeedbackReceived(Event):
    """After completion: whether the citizen saw the police come and whether it helped."""

    carried_out_seen: bool
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=4000)
    received_at: AwareDatetime


class DeadlineAlert(Event):
    """A decision or execution deadline is near (warning) or passed (breached)."""

    district_code: DistrictCode | None = None
    kind: DeadlineKind
    state: DeadlineState
    due_at: AwareDatetime
    raised_at: AwareDatetime
