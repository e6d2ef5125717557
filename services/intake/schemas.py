"""The bodies intake's JSON API answers with, as its OpenAPI document publishes them.

The routes build their answers themselves (`service`, `views`); these models only describe
them, and the schemathesis test checks every answer against them.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.vocabulary import Category, Language, OrderStatus

_REFERENCE = "BEB-7K3M9QXZ"
_TOKEN = "v1.Zk9x3Q2hbm9u"


class Receipt(BaseModel):
    """The answer to a new order (201), and to a retry with the same Idempotency-Key."""

    order_id: uuid.UUID = Field(
        description="The order's id", examples=["6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"]
    )
    reference: str = Field(description="The citizen's reference", examples=[_REFERENCE])
    status: OrderStatus = Field(description="Always `received` here", examples=["received"])
    status_token: str = Field(
        description="The secret that opens the order's status (`?token=`): keep it",
        examples=[_TOKEN],
    )
    status_url: str = Field(
        description="The status page, with its token",
        examples=[f"https://bestil.politi.dk/status/{_REFERENCE}?token={_TOKEN}"],
    )
    decision_due: AwareDatetime = Field(
        description="The citizen hears accept or decline by then", examples=["2026-12-15T09:30:00Z"]
    )
    execution_due: AwareDatetime = Field(
        description="An accepted order is carried out by then", examples=["2026-12-31T09:30:00Z"]
    )
    urgent: bool = Field(
        description="An event that starts sooner than 14 days after submission", examples=[False]
    )


class District(BaseModel):
    """The police district that handles the order."""

    code: str = Field(description="DAGI politikredskode", examples=["1461"])
    name: str | None = Field(description="The district's name", examples=["Østjyllands Politi"])


class HistoryLine(BaseModel):
    """One line of the order's timeline, with the public facts of its event (decision and
    message, planned time, summary, question, answer …) next to these fields."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(description="The event's name", examples=["OrderScreened"])
    status: OrderStatus = Field(description="The status it left", examples=["accepted"])
    at: AwareDatetime = Field(description="When it happened", examples=["2026-12-03T10:00:00Z"])


class OrderStatusView(BaseModel):
    """An order as its citizen sees it: deadlines, what they may still do, and its timeline."""

    order_id: uuid.UUID = Field(
        description="The order's id", examples=["6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"]
    )
    reference: str = Field(description="The citizen's reference", examples=[_REFERENCE])
    status: OrderStatus = Field(description="The order's status", examples=["accepted"])
    category: Category = Field(description="What was ordered", examples=["traffic_control"])
    language: Language = Field(description="The citizen's language", examples=["da"])
    submitted_at: AwareDatetime = Field(
        description="When it was received", examples=["2026-12-01T09:30:00Z"]
    )
    decision_due: AwareDatetime = Field(
        description="The decision deadline", examples=["2026-12-15T09:30:00Z"]
    )
    execution_due: AwareDatetime = Field(
        description="The execution deadline", examples=["2026-12-31T09:30:00Z"]
    )
    urgent: bool = Field(description="An urgent event", examples=[False])
    district: District | None = Field(description="None until the order is routed")
    can_cancel: bool = Field(description="The citizen may still withdraw it", examples=[True])
    open_question: str | None = Field(
        description="The officer's question waiting for an answer, if any",
        examples=["Hvilket tidsrum er værst?"],
    )
    feedback_open: bool = Field(
        description="Carried out, and the citizen has not given feedback yet", examples=[False]
    )
    description: str | None = Field(
        description="The citizen's own words", examples=["Bilerne kører alt for stærkt"]
    )
    location: dict[str, Any] | None = Field(
        description="Where, as the order gave it (see OrderRequest's location)",
        examples=[{"postal_code": "8000", "address": "Vestergade 12"}],
    )
    details: dict[str, Any] | None = Field(
        description="The category's details, as the order gave them",
        examples=[{"category": "traffic_control", "road": "Skolevej", "problem": "speeding"}],
    )
    history: list[HistoryLine] = Field(description="The timeline, oldest first")


class PostalArea(BaseModel):
    """A postal code's name and the municipalities it lies in."""

    postal_code: str = Field(description="The 4-digit postal code", examples=["8000"])
    name: str = Field(description="The postal district's name", examples=["Aarhus C"])
    municipality_codes: list[str] = Field(
        description="The municipalities (DAGI kommunekode) it lies in", examples=[["751"]]
    )


class MunicipalityFound(BaseModel):
    """The municipality a point lies in."""

    municipality_code: str = Field(description="DAGI kommunekode", examples=["751"])
    name: str = Field(description="The municipality's name", examples=["Aarhus"])
