"""After-commit callbacks: called in the order registered, once per commit that applied an
event, never for a batch of duplicates; the runtime's relay is woken first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlmodel.ext.asyncio.session import AsyncSession

from shared import events
from shared.db import Database
from shared.messaging.consumer import EventConsumer
from shared.messaging.runtime import MessagingRuntime
from shared.messaging.store import MessageStore
from shared.settings import KafkaSettings
from shared.topics import topic_for
from tests.support import submitted_event


@pytest.fixture
async def wiring(tmp_path: Path) -> AsyncIterator[tuple[Database, MessageStore]]:
    metadata = MetaData()
    store = MessageStore("unit", metadata)
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}", metadata)
    await db.create_all()
    yield db, store
    await db.dispose()


async def _ignore(session: AsyncSession, event: events.Event) -> None:
    return None


def _record(event: events.Event) -> Any:
    return SimpleNamespace(
        topic=topic_for(event).name, value=event.model_dump_json().encode(), key=None, headers=[]
    )


async def test_callbacks_run_in_order_after_a_commit_that_applied_events(wiring) -> None:
    db, store = wiring
    consumer = EventConsumer("unit", db, store, {events.OrderSubmitted: _ignore}, KafkaSettings())
    calls: list[str] = []
    consumer.after_commit(lambda: calls.append("first"))
    consumer.after_commit(lambda: calls.append("second"))
    record = _record(submitted_event())
    await consumer.process_batch([record])
    assert calls == ["first", "second"]
    await consumer.process_batch([record])  # a redelivery applies nothing
    assert calls == ["first", "second"]


async def test_the_runtime_wakes_its_relay_before_the_callbacks_it_is_given(wiring) -> None:
    db, store = wiring
    runtime = MessagingRuntime("unit", db, store, KafkaSettings(), {events.OrderSubmitted: _ignore})
    relay_woken: list[bool] = []
    runtime.after_commit(lambda: relay_woken.append(runtime.relay._wake.is_set()))
    assert runtime.consumer is not None
    await runtime.consumer.process_batch([_record(submitted_event())])
    assert relay_woken == [True]


def test_a_runtime_without_subscribers_refuses_after_commit_callbacks(wiring) -> None:
    db, store = wiring
    runtime = MessagingRuntime("unit", db, store, KafkaSettings())
    with pytest.raises(RuntimeError, match="consumes no events"):
        runtime.after_commit(lambda: None)
