"""Intake's tables, on its own registry: orders, their public history, idempotency keys, and the
public overview's counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.store import MessageStore
from shared.retention import DeletionLog


class IntakeBase(SQLModel, registry=registry()):
    pass


def _ts(**kwargs: Any) -> Any:
    return Field(sa_column=Column(UTCDateTime(), **kwargs))


class Order(IntakeBase, table=True):
    __tablename__ = "orders"

    id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(unique=True, index=True, max_length=12)
    category: str = Field(max_length=20)
    language: str = Field(max_length=2)
    channel: str = Field(max_length=10)
    status: str = Field(max_length=20, index=True)
    submitted_at: datetime = _ts(nullable=False)
    decision_due: datetime = _ts(nullable=False)
    execution_due: datetime = _ts(nullable=False)
    urgent: bool = False
    district_code: str | None = Field(default=None, max_length=4)
    district_name: str | None = Field(default=None, max_length=80)
    event: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts(nullable=False)


class HistoryEntry(IntakeBase, table=True):
    """One line of the citizen's timeline; only what the citizen may see."""

    __tablename__ = "order_history"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True, max_length=36)
    event_id: str = Field(unique=True, max_length=36)
    kind: str = Field(max_length=40)
    status: str = Field(max_length=20)
    at: datetime = _ts(nullable=False)
    facts: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class IdempotencyRecord(IntakeBase, table=True):
    __tablename__ = "idempotency_keys"

    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status_code: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts(nullable=False)


deletions = DeletionLog(IntakeBase.metadata)
messages = MessageStore("intake", IntakeBase.metadata, alongside=deletions)
"""What retention and erasure removed from this service's copy of each order (shared/retention.py)."""


class PublicOrderState(IntakeBase, table=True):
    """Each order's latest state on the agencies' stream: what the public overview's next
    change is counted against (services/intake/overview)."""

    __tablename__ = "public_order_states"

    public_id: str = Field(primary_key=True, max_length=36)
    state: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class OverviewCount(IntakeBase, table=True):
    """The public overview's counters: a few dozen rows per district and month, whatever the
    number of orders, so `/tal` reads in one small query."""

    __tablename__ = "overview_counts"

    district_code: str = Field(primary_key=True, max_length=4)
    month: str = Field(primary_key=True, max_length=7)
    category: str = Field(primary_key=True, max_length=20)
    measure: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))
