"""Shared vocabularies: one definition of every enumeration that crosses a service boundary."""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What the citizen asks the police for."""

    TRAFFIC_CONTROL = "traffic_control"
    TALK = "talk"
    EVENT_PRESENCE = "event_presence"


class Language(StrEnum):
    DA = "da"
    EN = "en"


class Channel(StrEnum):
    """How the order reached the police: the citizen's own form/API or an officer on the phone."""

    WEB = "web"
    PHONE = "phone"
    API = "api"


class OrderStatus(StrEnum):
    """An order's status as the citizen sees it."""

    RECEIVED = "received"
    ROUTED = "routed"
    NEEDS_ROUTING = "needs_routing"
    INFO_REQUESTED = "info_requested"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: States from which nothing more happens to an order.
FINAL_STATUSES = frozenset({OrderStatus.DECLINED, OrderStatus.COMPLETED, OrderStatus.CANCELLED})


class Decision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class ReasonCode(StrEnum):
    """Why an order was accepted or declined; every decline also carries a plain message."""

    ACCEPTED = "accepted"
    NO_CAPACITY = "no_capacity"
    ALREADY_PLANNED = "already_planned"
    NOT_A_POLICE_TASK = "not_a_police_task"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    DUPLICATE = "duplicate"
    OTHER = "other"


class RoutingMethod(StrEnum):
    MUNICIPALITY = "municipality"
    COORDINATES = "coordinates"
    POSTAL_CODE = "postal_code"
    MANUAL = "manual"


class TrafficProblem(StrEnum):
    SPEEDING = "speeding"
    MOPEDS = "mopeds"
    HEAVY_VEHICLES = "heavy_vehicles"
    OTHER = "other"


class TimeOfDay(StrEnum):
    MORNING = "morning"
    DAYTIME = "daytime"
    EVENING = "evening"
    NIGHT = "night"


class TalkTopic(StrEnum):
    BURGLARY_PREVENTION = "burglary_prevention"
    CYBER_CRIME = "cyber_crime"
    TRICK_THEFT = "trick_theft"
    LOCAL_CRIME = "local_crime"
    TRAFFIC_SAFETY = "traffic_safety"
    OTHER = "other"


class DeadlineKind(StrEnum):
    DECISION = "decision"
    EXECUTION = "execution"


class DeadlineState(StrEnum):
    WARNING = "warning"
    BREACHED = "breached"


class Role(StrEnum):
    """Officer roles: officer and coordinator act on their own district, admins on all."""

    OFFICER = "officer"
    COORDINATOR = "coordinator"
    NATIONAL_ADMIN = "national_admin"
