"""Intake's tables, on its own registry: orders, their public history, idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.store import MessageStore


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


messages = MessageStore("intake", IntakeBase.metadata)
