"""The outbox relay on a real broker: committed rows leave from memory at once, in commit order;
rows the table holds from before (a previous process, a failed publish) leave first; rows
nobody handed over (another process's) leave after a wait; a rolled-back row never leaves."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from sqlalchemy import MetaData, func, select

from shared import events
from shared.clock import utcnow
from shared.db import Database, execute
from shared.messaging.broker import ensure_topics, make_broker
from shared.messaging.relay import OutboxRelay
from shared.messaging.store import MessageStore
from shared.settings import KafkaSettings
from tests.conftest import bootstrap_of
from tests.integration.conftest import read_all
from tests.support import eventually

TOPIC = "orders.routed.v1"


def routed(order_id: uuid.UUID, n: int) -> events.OrderRouted:
    """The n-th routing of one order: every one has the same key, so one partition keeps order."""
    return events.OrderRouted(
        order_id=order_id,
        reference="BEB-ABCDEFGH",
        correlation_id=f"step-{n}",
        district_code="1461",
        district_name="Østjyllands Politi",
        method="manual",
        routed_at=utcnow(),
    )


class Outbox:
    """One service's outbox tables, and a relay for them once asked for."""

    def __init__(self, url: str, settings: KafkaSettings) -> None:
        self.metadata = MetaData()
        self.store = MessageStore("routing", self.metadata)
        self.db = Database(url, self.metadata)
        self.settings = settings

    async def stage(self, *staged: events.Event, db: Database | None = None) -> None:
        async with (db or self.db).transaction() as session:
            for event in staged:
                await self.store.enqueue(session, event)

    async def unpublished(self) -> int:
        table = self.store.outbox
        async with self.db.reading() as session:
            query = select(func.count()).where(table.c.published_at.is_(None))
            return int((await execute(session, query)).scalar_one())


@pytest.fixture
async def outbox(kafka: Any, database_url: Any) -> AsyncIterator[Outbox]:
    settings = KafkaSettings(
        bootstrap=bootstrap_of(kafka), outbox_poll_ms=100, outbox_orphan_ms=300
    )
    await ensure_topics(settings, [TOPIC])
    box = Outbox(await database_url("routing"), settings)
    await box.db.create_all()
    yield box
    await box.db.dispose()


@contextlib.asynccontextmanager
async def relaying(box: Outbox) -> AsyncIterator[OutboxRelay]:
    broker = make_broker(box.settings, "routing")
    await broker.start()
    relay = OutboxRelay(box.db, box.store, broker, box.settings)
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        relay.stop()
        await task
        await relay.mark_sent()
        await broker.stop()


async def caught_up(relay: OutboxRelay) -> None:
    async def released() -> bool:
        return not relay.held

    await eventually(released, what="the relay to have caught up with its table")


async def first_seen(box: Outbox, at_least: int) -> list[str]:
    """The event ids on the topic in the order they first appear (a redelivery may follow)."""
    records = await read_all(box.settings.bootstrap, TOPIC, at_least=at_least)
    ids = [dict(r.headers)["ce_id"].decode() for r in records]
    return list(dict.fromkeys(ids))


async def test_rows_left_by_a_previous_process_leave_before_those_committed_after(outbox) -> None:
    order = uuid.uuid4()
    steps = [routed(order, n) for n in range(6)]
    await outbox.stage(*steps[:3])  # before any relay: a process that died before publishing
    async with relaying(outbox) as relay:
        await outbox.stage(steps[3])
        await outbox.stage(*steps[4:])
        assert await first_seen(outbox, 6) == [str(e.event_id) for e in steps]
        await caught_up(relay)
    assert await outbox.unpublished() == 0  # marked, so a restart sends nothing again


async def test_after_a_failed_publish_the_table_is_caught_up_before_memory_goes_on(
    outbox, monkeypatch
) -> None:
    order = uuid.uuid4()
    steps = [routed(order, n) for n in range(5)]
    async with relaying(outbox) as relay:
        await caught_up(relay)  # an empty table: caught up at once
        send = relay._send
        failures = [KafkaConnectionError()]

        async def flaky(rows: list[Any]) -> None:
            if failures:
                raise failures.pop()
            await send(rows)

        monkeypatch.setattr(relay, "_send", flaky)
        await outbox.stage(steps[0])  # its publish fails: it waits in the table
        await outbox.stage(*steps[1:3])
        await outbox.stage(*steps[3:])
        assert await first_seen(outbox, 5) == [str(e.event_id) for e in steps]
        await caught_up(relay)


async def test_a_row_staged_by_another_process_leaves_after_its_wait(outbox) -> None:
    other = Database(outbox.db.url, outbox.metadata)  # `bestil erase`, say: no relay of its own
    event = routed(uuid.uuid4(), 0)
    try:
        async with relaying(outbox) as relay:
            await caught_up(relay)
            await outbox.stage(event, db=other)
            assert await first_seen(outbox, 1) == [str(event.event_id)]
    finally:
        await other.dispose()
    assert await outbox.unpublished() == 0


async def test_a_row_of_a_rolled_back_transaction_never_leaves(outbox) -> None:
    kept, dropped = routed(uuid.uuid4(), 0), routed(uuid.uuid4(), 1)
    async with relaying(outbox):
        with pytest.raises(RuntimeError):
            async with outbox.db.transaction() as session:
                await outbox.store.enqueue(session, dropped)
                raise RuntimeError("the use case failed")
        await outbox.stage(kept)
        assert await first_seen(outbox, 1) == [str(kept.event_id)]
