"""The outbox and processed-event tables, defined on each service's own metadata.

An event is written to the outbox in the same transaction as the change it announces, and a
consumed event's id is recorded in the same transaction as the change it caused.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Protocol

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
    literal_column,
    null,
    select,
    union_all,
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
#: `seen` sends at most this many keys of each kind in one statement.
_CHUNK = 500


class LookedUpAlongside(Protocol):
    """A keyed lookup every batch makes anyway, sent in the processed-event check's statement:
    one round trip per batch less (the deletion log, shared/retention.py)."""

    def alongside_query(self) -> Select[Any]:
        """Rows (kind, key, value, position) for the keys in the expanding parameter `keys`."""
        ...

    def keys_of(self, session: AsyncSession, events: list[Message]) -> list[str]:
        """The keys this batch needs that the transaction does not know yet."""
        ...

    def take(self, session: AsyncSession, keys: list[str], rows: list[Any]) -> None:
        """Keep what the rows say about `keys` (all of them looked up) in the transaction."""
        ...


class MessageStore:
    """The messaging tables of one service, and the writes that go with its state changes."""

    def __init__(
        self, service: str, metadata: MetaData, *, alongside: LookedUpAlongside | None = None
    ) -> None:
        self.service = service
        self.alongside = alongside
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
        seen = select(
            literal_column("'seen'").label("kind"),
            self.processed.c.event_id.label("key"),
            null().label("value"),
            literal_column("0").label("position"),
        ).where(self.processed.c.event_id.in_(ids))
        if self.alongside is None:
            return seen
        query: Any = union_all(seen, self.alongside.alongside_query())
        return query

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

    async def seen(
        self, session: AsyncSession, event_ids: list[uuid.UUID], batch: list[Message] | None = None
    ) -> set[str]:
        """Which of these events were applied before (in this transaction, or committed).

        The same statement answers the store's `alongside` lookup for a consumer's `batch`.
        """
        wanted = [str(e) for e in event_ids]
        done = {row["event_id"] for row in staged(session, self.processed)} & set(wanted)
        keys = self.alongside.keys_of(session, batch) if self.alongside and batch else []
        for start in range(0, max(len(wanted), len(keys)), _CHUNK):
            ids, chunk = wanted[start : start + _CHUNK], keys[start : start + _CHUNK]
            params = {"ids": ids, "keys": chunk} if self.alongside is not None else {"ids": ids}
            rows = list(await execute(session, self._seen_query, params))
            done.update(row[1] for row in rows if row[0] == "seen")
            if self.alongside is not None:
                self.alongside.take(session, chunk, [row for row in rows if row[0] != "seen"])
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
