"""Routing's tables, on its own registry: where each order was sent, and how."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.store import MessageStore
from shared.retention import DeletionLog


class RoutingBase(SQLModel, registry=registry()):
    pass


class Routing(RoutingBase, table=True):
    """The latest routing of one order; a manual one is never overridden by automatic routing."""

    __tablename__ = "routings"

    order_id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(max_length=12)
    district_code: str | None = Field(default=None, max_length=4)
    method: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=200)
    routed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


deletions = DeletionLog(RoutingBase.metadata)
messages = MessageStore("routing", RoutingBase.metadata, alongside=deletions)
"""What retention and erasure removed from this service's copy of each order (shared/retention.py)."""
