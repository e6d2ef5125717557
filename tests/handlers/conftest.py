"""Handler tests: each service's consumer on FastStream's in-memory broker, with a real database."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker

from shared import events
from shared.clock import FrozenClock
from shared.db import Database
from shared.messaging.runtime import MessagingRuntime
from shared.topics import dlq, topic_for
from tests.support import staged_events

SETTINGS = {
    "intake": "IntakeSettings",
    "routing": "RoutingSettings",
    "screening": "ScreeningSettings",
    "notifications": "NotificationsSettings",
}


@dataclass
class Harness:
    """One service wired to the in-memory broker, and what it parked in its DLQ."""

    name: str
    app: Any
    db: Database
    runtime: MessagingRuntime
    broker: KafkaBroker
    clock: FrozenClock
    dead_letters: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)

    async def deliver(self, event: events.Message | bytes, topic: str | None = None) -> None:
        if isinstance(event, events.Message):
            body, topic, key = (
                event.model_dump_json().encode(),
                topic_for(event).name,
                event.kafka_key().encode(),
            )
        else:
            body, key = event, None
        await self.broker.publish(body, topic, key=key)

    async def staged(self, model: type[events.Event] | None = None) -> list[events.Event]:
        """The events this service put in its outbox, oldest first."""
        return await staged_events(self.db, self.runtime.relay.store, model)


@pytest.fixture
async def harness(
    database_url: Callable[..., Any], tmp_path: Any
) -> AsyncIterator[Callable[..., Any]]:
    opened: list[Any] = []

    async def open_service(name: str, **overrides: Any) -> Harness:
        module = importlib.import_module(f"services.{name}.settings")
        settings = getattr(module, SETTINGS[name])(
            database_url=await database_url(name),
            var_dir=tmp_path / "var",
            **{"metrics_on_main_port": True, **overrides},  # as BESTIL_METRICS_ON_MAIN_PORT
        )
        settings.kafka.create_topics = False
        settings.kafka.retry_backoff_ms = 1
        clock = FrozenClock()
        app = importlib.import_module(f"services.{name}.main").create_app(settings, clock=clock)
        db, runtime = app.state.db, app.state.runtime
        await db.create_all()
        h = Harness(name, app, db, runtime, runtime.broker, clock)

        @runtime.broker.subscriber(dlq(name))
        async def collect() -> None:
            message = runtime.broker.context.get_local("message")
            h.dead_letters.append((message.body, dict(message.headers)))

        test_broker = TestKafkaBroker(runtime.broker)
        await test_broker.__aenter__()
        opened.append((test_broker, db))
        return h

    yield open_service
    for test_broker, db in opened:
        await test_broker.__aexit__(None, None, None)
        await db.dispose()


@pytest.fixture
async def client_for() -> AsyncIterator[Callable[[Harness], Any]]:
    """An HTTP client talking to a harnessed service's app in-process."""
    import httpx

    clients: list[httpx.AsyncClient] = []

    def make(h: Harness) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=h.app), base_url="http://test")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()
