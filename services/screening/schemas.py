"""The bodies screening's JSON API answers with, as its OpenAPI document publishes them.

The routes build their answers themselves (`views`, `statistics`); these models describe them,
and the schemathesis test checks every answer against them.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

_ORDER_ID = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"


class ApiError(BaseModel):
    """An error of screening's API (FastAPI's shape): what went wrong, in English."""

    detail: str = Field(description="What went wrong", examples=["order not found"])


class DeadlineAlerts(BaseModel):
    """The deadline alerts raised for the order so far: `warning`, `breached` or None."""

    decision: str | None = Field(description="The decision deadline's", examples=["warning"])
    execution: str | None = Field(description="The execution deadline's", examples=[None])


class OrderView(BaseModel):
    """An order of the caller's district, with the citizen's order (`order`, personal data)."""

    model_config = ConfigDict(extra="allow")

    order_id: uuid.UUID = Field(description="The order's id", examples=[_ORDER_ID])
    reference: str | None = Field(description="The citizen's reference", examples=["BEB-7K3M9QXZ"])
    status: str = Field(description="The order's status", examples=["routed"])
    district_code: str | None = Field(description="The district", examples=["1461"])
    routing_method: str | None = Field(description="How it was routed", examples=["municipality"])
    category: str | None = Field(description="What was ordered", examples=["traffic_control"])
    urgent: bool | None = Field(description="An urgent event", examples=[False])
    submitted_at: AwareDatetime | None = Field(
        description="When intake received it", examples=["2026-12-01T09:30:00Z"]
    )
    decision_due: AwareDatetime | None = Field(
        description="The decision deadline", examples=["2026-12-15T09:30:00Z"]
    )
    execution_due: AwareDatetime | None = Field(
        description="The execution deadline", examples=["2026-12-31T09:30:00Z"]
    )
    municipality_code: str | None = Field(description="The municipality", examples=["751"])
    deadline_alerts: DeadlineAlerts = Field(description="The deadline alerts raised so far")
    decision: str | None = Field(description="accepted or declined", examples=["accepted"])
    reason_code: str | None = Field(description="The decision's reason", examples=["accepted"])
    planned_start: AwareDatetime | None = Field(
        description="When the police plan to come", examples=["2026-12-10T07:00:00Z"]
    )
    completed_at: AwareDatetime | None = Field(
        description="When it was carried out", examples=[None]
    )
    order: dict[str, Any] | None = Field(
        description="The citizen's order as intake received it (OrderSubmitted's content)"
    )
    history: list[dict[str, Any]] | None = Field(
        default=None,
        description="One order's view only: its activity (kind, at, actor and the facts)",
    )


class OrderList(BaseModel):
    """A page of the caller's orders."""

    orders: list[OrderView] = Field(
        description=(
            "Soonest decision deadline first; with `updated_since`, the oldest change first"
        )
    )
    next_cursor: str | None = Field(
        description=(
            "Pass as `cursor` (with the same `updated_since`) for the next page; null after "
            "the last page"
        ),
        examples=["WyJ1IiwgIjIwMjYtMTItMDFUMDg6MDA6MDArMDA6MDAiLCAiLi4uIl0"],
    )


class NearbyOrder(BaseModel):
    """Another order about the same road or close by (no personal data)."""

    order_id: uuid.UUID = Field(description="The order's id", examples=[_ORDER_ID])
    reference: str | None = Field(description="Its reference", examples=["BEB-9Q2W4E6R"])
    status: str = Field(description="Its status", examples=["scheduled"])
    category: str | None = Field(description="What was ordered", examples=["traffic_control"])
    subject: str | None = Field(description="The road, topic or event", examples=["Skolevej"])
    submitted_at: AwareDatetime | None = Field(
        description="When it was received", examples=["2026-11-20T12:00:00Z"]
    )
    same_road: bool = Field(description="About the same road", examples=[True])
    distance_m: int | None = Field(description="How far away, in metres", examples=[350])


class NearbyList(BaseModel):
    """Orders near one order."""

    nearby: list[NearbyOrder] = Field(description="The orders found")


class ActionResult(BaseModel):
    """What an action did: the order as it is now, the event it published, any warning."""

    order: OrderView = Field(description="The order after the action")
    event_id: uuid.UUID = Field(
        description="The published event's id", examples=["2d9f7a3c-8b1e-4f6a-9c5d-0e7b3a1f4c86"]
    )
    warning: str | None = Field(
        default=None,
        description="Done, but worth knowing",
        examples=["planned after the execution deadline"],
    )


class Compliance(BaseModel):
    """How many were decided (or carried out), and how many within the deadline."""

    count: int = Field(description="How many", examples=[40])
    within_deadline: int = Field(description="Of them, within the deadline", examples=[38])
    share_within_deadline: float | None = Field(
        description="The share within the deadline; None when there were none", examples=[0.95]
    )


class Statistics(BaseModel):
    """Counts by category, district, status and month of submission (Danish time), and
    deadline compliance."""

    total: int = Field(description="Orders counted", examples=[55])
    by_category: dict[str, int] = Field(examples=[{"traffic_control": 50, "talk": 5}])
    by_district: dict[str, int] = Field(examples=[{"1461": 55}])
    by_status: dict[str, int] = Field(examples=[{"completed": 30, "routed": 25}])
    by_month: dict[str, int] = Field(examples=[{"2026-11": 20, "2026-12": 35}])
    by_month_and_category: dict[str, dict[str, int]] = Field(
        examples=[{"2026-12": {"traffic_control": 33, "talk": 2}}]
    )
    decisions: Compliance = Field(description="Decisions and the decision deadline")
    executions: Compliance = Field(description="Executions and the execution deadline")
    open_decisions_overdue: int = Field(
        description="Open orders past their decision deadline", examples=[1]
    )
