"""A consumer's batch asks two keyed questions every time: which events were applied before,
and which of its orders were anonymised. One statement answers both (`MessageStore.seen` with
the deletion log `alongside`), on the real database (SQLite, or PostgreSQL in that run)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from services.routing.models import RoutingBase, deletions, messages
from shared.db import Database
from shared.retention import Rule
from tests.support import submitted_event

NOW = datetime(2026, 5, 4, 8, 30, tzinfo=UTC)


@pytest.fixture
async def db(database_url: Callable[..., Any]) -> AsyncIterator[Database]:
    database = Database(await database_url("routing"), RoutingBase.metadata)
    await database.create_all()
    yield database
    await database.dispose()


def statements(db: Database) -> list[str]:
    sent: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(sql)

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    return sent


async def test_one_statement_says_what_was_applied_and_what_was_anonymised(
    db: Database,
) -> None:
    applied, erased, fresh = submitted_event(), submitted_event(), submitted_event()
    async with db.transaction() as session:
        messages.mark_processed(session, applied.event_id, "orders.submitted")
        for rule in (Rule.ERASURE, Rule.CLOSED):  # the first entry names the rule
            await deletions.record(
                session, str(erased.order_id), rule, ["contact"], at=NOW, by="cli"
            )
    sent = statements(db)
    batch = [applied, erased, fresh]
    async with db.reading() as session:
        done = await messages.seen(session, [e.event_id for e in batch], batch)
        assert len(sent) == 1
        # the batch's prefetch and the handlers ask again: answered from the transaction
        await deletions.load(session, [str(e.order_id) for e in batch])
        assert await deletions.rule_of(session, str(erased.order_id)) is Rule.ERASURE
        assert await deletions.rule_of(session, str(fresh.order_id)) is None
        assert await deletions.rule_of(session, str(applied.order_id)) is None
        assert len(sent) == 1
    assert done == {str(applied.event_id)}


async def test_a_batch_larger_than_a_statements_share_is_looked_up_in_parts(
    db: Database,
) -> None:
    batch = [submitted_event() for _ in range(501)]
    async with db.transaction() as session:
        messages.mark_processed(session, batch[-1].event_id, "orders.submitted")
        await deletions.record(
            session, str(batch[-1].order_id), Rule.ERASURE, ["contact"], at=NOW, by="cli"
        )
    sent = statements(db)
    async with db.reading() as session:
        done = await messages.seen(session, [e.event_id for e in batch], batch)
        assert len(sent) == 2
        assert await deletions.rule_of(session, str(batch[-1].order_id)) is Rule.ERASURE
        assert await deletions.rule_of(session, str(batch[0].order_id)) is None
        assert len(sent) == 2
    assert done == {str(batch[-1].event_id)}


async def test_without_a_batch_only_the_events_are_looked_up(db: Database) -> None:
    """`bestil dlq` asks about parked event ids, with no events to take orders from."""
    known = submitted_event()
    async with db.transaction() as session:
        messages.mark_processed(session, known.event_id, "orders.submitted")
    async with db.reading() as session:
        assert await messages.seen(session, [known.event_id, submitted_event().event_id]) == {
            str(known.event_id)
        }
