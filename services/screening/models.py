"""Screening's tables, on its own registry: officers, sessions, the district queues, the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import UTCDateTime
from shared.messaging.store import MessageStore
from shared.retention import DeletionLog


class ScreeningBase(SQLModel, registry=registry()):
    pass


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable))


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
    expires_at: datetime | None = _ts(nullable=True)  # none: created_at + the default lifetime
    last_used_at: datetime | None = _ts(nullable=True)  # to the minute (see accounts)


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

    # GET /api/v1/orders?updated_since=…: integrations poll along these, page by page.
    __table_args__ = (
        Index("ix_queued_orders_updated", "updated_at", "order_id"),
        Index("ix_queued_orders_district_updated", "district_code", "updated_at", "order_id"),
    )


class OrderActivity(ScreeningBase, table=True):
    """The order's history as officers see it: every event and who caused it."""

    __tablename__ = "order_activity"

    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(index=True, max_length=36)
    kind: str = Field(max_length=40)
    actor: str | None = Field(default=None, max_length=36)
    at: datetime = _ts()
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class WebSession(ScreeningBase, table=True):
    """A browser session: its cookie is stored only as a hash, with the form token bound to it."""

    __tablename__ = "web_sessions"

    token_hash: str = Field(primary_key=True, max_length=64)
    officer_id: str = Field(index=True, max_length=36)
    csrf_token: str = Field(max_length=64)
    method: str = Field(default="password", max_length=10)  # "password" or "oidc"
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class LoginFailure(ScreeningBase, table=True):
    """A failed sign-in, kept in the database so a lock-out holds across restarts and instances:
    counted per email (the account's lock-out) and per client address (the throttle)."""

    __tablename__ = "login_failures"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=64)
    at: datetime = _ts()

    __table_args__ = (
        Index("ix_login_failures_email_at", "email", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )


class OidcLogin(ScreeningBase, table=True):
    """A sign-in under way at the OpenID Connect provider: its state, nonce and PKCE verifier."""

    __tablename__ = "oidc_logins"

    state: str = Field(primary_key=True, max_length=64)
    nonce: str = Field(max_length=64)
    verifier: str = Field(max_length=128)
    next_path: str = Field(default="/", max_length=500)
    created_at: datetime = _ts()


class AuditEntry(ScreeningBase, table=True):
    """Who saw an order's personal data, or did something, and when (DESIGN §6)."""

    __tablename__ = "audit_trail"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts()
    officer_id: str | None = Field(default=None, max_length=36, index=True)
    action: str = Field(max_length=30)
    via: str = Field(default="web", max_length=10)  # "web" or "api"
    order_id: str | None = Field(default=None, max_length=36, index=True)
    reference: str | None = Field(default=None, max_length=12)
    district_code: str | None = Field(default=None, max_length=4)
    facts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))

    __table_args__ = (Index("ix_audit_trail_district_at", "district_code", "at"),)


class ReplyTemplate(ScreeningBase, table=True):
    """A district's own wording of the message for one reason code and language."""

    __tablename__ = "reply_templates"

    district_code: str = Field(primary_key=True, max_length=4)
    reason_code: str = Field(primary_key=True, max_length=40)
    language: str = Field(primary_key=True, max_length=2)
    text: str = Field(max_length=4000)
    updated_at: datetime = _ts()
    updated_by: str = Field(max_length=36)


class QueueEntry(ScreeningBase, table=True):
    """The queue's narrow read model: one row per order whose content is known.

    `queued_orders` keeps the whole order (its JSON) for the order page; this table holds just
    what the queue, the nearby search and the statistics read, so that they stay quick with
    100,000 orders. It is written in the same transaction as every change to the order (see
    `projection.sync_entry`), and filled at start-up for orders queued before it existed, so no
    existing table changes shape before migrations exist.
    """

    __tablename__ = "queue_entries"

    order_id: str = Field(primary_key=True, max_length=36)
    reference: str = Field(index=True, max_length=12)
    status: str = Field(max_length=20)
    district_code: str | None = Field(default=None, max_length=4)
    category: str = Field(max_length=20)
    urgent: bool = False
    submitted_at: datetime = _ts()
    decision_due: datetime | None = _ts(nullable=True)
    execution_due: datetime | None = _ts(nullable=True)
    next_due: datetime | None = _ts(nullable=True)  # the deadline worked against now
    municipality_code: str | None = Field(default=None, max_length=3)
    decision_alert: str | None = Field(default=None, max_length=10)
    execution_alert: str | None = Field(default=None, max_length=10)
    decision: str | None = Field(default=None, max_length=10)
    decided_at: datetime | None = _ts(nullable=True)
    completed_at: datetime | None = _ts(nullable=True)
    road_key: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=200)
    lat: float | None = None
    lon: float | None = None

    __table_args__ = (
        Index("ix_queue_entries_district_status_due", "district_code", "status", "next_due"),
        Index("ix_queue_entries_status_due", "status", "next_due"),
        Index("ix_queue_entries_road", "municipality_code", "road_key"),
        Index("ix_queue_entries_submitted", "submitted_at", "category", "district_code"),
        Index(
            "ix_queue_entries_statistics",
            "district_code",
            "category",
            "status",
            "submitted_at",
            "decision",
            "decided_at",
            "decision_due",
            "completed_at",
            "execution_due",
        ),
        Index("ix_queue_entries_lat", "lat"),
    )


class WeeklyCapacity(ScreeningBase, table=True):
    """How many visits of one category a district can carry out in a week (the week plan).

    `week` is "" for the district's default, or an ISO week ("2026-W49") whose own capacity
    overrides the default; a category without a row has no capacity set.
    """

    __tablename__ = "weekly_capacity"

    district_code: str = Field(primary_key=True, max_length=4)
    category: str = Field(primary_key=True, max_length=20)
    week: str = Field(primary_key=True, max_length=8)
    visits: int
    updated_at: datetime = _ts()
    updated_by: str = Field(max_length=36)


class MonthlyCount(ScreeningBase, table=True):
    """The statistics' counters: per district, month of submission (Danish time) and category,
    how many orders, in which status, decided and carried out, and within their deadlines.

    A few hundred rows per month whatever the number of orders, moved in the transaction of
    every change to an order (`monthly.stage_change`, from `projection.sync_entry`), so the
    statistics never count the archive. `district_code` "" is an order not routed yet.
    """

    __tablename__ = "monthly_counts"

    district_code: str = Field(primary_key=True, max_length=4)
    month: str = Field(primary_key=True, max_length=7)
    category: str = Field(primary_key=True, max_length=20)
    measure: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_column=Column(BigInteger(), nullable=False))


deletions = DeletionLog(ScreeningBase.metadata)
messages = MessageStore("screening", ScreeningBase.metadata, alongside=deletions)
"""What retention and erasure removed from this service's copy of each order (shared/retention.py)."""
