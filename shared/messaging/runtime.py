"""A service's connection to Kafka: consumer, outbox relay, and start-up that survives a dead broker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping

from shared.clock import utcnow
from shared.db import Database
from shared.events import Message
from shared.messaging.backoff import start_until_up
from shared.messaging.broker import ensure_topics, make_broker
from shared.messaging.consumer import EventConsumer, Handler, Prefetch
from shared.messaging.relay import OutboxRelay
from shared.messaging.store import MessageStore
from shared.messaging.watchdog import StallWatch
from shared.metrics import OUTBOX_OLDEST_AGE, OUTBOX_PENDING
from shared.settings import KafkaSettings
from shared.topics import ALL, dlq

log = logging.getLogger(__name__)


class MessagingRuntime:
    """Owns the broker of one service process.

    The service answers HTTP while the broker is away: connecting happens in the background,
    with back-off, and what the service wants to publish waits in its outbox meanwhile.
    """

    def __init__(
        self,
        service: str,
        db: Database,
        store: MessageStore,
        settings: KafkaSettings,
        subscribers: Mapping[type[Message], Handler] | None = None,
        prefetch: Prefetch | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.broker = make_broker(settings, service)
        self.relay = OutboxRelay(db, store, self.broker, settings)
        self.consumer: EventConsumer | None = None
        if subscribers:
            self.consumer = EventConsumer(
                service,
                db,
                store,
                subscribers,
                settings,
                prefetch=prefetch,
            )
            # first: the events the handlers staged leave before anything else is woken
            self.consumer.after_commit(self.relay.wake)
            # Orders this instance takes over may have rows pending in the outbox (the instance
            # that had them died between commit and publish): those leave first.
            self.consumer.on_assigned(self.relay.hold)
            self.consumer.subscribe(self.broker)
        self.connected = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Wake `callback` after each consumer commit that applied an event (after the relay)."""
        if self.consumer is None:
            raise RuntimeError(f"{self.service} consumes no events: nothing ever commits here")
        self.consumer.after_commit(callback)

    def topics(self) -> list[str]:
        """The topics this service writes or reads, and its dead-letter topic."""
        written = [t.name for t in ALL if t.writer == self.service]
        read = self.consumer.topics if self.consumer else []
        return sorted({*written, *read, dlq(self.service)})

    async def refresh_gauges(self) -> None:
        """Bring the gauges a scrape reads up to date: outbox backlog and age, consumer lag."""
        store = self.relay.store
        async with self.relay.db.reading() as session:
            pending, oldest = await store.pending(session)
        OUTBOX_PENDING.labels(self.service).set(pending)
        age = (utcnow() - oldest).total_seconds() if oldest is not None else 0.0
        OUTBOX_OLDEST_AGE.labels(self.service).set(max(age, 0.0))
        if self.consumer is not None:
            self.consumer.update_lag()

    async def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._connect(), name=f"{self.service}-connect"))

    async def _connect(self) -> None:
        async def start() -> None:
            if self.settings.create_topics:
                await ensure_topics(self.settings, self.topics())
            await self.broker.start()

        await start_until_up(start, self.broker.stop, f"{self.service}: broker not reachable")
        self.connected.set()
        log.info("%s: connected to the broker", self.service)
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.service}-relay"))
        if self.consumer is not None:
            watch = StallWatch(self.consumer, self.settings.consumer_stall_seconds)
            self._tasks.append(asyncio.create_task(watch.run(), name=f"{self.service}-watch"))

    async def stop(self) -> None:
        self.relay.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):  # so that a restart does not send them again
            await self.relay.mark_sent()
        with contextlib.suppress(Exception):
            await self.broker.stop()
