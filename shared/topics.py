"""The topic registry: each topic's name, its event model and its single writer."""

from __future__ import annotations

from dataclasses import dataclass

from shared import events


@dataclass(frozen=True)
class Topic:
    """`retention_days`: the broker deletes older records (docs/kafka.md). A topic is a
    transport, not a store: every service keeps what it needs, so a short retention loses
    nothing but limits how long personal data stays in the broker's log."""

    name: str
    model: type[events.Message]
    writer: str
    retention_days: int = 14

    @property
    def ce_type(self) -> str:
        """The CloudEvents type: reverse-DNS name plus the topic's version."""
        return f"dk.politi.bestil.{self.model.__name__}.{self.name.rsplit('.', 1)[-1]}"


ORDER_SUBMITTED = Topic("orders.submitted.v1", events.OrderSubmitted, "intake", retention_days=7)
ORDER_ROUTED = Topic("orders.routed.v1", events.OrderRouted, "routing")
ORDER_UNROUTABLE = Topic("orders.unroutable.v1", events.OrderUnroutable, "routing")
REROUTE_REQUESTED = Topic("orders.reroute-requested.v1", events.RerouteRequested, "screening")
ORDER_SCREENED = Topic("orders.screened.v1", events.OrderScreened, "screening")
ORDER_SCHEDULED = Topic("orders.scheduled.v1", events.OrderScheduled, "screening")
ORDER_COMPLETED = Topic("orders.completed.v1", events.OrderCompleted, "screening")
ORDER_CANCELLED = Topic("orders.cancelled.v1", events.OrderCancelled, "intake")
INFO_REQUESTED = Topic("orders.info-requested.v1", events.InfoRequested, "screening")
INFO_PROVIDED = Topic("orders.info-provided.v1", events.InfoProvided, "intake", retention_days=7)
FEEDBACK_RECEIVED = Topic(
    "orders.feedback-received.v1", events.FeedbackReceived, "intake", retention_days=7
)
DEADLINES = Topic("orders.deadlines.v1", events.DeadlineAlert, "notifications")
ERASURE_REQUESTED = Topic("orders.erasure-requested.v1", events.ErasureRequested, "screening")
PUBLIC_ORDERS = Topic(
    "public.orders.v1", events.PublicOrderEvent, "screening", retention_days=2 * 365
)
"""The agencies' stream: no personal data, so it may stay long enough for a year-on-year
comparison (docs/agencies.md); every message holds the order's whole public state."""

ALL: tuple[Topic, ...] = (
    ORDER_SUBMITTED,
    ORDER_ROUTED,
    ORDER_UNROUTABLE,
    REROUTE_REQUESTED,
    ORDER_SCREENED,
    ORDER_SCHEDULED,
    ORDER_COMPLETED,
    ORDER_CANCELLED,
    INFO_REQUESTED,
    INFO_PROVIDED,
    FEEDBACK_RECEIVED,
    DEADLINES,
    ERASURE_REQUESTED,
    PUBLIC_ORDERS,
)
BY_NAME: dict[str, Topic] = {t.name: t for t in ALL}
BY_MODEL: dict[type[events.Message], Topic] = {t.model: t for t in ALL}


DLQ_RETENTION_DAYS = 14
"""Long enough for an operator to look at a parked message, replay it or let it go."""

CONSUMERS = ("intake", "routing", "screening", "notifications")


PUBLIC_PREFIX = "public."
"""Topics under this prefix carry no personal data; an agency's principal may read only them."""


def is_public(name: str) -> bool:
    return name.startswith(PUBLIC_PREFIX)


def dlq(service: str) -> str:
    """The dead-letter topic of one consuming service."""
    return f"dlq.{service}"


def retention_days(name: str) -> int:
    return BY_NAME[name].retention_days if name in BY_NAME else DLQ_RETENTION_DAYS


def every_topic() -> list[str]:
    """The registry's topics and every consumer's dead-letter topic."""
    return [t.name for t in ALL] + [dlq(s) for s in CONSUMERS]


def topic_for(event: events.Message) -> Topic:
    return BY_MODEL[type(event)]
