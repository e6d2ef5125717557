"""The outbox and processed-event tables, defined on each service's own metadata.

An event is written to the outbox in the same transaction as the change it announces, and a
consumed event's id is recorded in the same transaction as the change it caused.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import tracing
from shared.clock import utcnow
from shared.db import UTCDateTime, execute, stage_insert, staged
from shared.events import Message
from shared.messaging.cloudevents import headers_for
from shared.topics import is_public, topic_for

#: Where a transaction keeps the outbox rows it staged, for the relay to take once committed.
COMMITTED_ROWS = "bestil_outbox_rows"


class MessageStore:
    """The messaging tables of one service, and the writes that go with its state changes."""

    def __init__(self, service: str, metadata: MetaData) -> None:
        self.service = service
        self.outbox = Table(
            "outbox",
            metadata,
            Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
            Column("event_id", String(36), nullable=False, unique=True),
            Column("topic", String(120), nullable=False),
            Column("key", String(64), nullable=False),
            Column("payload", Text, nullable=False),
            Column("headers", JSON, nullable=False),
            Column("created_at", UTCDateTime(), nullable=False),
            Column("published_at", UTCDateTime(), nullable=True),
        )
        Index(
            "ix_outbox_pending",
            self.outbox.c.id,
            postgresql_where=self.outbox.c.published_at.is_(None),
            sqlite_where=self.outbox.c.published_at.is_(None),
        )
        self.processed = Table(
            "processed_events",
            metadata,
            Column("event_id", String(36), primary_key=True),
            Column("topic", String(120), nullable=False),
            Column("processed_at", UTCDateTime(), nullable=False),
        )

    @cached_property
    def _seen_query(self) -> Select[Any]:
        """Built once: constructing a statement and its cache key costs more than running it."""
        ids: Any = bindparam("ids", expanding=True)
        return select(self.processed.c.event_id).where(self.processed.c.event_id.in_(ids))

    async def enqueue(
        self, session: AsyncSession, event: Message, *, now: datetime | None = None
    ) -> None:
        """Stage an event for publishing; it leaves only if the surrounding transaction commits.

        The headers keep the trace context of this moment: the relay publishes later, from a
        task of its own, where it is gone (shared/tracing.py).
        """
        headers = headers_for(event, self.service)
        topic = topic_for(event)
        if not is_public(topic.name):  # an agency's stream carries no link to internal traces
            tracing.inject(headers)
        row = {
            "event_id": str(event.event_id),
            "topic": topic.name,
            "key": event.kafka_key(),
            "payload": event.model_dump_json(),
            "headers": headers,
            "created_at": now or utcnow(),
        }
        stage_insert(session, self.outbox, row)
        session.info.setdefault(COMMITTED_ROWS, []).append(row)

    async def seen(self, session: AsyncSession, event_ids: list[uuid.UUID]) -> set[str]:
        """Which of these events were applied before (in this transaction, or committed)."""
        wanted = [str(e) for e in event_ids]
        done = {row["event_id"] for row in staged(session, self.processed)} & set(wanted)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            result = await execute(session, self._seen_query, {"ids": chunk})
            done.update(row[0] for row in result)
        return done

    def mark_processed(self, session: AsyncSession, event_id: uuid.UUID, topic: str) -> None:
        """Record the event at commit; a concurrent duplicate fails the primary key there and
        rolls back the work it caused."""
        stage_insert(
            session,
            self.processed,
            {"event_id": str(event_id), "topic": topic, "processed_at": utcnow()},
        )

    async def pending_count(self, session: AsyncSession) -> int:
        return (await self.pending(session))[0]

    async def pending(self, session: AsyncSession) -> tuple[int, datetime | None]:
        """How many rows wait to be published, and when the oldest of them was staged."""
        result = await execute(
            session,
            select(func.count(), func.min(self.outbox.c.created_at))
            .select_from(self.outbox)
            .where(self.outbox.c.published_at.is_(None)),
        )
        count, oldest = result.one()
        if isinstance(oldest, str):  # SQLite hands an aggregate back untyped
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return int(count), oldest


def outbox_headers(raw: object) -> dict[str, str]:
    """Headers as stored (JSON column; some drivers hand back a string)."""
    if isinstance(raw, str):
        raw = json.loads(raw)
    assert isinstance(raw, dict)
    return {str(k): str(v) for k, v in raw.items()}


__all__ = ["IntegrityError", "MessageStore", "outbox_headers"]
