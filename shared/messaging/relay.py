"""The outbox relay: publishes staged events in order, and keeps trying while the broker is down."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy import Row, select, text, update
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import utcnow
from shared.db import Database, execute
from shared.messaging.broker import ensure_topics
from shared.messaging.store import MessageStore, outbox_headers
from shared.metrics import OUTBOX_PUBLISHED
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)


class OutboxRelay:
    """Moves committed outbox rows to Kafka; at-least-once, consumers make it exactly-once.

    On PostgreSQL several instances run side by side: one at a time holds a transaction-level
    advisory lock and publishes, in outbox order, holding its rows until the broker has
    acknowledged them (acks=all); if it dies, another takes over at its next poll.
    """

    def __init__(
        self, db: Database, store: MessageStore, broker: KafkaBroker, settings: KafkaSettings
    ) -> None:
        self.db = db
        self.store = store
        self.broker = broker
        self.settings = settings
        self._wake = asyncio.Event()
        self._stopping = False
        self.connected = False

    def wake(self) -> None:
        """Called after a commit that staged events, so they leave at once instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def publish_pending(self) -> int:
        """Publish one batch. On PostgreSQL the rows stay locked until the broker has them, so
        several relays can share an outbox; on SQLite (one process) no connection is held while
        publishing, because the single connection also serves the HTTP requests."""
        if self.db.dialect == "postgresql":
            async with self.db.transaction() as session:
                # One relay publishes at a time (the others stand by): two relays publishing
                # neighbouring batches at once could reorder an order's events.
                if not await self._lead(session):
                    return 0
                rows = await self._pending(session, lock=True)
                if rows:
                    await self._publish(rows)
                    await self._mark_published(session, rows)
        else:
            async with self.db.transaction() as session:
                rows = await self._pending(session, lock=False)
            if rows:
                await self._publish(rows)
                async with self.db.transaction() as session:
                    await self._mark_published(session, rows)
        if rows:
            OUTBOX_PUBLISHED.labels(self.store.service).inc(len(rows))
        return len(rows)

    async def _lead(self, session: AsyncSession) -> bool:
        key = int.from_bytes(hashlib.sha256(f"outbox/{self.store.service}".encode()).digest()[:7])
        result = await execute(
            session, text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=key)
        )
        return bool(result.scalar_one())

    async def _pending(self, session: AsyncSession, *, lock: bool) -> list[Row[Any]]:
        table = self.store.outbox
        query = (
            select(table.c.id, table.c.topic, table.c.key, table.c.payload, table.c.headers)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.id)
            .limit(self.settings.outbox_batch)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return list((await execute(session, query)).all())

    async def _publish(self, rows: list[Row[Any]]) -> None:
        # Sent in outbox order and awaited together: per-key order holds within a partition.
        futures = [
            await self.broker.publish(
                row.payload.encode(),
                row.topic,
                key=row.key.encode(),
                headers=outbox_headers(row.headers),
                no_confirm=True,
            )
            for row in rows
        ]
        await asyncio.gather(*futures)

    async def _mark_published(self, session: AsyncSession, rows: list[Row[Any]]) -> None:
        table = self.store.outbox
        await execute(
            session,
            update(table)
            .where(table.c.id.in_([row.id for row in rows]))
            .values(published_at=utcnow()),
        )

    async def run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            # Cleared before looking, not after: a commit that wakes the relay while it is
            # reading must not be forgotten (that lost wake-up cost a whole poll interval).
            self._wake.clear()
            try:
                sent = await self.publish_pending()
                backoff = 0.5
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker or database is away: wait and try again
                log.warning("outbox relay: %s; retrying in %.1fs", type(exc).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                if self.settings.create_topics:
                    try:
                        await ensure_topics(self.settings, self._topics())
                    except Exception:
                        pass
                continue
            if sent:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.settings.outbox_poll_ms / 1000)
            except TimeoutError:
                pass

    def _topics(self) -> list[str]:
        from shared.topics import ALL

        return [t.name for t in ALL if t.writer == self.store.service]
