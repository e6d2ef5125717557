"""Screening's tables, on its own registry: officers, their credentials, the district queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.messaging.store import MessageStore


class ScreeningBase(SQLModel, registry=registry()):
    pass


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


class Officer(ScreeningBase, table=True):
    __tablename__ = "officers"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(unique=True, index=True, max_length=200)
    name: str = Field(max_length=200)
    district_code: str | None = Field(default=None, max_length=4)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: datetime = _ts()


class Credential(ScreeningBase, table=True):
    """An API token or a browser session, stored only as a hash."""

    __tablename__ = "credentials"

    token_hash: str = Field(primary_key=True, max_length=64)
    officer_id: str = Field(index=True, max_length=36)
    kind: str = Field(max_length=10)  # "api" or "session"
    created_at: datetime = _ts()
    expires_at: datetime | None = _ts(nullable=True)


class QueuedOrder(ScreeningBase, table=True):
    """An order as its district sees it; filled from events that may arrive in any order."""

    __tablename__ = "queued_orders"

    order_id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(index=True, max_length=12)
    status: str = Field(max_length=20, index=True)
    district_code: str | None = Field(default=None, max_length=4, index=True)
    routing_method: str | None = Field(default=None, max_length=20)
    category: str | None = Field(default=None, max_length=20)
    urgent: bool = False
    submitted_at: datetime | None = _ts(nullable=True)
    decision_due: datetime | None = _ts(nullable=True)
    execution_due: datetime | None = _ts(nullable=True)
    municipality_code: str | None = Field(default=None, max_length=3)
    content: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    decision: str | None = Field(default=None, max_length=10)
    reason_code: str | None = Field(default=None, max_length=40)
    decided_at: datetime | None = _ts(nullable=True)
    decision_alert: str | None = Field(default=None, max_length=10)  # warning, breached
    execution_alert: str | None = Field(default=None, max_length=10)
    planned_start: datetime | None = _ts(nullable=True)
    completed_at: datetime | None = _ts(nullable=True)
    updated_at: datetime = _ts()


class OrderActivity(ScreeningBase, table=True):
    """The order's history as officers see it: every event and who caused it."""

    __tablename__ = "order_activity"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True, max_length=36)
    kind: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=36)
    at: datetime = _ts()
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


messages = MessageStore("screening", ScreeningBase.metadata)
