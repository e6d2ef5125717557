"""Notifications' tables, on its own registry: whom to write to, and the emails to send."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.store import MessageStore
from shared.retention import DeletionLog


class NotificationsBase(SQLModel, registry=registry()):
    pass


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


class Contact(NotificationsBase, table=True):
    """The citizen of an order: personal data kept only to write to them."""

    __tablename__ = "contacts"

    order_id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(max_length=12)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    language: str = Field(max_length=2)
    category: str = Field(max_length=20)


class OutgoingEmail(NotificationsBase, table=True):
    """One email owed to a citizen for one event; it waits until its contact is known."""

    __tablename__ = "outgoing_emails"
    __table_args__ = (UniqueConstraint("event_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=36)
    order_id: str = Field(index=True, max_length=36)
    kind: str = Field(max_length=30)
    recipient: str | None = Field(
        default=None, max_length=320, description="A district mailbox; None: the order's citizen"
    )
    topic: str = Field(max_length=120)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="pending", max_length=10, index=True)  # pending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = _ts()
    last_error: str | None = Field(default=None, max_length=200)
    created_at: datetime = _ts()
    sent_at: datetime | None = _ts(nullable=True)


class Deadline(NotificationsBase, table=True):
    """One promise to one citizen (decide by, carry out by) and the alerts raised about it."""

    __tablename__ = "deadlines"
    __table_args__ = (UniqueConstraint("order_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=50, description="order_id/kind")
    order_id: str = Field(max_length=36)
    kind: str = Field(max_length=10)  # decision, execution
    reference: str = Field(max_length=12)
    category: str | None = Field(default=None, max_length=20)
    district_code: str | None = Field(default=None, max_length=4, index=True)
    due_at: datetime | None = _ts(nullable=True)
    closed: bool = Field(default=False, index=True)
    warning_at: datetime | None = _ts(nullable=True)
    breached_at: datetime | None = _ts(nullable=True)


class DigestSent(NotificationsBase, table=True):
    """A district's daily digest, once per day whatever the number of instances."""

    __tablename__ = "digests_sent"

    district_code: str = Field(primary_key=True, max_length=4)
    day: date = Field(primary_key=True)
    sent_at: datetime = _ts()


deletions = DeletionLog(NotificationsBase.metadata)
messages = MessageStore("notifications", NotificationsBase.metadata, alongside=deletions)
"""What retention and erasure removed from this service's copy of each order (shared/retention.py)."""
