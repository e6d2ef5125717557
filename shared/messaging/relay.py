"""The outbox relay: publishes staged events in order, and keeps trying while the broker is down."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import deque
from datetime import UTC, datetime
from typing import Any

from faststream.kafka import KafkaBroker
from sqlalchemy import Row, func, select, text, update
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.clock import utcnow
from shared.db import Database, execute
from shared.messaging.backoff import Backoff
from shared.messaging.broker import ensure_topics
from shared.messaging.store import COMMITTED_ROWS, MessageStore, outbox_headers
from shared.metrics import OUTBOX_PUBLISHED
from shared.settings import KafkaSettings

log = logging.getLogger(__name__)

#: How many committed rows the relay keeps in memory while it cannot publish them; beyond
#: that it lets them go and reads them from the outbox table once the broker is back.
HELD_IN_MEMORY = 10_000


class OutboxRelay:
    """Moves committed outbox rows to Kafka; at-least-once, consumers make it exactly-once.

    The fast path: a transaction that staged rows hands them over the moment it commits, and
    the relay publishes them from memory, in commit order, without reading them back; it marks
    them published afterwards, a batch at a time and off the events' way. That took a read and
    a wait for the database's one connection (on SQLite) off every hop.

    The table stays the truth. The relay reads it instead of its memory while it is *held*:
    at start-up, after a failed publish and when partitions move to this instance, since rows
    may wait there that came before those in memory (a previous process's, one whose publish
    failed, one of the instance that had these orders before). It publishes them in outbox
    order and lets go once nothing staged before the hold is left. Meanwhile, as a safety net,
    it publishes rows nobody handed it (another process's, `bestil erase`'s) once they have
    waited `outbox_orphan_ms`.

    On PostgreSQL several instances share one outbox: reading the table is done by one at a
    time, holding a transaction-level advisory lock and its rows until the broker has them
    (acks=all); if it dies, another takes over at its next poll.
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
        self._fresh: deque[dict[str, Any]] = deque()  # committed, not yet published
        self._unmarked: dict[str, None] = {}  # published from memory, not yet marked so
        self._from_table: set[str] = set()  # published from the table while held
        self._held = True
        self._hold_mark: int | None = None  # the newest row staged when the hold began
        self._last_orphan_look = self._last_mark = time.monotonic()
        db.committed.append(self.take)

    def take(self, info: dict[str, Any]) -> None:
        """A transaction committed: publish what it staged (called by `Database`)."""
        rows = info.get(COMMITTED_ROWS)
        if not rows:
            return
        if len(self._fresh) + len(rows) > HELD_IN_MEMORY:
            self._fresh.clear()  # the table has them all: read it once the broker is back
            self.hold()
        else:
            self._fresh.extend(rows)
        self._wake.set()

    def hold(self) -> None:
        """Read the table, not memory, until what was staged before now has left."""
        if not self._held:
            log.info(
                "%s outbox relay: reading the table until it has caught up", self.store.service
            )
        self._held = True
        self._hold_mark = None

    @property
    def held(self) -> bool:
        return self._held

    def wake(self) -> None:
        """Called after a commit that staged events, so they leave at once instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def step(self) -> int:
        """One round: memory's rows if not held, else the table's; marks what memory sent."""
        if self._held:
            if self._unmarked:  # so that the table does not send them again
                await self._mark_unmarked()
            sent = await self._catch_up()
        else:
            sent = await self._publish_fresh()
            # Also under load: another instance may be held until its rows from before have left.
            if time.monotonic() - self._last_orphan_look > self._orphan_s:
                sent += await self._publish_orphans()
        if self._unmarked and (
            len(self._unmarked) >= self.settings.outbox_batch
            or time.monotonic() - self._last_mark >= self.settings.outbox_poll_ms / 1000
        ):
            # Marking is only for the table's sake (a restart, the orphan look): a write a batch
            # or a poll interval, not one per publish, which cost a commit each at low rates.
            await self._mark_unmarked()
        return sent

    @property
    def _orphan_s(self) -> float:
        return self.settings.outbox_orphan_ms / 1000

    async def _publish_fresh(self) -> int:
        rows: list[dict[str, Any]] = []
        while self._fresh and len(rows) < self.settings.outbox_batch:
            rows.append(self._fresh.popleft())
        if not rows:
            return 0
        try:
            await self._send(rows)
        except BaseException:
            self.hold()  # these rows wait in the table, and whatever follows them must too
            raise
        self._unmarked.update(dict.fromkeys(row["event_id"] for row in rows))
        OUTBOX_PUBLISHED.labels(self.store.service).inc(len(rows))
        return len(rows)

    async def mark_sent(self) -> None:
        """Mark what memory sent at once (at shutdown)."""
        if self._unmarked:
            await self._mark_unmarked()

    async def _mark_unmarked(self) -> None:
        self._last_mark = time.monotonic()
        ids = list(self._unmarked)
        table = self.store.outbox
        async with self.db.transaction() as session:
            for start in range(0, len(ids), 500):
                await execute(
                    session,
                    update(table)
                    .where(table.c.event_id.in_(ids[start : start + 500]))
                    .values(published_at=utcnow()),
                )
        for event_id in ids:
            self._unmarked.pop(event_id, None)

    async def _catch_up(self) -> int:
        """Held: publish from the table in outbox order; let go once nothing from before the
        hold is left (rows in memory that the table sent already are not sent twice)."""
        if self._hold_mark is None:
            async with self.db.reading() as session:
                newest = (await execute(session, select(func.max(self.store.outbox.c.id)))).scalar()
            self._hold_mark = int(newest or 0)
        mark = self._hold_mark
        sent, oldest_left = await self._publish_table()
        if oldest_left is None or oldest_left > mark:
            self._fresh = deque(r for r in self._fresh if r["event_id"] not in self._from_table)
            self._from_table.clear()
            self._held = False
            self._wake.set()
        return sent

    async def _publish_orphans(self) -> int:
        """Rows no transaction of this process handed over, once they have waited a while."""
        self._last_orphan_look = time.monotonic()
        sent, _ = await self._publish_table(orphans_only=True)
        return sent

    async def publish_pending(self) -> int:
        """Publish one batch from the table, in outbox order (what a held relay does)."""
        return (await self._publish_table())[0]

    async def _publish_table(self, *, orphans_only: bool = False) -> tuple[int, int | None]:
        """Publish one batch of pending rows from the table; returns how many, and the id of the
        oldest row still pending after it (None: none, or unknown because another instance
        leads). On SQLite (one process) no connection is held while publishing, because the
        single connection also serves the HTTP requests."""
        if self.db.dialect == "postgresql":
            async with self.db.transaction() as session:
                # One relay publishes at a time (the others stand by): two relays publishing
                # neighbouring batches at once could reorder an order's events.
                if not await self._lead(session):
                    return 0, await self._oldest_pending(session)
                rows = await self._pending(session, lock=True, orphans_only=orphans_only)
                if rows:
                    await self._send(rows)
                    await self._mark_published(session, rows)
                left = await self._oldest_pending(session)
        else:
            async with self.db.transaction() as session:
                rows = await self._pending(session, lock=False, orphans_only=orphans_only)
            if rows:
                await self._send(rows)
            async with self.db.transaction() as session:
                if rows:
                    await self._mark_published(session, rows)
                left = await self._oldest_pending(session)
        if rows:
            self._from_table.update(row.event_id for row in rows)
            OUTBOX_PUBLISHED.labels(self.store.service).inc(len(rows))
        return len(rows), left

    async def _oldest_pending(self, session: AsyncSession) -> int | None:
        table = self.store.outbox
        query = select(func.min(table.c.id)).where(table.c.published_at.is_(None))
        if self._unmarked:  # sent from memory, marked soon: not waiting
            query = query.where(table.c.event_id.not_in(list(self._unmarked)))
        found = (await execute(session, query)).scalar()
        return int(found) if found is not None else None

    async def _lead(self, session: AsyncSession) -> bool:
        key = int.from_bytes(hashlib.sha256(f"outbox/{self.store.service}".encode()).digest()[:7])
        result = await execute(
            session, text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=key)
        )
        return bool(result.scalar_one())

    async def _pending(
        self, session: AsyncSession, *, lock: bool, orphans_only: bool = False
    ) -> list[Row[Any]]:
        table = self.store.outbox
        query = (
            select(
                table.c.id,
                table.c.event_id,
                table.c.topic,
                table.c.key,
                table.c.payload,
                table.c.headers,
            )
            .where(table.c.published_at.is_(None))
            .order_by(table.c.id)
            .limit(self.settings.outbox_batch)
        )
        if orphans_only:
            waited = utcnow().timestamp() - self._orphan_s
            query = query.where(table.c.created_at < datetime.fromtimestamp(waited, UTC))
        if lock:
            query = query.with_for_update(skip_locked=True)
        rows = list((await execute(session, query)).all())
        if orphans_only:  # not those this process has in hand
            known = self._unmarked.keys() | {r["event_id"] for r in self._fresh}
            rows = [row for row in rows if row.event_id not in known]
        return rows

    async def _send(self, rows: list[Any]) -> None:
        """Rows (table rows or staged dicts) sent in order and awaited together: per-key order
        holds within a partition."""
        futures = []
        for row in rows:
            values = row if isinstance(row, dict) else row._mapping
            futures.append(
                await self.broker.publish(
                    str(values["payload"]).encode(),
                    str(values["topic"]),
                    key=str(values["key"]).encode(),
                    headers=outbox_headers(values["headers"]),
                    no_confirm=True,
                )
            )
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
        backoff = Backoff()
        while not self._stopping:
            # Cleared before looking, not after: a commit that wakes the relay while it is
            # reading must not be forgotten (that lost wake-up cost a whole poll interval).
            self._wake.clear()
            try:
                sent = await self.step()
                backoff.reset()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker or database is away: wait and try again
                log.warning(
                    "outbox relay: %s; retrying in %.1fs", type(exc).__name__, backoff.seconds
                )
                await backoff.wait()
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
